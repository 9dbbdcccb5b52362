/**
 * Private notices on Telegram, end to end (fake Bot API ↔ real grammY bot ↔ runtime on real Redis):
 * a refusal in a group goes to the person's direct chat when they have started the bot (naming the
 * group, nothing posted in the group), else it is a reply in the group that mentions them; a person
 * who blocked the bot gets the mention in the group and is not written to privately again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import type { FakeTelegram } from '../fakes/telegram/index.js';
import { groupChat, makeUser, privateChat } from '../fakes/telegram/index.js';
import { until } from './helpers.js';
import { startTelegramStack, type TelegramStack } from './stack.js';

let stack: TelegramStack;
let fake: FakeTelegram;
let runtime: Runtime;

const group = groupChat(-8200, { title: 'Film Club' });
const admin = makeUser('Ada', { id: 8201, language_code: 'en' });
const said = (chatId: number, re: RegExp) => fake.sent(chatId).filter((m) => re.test(m.text ?? m.caption ?? ''));
const sendsTo = (chatId: number) => fake.callsTo('sendMessage').filter((c) => Number(c.payload.chat_id) === chatId);
const BLOCKED = /not allowed here/;

beforeAll(async () => {
  stack = await startTelegramStack('tg-notices', { sim: { turnMs: 300, heartbeatMs: 40, renderStepMs: 60 }, env: { TELEGRAM_POLL_LEASE_MS: '1500' } });
  ({ fake, runtime } = stack);
  // An admin blocks a word in the group: a prompt with it is refused before anything reaches Nemo.
  fake.chats.admins.set(group.id, new Set([admin.id]));
  fake.userText({ chat: group, from: admin, text: '/admin block dragon' });
  await fake.waitFor(() => said(group.id, /Blocked: dragon/)[0], 20_000, 'the saved setting');
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

/** `user` asks for a video with the blocked word in the group. */
const askInGroup = (user: ReturnType<typeof makeUser>) => fake.userText({ chat: group, from: user, text: '@nemo_test_bot make a video of a dragon over the sea' });

/** `user` starts the bot in a direct chat (and gets its welcome). */
async function start(user: ReturnType<typeof makeUser>): Promise<void> {
  fake.userText({ chat: privateChat(user), from: user, text: '/start' });
  await fake.waitFor(() => fake.sent(user.id)[0], 10_000, 'the welcome');
}

describe('Telegram private notices', () => {
  it('goes to the DM of a user who started the bot, naming the group; nothing is posted in the group', async () => {
    const mia = makeUser('Mia', { id: 8202, language_code: 'en' });
    await start(mia);
    const before = fake.sent(group.id).length;
    askInGroup(mia);
    const dm = await fake.waitFor(() => said(mia.id, BLOCKED)[0], 10_000, 'the notice in the DM');
    expect(dm.text).toMatch(/^💬 In “Film Club”: .*not allowed here/s);
    expect(dm.entities).toBeUndefined(); // no mention needed in a private chat
    // The group saw nothing: the DM was sent instead of the group reply (same step), and the group is quiet after it.
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.sent(group.id).length).toBe(before);
    expect(stack.sim.requestsTo('run_sse')).toHaveLength(0);
  }, 20_000);

  it('is a reply mentioning a user who never started the bot, who is never written to privately', async () => {
    const noa = makeUser('Noa', { id: 8203, language_code: 'en' });
    const asked = askInGroup(noa);
    const notice = await fake.waitFor(() => said(group.id, BLOCKED).at(-1), 10_000, 'the notice in the group');
    expect(notice.replyTo).toBe(asked.message!.message_id);
    expect(notice.entities).toEqual([expect.objectContaining({ type: 'text_link', url: `tg://user?id=${noa.id}` })]);
    expect(sendsTo(noa.id)).toHaveLength(0);
  }, 20_000);

  it('falls back to the mention in the group when the user blocked the bot, and then stops trying the DM', async () => {
    const pia = makeUser('Pia', { id: 8204, language_code: 'zh' });
    await start(pia);
    fake.chats.blockedBy.add(pia.id);
    const groupNotices = () => fake.sent(group.id).filter((m) => (m.entities as Array<{ url?: string }> | undefined)?.some((e) => e.url === `tg://user?id=${pia.id}`));
    askInGroup(pia);
    const first = await fake.waitFor(() => groupNotices()[0], 10_000, 'the fallback in the group');
    expect(first.text).toMatch(/不允许/); // her language: the catalogue's Chinese
    const refused = sendsTo(pia.id).filter((c) => !c.ok);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.errorCode).toBe(403);
    const attempts = sendsTo(pia.id).length;
    askInGroup(pia);
    await fake.waitFor(() => groupNotices()[1], 10_000, 'the second notice in the group');
    expect(sendsTo(pia.id)).toHaveLength(attempts); // forgotten: no second DM attempt
  }, 30_000);

  it('an accepted group message never touches the record; a direct message writes it once, with the ingress\'s reads', async () => {
    const rue = makeUser('Rue', { id: 8205, language_code: 'en' });
    const key = runtime.services.keys.reachable('telegram', String(rue.id));
    const monitor = await runtime.redis.duplicate({ enableAutoPipelining: false }).monitor();
    const seen: Array<{ args: string[]; source: string }> = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => seen.push({ args, source }));
    try {
      fake.userText({ chat: group, from: rue, text: '@nemo_test_bot make a video of a quiet lake' });
      await fake.waitFor(() => said(group.id, /quiet lake/)[0], 10_000, 'the acknowledgement in the group');
      fake.userText({ chat: privateChat(rue), from: rue, text: '/help' });
      await fake.waitFor(() => fake.sent(rue.id)[0], 10_000, 'the help answer');
      await until(() => seen.some((c) => c.args.includes(key)), 5_000, 'the monitor to see the record');
      const touching = seen.filter((c) => c.args.includes(key));
      expect(touching.map((c) => c.args[0]!.toLowerCase())).toEqual(['set']);
      // Sent together with the front door's reads and counts (one round trip): a few commands after this
      // conversation's /lang read on the same connection (the claim and the rate count go between; with
      // auto-pipelining another job's command may too), never after a round trip of its own.
      const sameClient = seen.filter((c) => c.source === touching[0]!.source);
      const at = sameClient.indexOf(touching[0]!);
      const langKey = runtime.services.keys.conversationLanguage((JSON.parse(touching[0]!.args[2]!) as { conversationKey: string }).conversationKey);
      const langRead = sameClient.findLastIndex((c, i) => i < at && c.args[0]!.toLowerCase() === 'get' && c.args[1] === langKey);
      expect(langRead).toBeGreaterThanOrEqual(0);
      expect(at - langRead).toBeLessThanOrEqual(6);
    } finally {
      monitor.disconnect();
    }
  }, 30_000);

  it('goes to the DM again once the user writes to the bot again (in Chinese for a Chinese user)', async () => {
    const pia = makeUser('Pia', { id: 8204, language_code: 'zh' });
    fake.chats.blockedBy.delete(pia.id);
    fake.userText({ chat: privateChat(pia), from: pia, text: '/help' });
    await fake.waitFor(() => fake.sent(pia.id).length >= 2, 10_000, 'the help answer');
    askInGroup(pia);
    const dm = await fake.waitFor(() => fake.sent(pia.id).find((m) => /^💬 在「Film Club」中：/.test(m.text ?? '')), 10_000, 'the Chinese DM notice');
    expect(dm.text).toMatch(/不允许/);
  }, 20_000);
});
