/**
 * Issue 13 end to end on Telegram: the fake Bot API ↔ real grammY bot ↔ runtime (BullMQ on real
 * Redis) ↔ the Nemo simulator. Costs and "not charged", /jobs and /show (re-sent by file_id, isolated
 * per chat), the waiting ETA, the iteration buttons (Delete refused for others, a button pressed after
 * a restart), and the video's width/height/duration.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramOutbox, startTelegramBot, type TelegramBot } from '../../adapters/telegram/index.js';
import type { Config } from '../../src/config.js';
import { loadConfig } from '../../src/platforms/config.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { dropPrefix, REDIS_URL, testEnv, uniquePrefix } from '../helpers/harness.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';
import { FakeTelegram, groupChat, makeUser, privateChat, type SentMessage } from '../fakes/telegram/index.js';
import { TOKEN, until } from './helpers.js';

const JPG = readFileSync(fileURLToPath(new URL('../fixtures/input.jpg', import.meta.url)));
const prefix = uniquePrefix('tg-team');
const KEY = randomBytes(32).toString('hex');
const PERSONAL = 'nmv_usr_tg_personal_token_0001';

let sim: NemoSim;
let fake: FakeTelegram;
let config: Config;
let runtime: Runtime;
let bot: TelegramBot | undefined;

async function start(): Promise<void> {
  runtime = await startRuntime({ config, logger: silentLogger, outboxes: { telegram: createTelegramOutbox({ config, logger: silentLogger }) }, runWorker: true });
  bot = await startTelegramBot({ config, ingress: runtime.ingress, redis: runtime.redis, logger: silentLogger, pollTimeoutSeconds: 1 });
  await until(() => bot!.isPolling, 10_000, 'the bot to poll');
}

const videosIn = (chatId: number) => fake.sent(chatId).filter((m) => m.kind === 'video');
const buttonsOf = (m: SentMessage) => m.replyMarkup?.inline_keyboard.flat() ?? [];
const button = (m: SentMessage, re: RegExp) => buttonsOf(m).find((b) => re.test(b.text))!;
const posted = (chatId: number, re: RegExp) => fake.sent(chatId).filter((m) => re.test(m.text ?? m.caption ?? ''));
const lastText = (chatId: number, re: RegExp, what: string) => fake.waitFor(() => posted(chatId, re).at(-1), 20_000, what);

beforeAll(async () => {
  sim = await startNemoSim({ turnMs: 400, heartbeatMs: 40, renderStepMs: 60, editTurnMs: 600, initialCredits: 300 });
  fake = await FakeTelegram.start({ token: TOKEN });
  config = loadConfig(testEnv(prefix, { NEMO_API_URL: sim.url, TELEGRAM_API_ROOT: fake.url, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_POLL_LEASE_MS: '1500', LOW_BALANCE_WARNING: '250', TOKEN_ENCRYPTION_KEY: KEY }));
  await start();
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await runtime?.close();
  await fake?.close();
  await sim?.close();
  await dropPrefix(prefix);
  sim?.assertNoViolations();
});

describe('Telegram team features', () => {
  const hana = makeUser('Hana', { id: 8101, language_code: 'en' });
  let jobId = '';

  it('the result shows its cost and the balance left (with a low-balance warning) and carries width, height and duration', async () => {
    fake.userPhoto({ chat: privateChat(hana), from: hana, caption: 'turn this image into a 5-second animated video clip', bytes: JPG });
    const video = await fake.waitFor(() => videosIn(hana.id)[0], 30_000, 'the video');
    expect(video.caption).toContain('💳 Cost: 100 credits · 200 left');
    expect(video.caption).toContain('⚠️ Low balance: 200 credits left');
    // parsed from the MP4's moov/mvhd/tkhd boxes (the fixture is 1920×1080, 5 s)
    expect(video.file).toMatchObject({ width: 1920, height: 1080, duration: 5 });
    expect(buttonsOf(video).map((b) => b.text)).toEqual(['📥 Export again', '🔄 Retry', '🎛️ Remix', '🆕 New project', '📱 Vertical 9:16', '⬛ Square 1:1', '🌐 Open in NemoVideo', '🗑️ Delete']);
    const card = posted(hana.id, /^🎬 Got it!/)[0]!;
    await fake.waitFor(() => card.text?.includes('✅ Done') && card.text.includes('💳 Cost: 100 credits'), 10_000, 'the card to show the cost');
  }, 40_000);

  it('/jobs lists the job with its state, duration, cost and link', async () => {
    fake.userText({ chat: privateChat(hana), from: hana, text: '/jobs' });
    const list = await lastText(hana.id, /Recent jobs here/, 'the job list');
    const line = /#([a-z0-9]{6}) · ✅ done · \d+:\d\d · 100 credits · “turn this image into a 5-second animated video clip”\n\s+(http\S+)/.exec(list.text!);
    expect(line).not.toBeNull();
    jobId = line![1]!;
  });

  it('/show posts the video again by its file_id, with its buttons; another chat cannot see it', async () => {
    const uploads = fake.callsTo('sendVideo').length;
    fake.userText({ chat: privateChat(hana), from: hana, text: `/show ${jobId}` });
    const again = await fake.waitFor(() => videosIn(hana.id)[1], 10_000, 'the video again');
    expect(again.caption).toContain(`Job #${jobId}`);
    expect(buttonsOf(again).some((b) => /Export again/.test(b.text))).toBe(true);
    const call = fake.callsTo('sendVideo')[uploads]!;
    expect(String(call.payload.video)).not.toMatch(/^attach:/); // a file_id, not a new upload
    expect(again.file!.bytes.equals(sim.fixture.bytes)).toBe(true);

    const ivo = makeUser('Ivo', { id: 8102, language_code: 'en' });
    fake.userText({ chat: privateChat(ivo), from: ivo, text: `/show ${jobId}` });
    const refusal = await lastText(ivo.id, /I have no job/, 'the isolation refusal');
    expect(refusal.text).toContain(`#${jobId}`);
    expect(videosIn(ivo.id)).toHaveLength(0);
  });

  it('"Open in NemoVideo" answers with the project\'s claim link, never the token', async () => {
    const video = videosIn(hana.id)[0]!;
    fake.pressButton({ chatId: hana.id, from: hana, messageId: video.messageId, data: button(video, /Open in NemoVideo/).callback_data! });
    const link = await lastText(hana.id, /Open your project in NemoVideo/, 'the claim link');
    expect(link.text).toMatch(/https?:\/\/\S+claim\S*/);
    const tokens = new Set(sim.requests.map((r) => r.token).filter(Boolean));
    expect([...tokens].some((tok) => link.text!.includes(tok!))).toBe(false);
  });

  it('Remix asks for the new prompt with a force-reply carrying the last one; the reply makes a new video', async () => {
    const video = videosIn(hana.id)[0]!;
    fake.pressButton({ chatId: hana.id, from: hana, messageId: video.messageId, data: button(video, /Remix/).callback_data! });
    const ask = await lastText(hana.id, /Remix: reply to this message/, 'the remix question');
    expect(ask.text).toContain('turn this image into a 5-second animated video clip');
    expect(ask.forceReply).toMatchObject({ force_reply: true, input_field_placeholder: 'Your new prompt' });
    const videos = videosIn(hana.id).length;
    fake.userText({ chat: privateChat(hana), from: hana, text: 'make a video of the same scene at sunset', replyTo: ask.messageId });
    await fake.waitFor(() => videosIn(hana.id).length === videos + 1, 30_000, 'the remixed video');
    expect(JSON.stringify(sim.requestsTo('run_sse').at(-1)!.body)).toContain('same scene at sunset');
  }, 40_000);

  it('a job waiting in line shows its place and an ETA from recent durations', async () => {
    fake.userText({ chat: privateChat(hana), from: hana, text: 'hello there' });
    fake.userText({ chat: privateChat(hana), from: hana, text: 'how are you today' });
    const waiting = await lastText(hana.id, /#2 in line/, 'the waiting card');
    expect(waiting.text).toMatch(/Expected to start in about \d+ min/);
  });

  it('a turn refused for credits says "you were not charged"', async () => {
    const kai = makeUser('Kai', { id: 8103, language_code: 'en' });
    const known = new Set(sim.requests.map((r) => r.token));
    fake.userText({ chat: privateChat(kai), from: kai, text: '/credits' });
    await lastText(kai.id, /Credits: \d+ available/, 'the balance');
    // this conversation's own new token (other chats' jobs read balances meanwhile)
    sim.setCredits(sim.requestsTo('credits').map((r) => r.token).find((tok) => tok && !known.has(tok))!, 0);
    fake.userText({ chat: privateChat(kai), from: kai, text: 'make a video of a lighthouse at night' });
    const failure = await lastText(kai.id, /Out of (free )?credits/, 'the failure');
    expect(failure.text).toContain('You were not charged.');
    fake.userText({ chat: privateChat(kai), from: kai, text: '/jobs' });
    expect((await lastText(kai.id, /Recent jobs here/, 'the list')).text).toContain('❌ failed');
  });

  it('/lang zh switches this conversation to Chinese; /lang auto switches back', async () => {
    fake.userText({ chat: privateChat(hana), from: hana, text: '/lang zh' });
    await lastText(hana.id, /我将使用中文回答/, 'the Chinese confirmation');
    fake.userText({ chat: privateChat(hana), from: hana, text: '/credits' });
    await lastText(hana.id, /积分：可用 \d+/, 'the Chinese balance');
    fake.userText({ chat: privateChat(hana), from: hana, text: '/lang auto' });
    await lastText(hana.id, /follow each message’s language/, 'the switch back');
  });

  it('/login in a DM stores the token encrypted, deletes the message and uses it; /logout forgets it', async () => {
    const lin = makeUser('Lin', { id: 8106, language_code: 'en' });
    sim.addToken(PERSONAL, { credits: 4321 });
    const u = fake.userText({ chat: privateChat(lin), from: lin, text: `/login ${PERSONAL}` });
    await lastText(lin.id, /Saved \(encrypted\)/, 'the login answer');
    expect(fake.chats.deletedUserMessages).toContainEqual({ chatId: lin.id, messageId: u.message!.message_id });
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}:u:{telegram:${lin.id}}:token`);
      expect(keys).toHaveLength(1);
      const stored = (await redis.get(keys[0]!))!;
      expect(stored).not.toContain(PERSONAL);
      expect(stored).not.toContain(Buffer.from(PERSONAL).toString('base64'));
    } finally {
      redis.disconnect();
    }
    fake.userText({ chat: privateChat(lin), from: lin, text: '/credits' });
    await lastText(lin.id, /Credits: 4321 available/, 'the balance of the personal account');
    const personalReads = () => sim.requestsTo('credits').filter((r) => r.token === PERSONAL).length;
    expect(personalReads()).toBeGreaterThan(0);
    expect(fake.sent(lin.id).some((m) => (m.text ?? '').includes(PERSONAL))).toBe(false);
    fake.userText({ chat: privateChat(lin), from: lin, text: '/logout' });
    await lastText(lin.id, /Forgotten/, 'the logout answer');
    const reads = personalReads();
    fake.userText({ chat: privateChat(lin), from: lin, text: '/credits' });
    await fake.waitFor(() => posted(lin.id, /Credits: \d+ available/).length === 2, 20_000, 'the second balance');
    expect(posted(lin.id, /Credits: \d+ available/)[1]!.text).not.toContain('4321');
    expect(personalReads()).toBe(reads);
  });

  describe('in a group', () => {
    const group = groupChat(-8100);
    const ivan = makeUser('Ivan', { id: 8104, language_code: 'en' });
    const jun = makeUser('Jun', { id: 8105, language_code: 'en' });
    let result: SentMessage;

    it('/login is refused in a group, addressed to its sender, and the message is deleted', async () => {
      const u = fake.userText({ chat: group, from: jun, text: '/login nmv_usr_leaked_in_a_group_01' });
      const refusal = await lastText(group.id, /only in a direct message/, 'the refusal');
      expect(refusal.entities).toEqual([expect.objectContaining({ type: 'text_link', url: `tg://user?id=${jun.id}` })]);
      expect(fake.chats.deletedUserMessages).toContainEqual({ chatId: group.id, messageId: u.message!.message_id });
      expect(fake.sent(group.id).some((m) => (m.text ?? '').includes('leaked_in_a_group'))).toBe(false);
    });

    it('Delete is refused for someone else, mentioning them', async () => {
      fake.userText({ chat: group, from: ivan, text: '@nemo_test_bot make a video of a red kite over hills' });
      result = await fake.waitFor(() => videosIn(group.id)[0], 30_000, 'the group video');
      fake.pressButton({ chatId: group.id, from: jun, messageId: result.messageId, data: button(result, /Delete/).callback_data! });
      const refusal = await lastText(group.id, /Only the person who asked/, 'the refusal');
      expect(refusal.entities).toEqual([expect.objectContaining({ type: 'text_link', url: `tg://user?id=${jun.id}` })]);
      expect(fake.sent(group.id).find((m) => m.messageId === result.messageId)!.deleted).toBe(false);
    }, 40_000);

    it('after a restart, Square 1:1 still works (new generation and export) and the requester can delete', async () => {
      await bot!.stop();
      await runtime.close();
      await start();
      const turns = sim.requestsTo('run_sse').length;
      fake.pressButton({ chatId: group.id, from: ivan, messageId: result.messageId, data: button(result, /Square/).callback_data! });
      const second = await fake.waitFor(() => videosIn(group.id)[1], 30_000, 'the square video');
      expect(sim.requestsTo('run_sse').length).toBe(turns + 1);
      expect(JSON.stringify(sim.requestsTo('run_sse').at(-1)!.body)).toContain('aspect ratio of the video to 1:1');
      fake.pressButton({ chatId: group.id, from: ivan, messageId: second.messageId, data: button(second, /Delete/).callback_data! });
      await fake.waitFor(() => fake.sent(group.id).find((m) => m.messageId === second.messageId)!.deleted, 10_000, 'the deletion');
    }, 60_000);

    it('/admin: refused for a member; a chat admin blocks a word, sets a quota and pauses; a member cannot cancel another\'s job', async () => {
      const say = (from: typeof ivan, text: string) => fake.userText({ chat: group, from, text });
      say(jun, '/admin');
      const refused = await lastText(group.id, /Only server or chat admins/, 'the admin refusal');
      expect(refused.entities).toEqual([expect.objectContaining({ type: 'text_link', url: `tg://user?id=${jun.id}` })]);

      fake.chats.admins.set(group.id, new Set([ivan.id]));
      say(ivan, '/admin block dragon');
      expect((await lastText(group.id, /Saved\./, 'the saved settings')).text).toContain('Blocked: dragon');
      const turns = sim.requestsTo('run_sse').length;
      say(jun, '@nemo_test_bot make a video of a Dragon over the sea');
      await lastText(group.id, /not allowed here/, 'the blocked-word refusal');
      expect(sim.requestsTo('run_sse').length).toBe(turns);

      say(ivan, '/jobs');
      const ivansJob = /#([a-z0-9]{6}) · [^\n]*red kite/.exec((await lastText(group.id, /Recent jobs here/, 'the group list')).text!)![1]!;
      say(jun, `/cancel ${ivansJob}`);
      await lastText(group.id, /someone else’s/, 'the cancel refusal');

      say(ivan, '/admin quota 1');
      await fake.waitFor(() => posted(group.id, /Daily generations per user: 1/).length > 0, 20_000, 'the quota setting');
      say(jun, '@nemo_test_bot hello there');
      await lastText(group.id, /hello there/, 'the first acknowledgement');
      say(jun, '@nemo_test_bot how are you today');
      const quota = await lastText(group.id, /used your 1 generations for today/, 'the quota refusal');
      expect(quota.entities).toEqual([expect.objectContaining({ type: 'text_link', url: `tg://user?id=${jun.id}` })]);

      say(ivan, '/admin pause');
      await fake.waitFor(() => posted(group.id, /Queue: ⏸️ paused/).length > 0, 20_000, 'the pause');
      say(jun, '@nemo_test_bot credits');
      await lastText(group.id, /paused the bot here/, 'the paused refusal');
      say(ivan, '/admin resume');
      await fake.waitFor(() => posted(group.id, /Queue: running/).length > 0, 20_000, 'the resume');
    }, 60_000);
  });
});
