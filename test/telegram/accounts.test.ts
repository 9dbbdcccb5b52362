/**
 * Issue 13 end to end on Telegram (fake Bot API ↔ real grammY ↔ runtime on real Redis ↔ simulator):
 * a personal token (/login by DM) is used for its user's jobs in a group too, in the user's own
 * project there, decided when the job starts and kept to its end; the group's credential serves
 * everyone else. And `/admin pause` holds jobs that have not started: their card says so, they never
 * reach Nemo while paused, /cancel removes one, `/admin resume` lets them run by themselves.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/core/i18n.js';
import type { NemoSim } from '../../nemo-sim/index.js';
import type { SimRequest } from '../../nemo-sim/types.js';
import { groupChat, makeUser, privateChat, type FakeTelegram, type SentMessage } from '../fakes/telegram/index.js';
import { startTelegramStack, type TelegramStack } from './stack.js';

const PERSONAL = 'nmv_usr_tg_personal_account_0042';

let stack: TelegramStack;
let sim: NemoSim;
let fake: FakeTelegram;

beforeAll(async () => {
  stack = await startTelegramStack('tg-accounts', {
    sim: { turnMs: 300, heartbeatMs: 40, renderStepMs: 60, editTurnMs: 400, initialCredits: 300 },
    env: { TELEGRAM_POLL_LEASE_MS: '1500', TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex') },
  });
  ({ sim, fake } = stack);
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

/** Videos the jobs delivered (not the ones /show posted again, captioned "🎬 Job #…"). */
const videosIn = (chatId: number) => fake.sent(chatId).filter((m) => m.kind === 'video' && !/^🎬 Job #/.test(m.caption ?? ''));
const reposts = (chatId: number) => fake.sent(chatId).filter((m) => m.kind === 'video' && /^🎬 Job #/.test(m.caption ?? ''));
const posted = (chatId: number, re: RegExp) => fake.sent(chatId).filter((m) => re.test(m.text ?? m.caption ?? ''));
const lastText = (chatId: number, re: RegExp, what: string) => fake.waitFor(() => posted(chatId, re).at(-1), 20_000, what);
const videoOf = (chatId: number, n: number, what: string) => fake.waitFor(() => videosIn(chatId)[n - 1], 30_000, what);
const bodyOf = (r: SimRequest) => (r.body ?? {}) as { session_id?: string; sessionId?: string };
/** The /run_sse call whose message carries `words`. */
const turnsFor = (words: string) => sim.requestsTo('run_sse').filter((r) => JSON.stringify(r.body).includes(words));
const turnFor = (words: string) => fake.waitFor(() => turnsFor(words)[0], 30_000, `the turn "${words}"`);
/** The status card of the job whose prompt carries `words`. */
const cardOf = (chatId: number, words: string) => fake.sent(chatId).find((m) => m.kind === 'text' && (m.text ?? '').includes(words) && /Got it/.test(m.text ?? ''));

describe('a personal token in a group', () => {
  const group = groupChat(-8200);
  const ana = makeUser('Ana', { id: 8201, language_code: 'en' });
  const ben = makeUser('Ben', { id: 8202, language_code: 'en' });
  const inGroup = (from: typeof ana, text: string) => fake.userText({ chat: group, from, text });
  const dm = (from: typeof ana, text: string) => fake.userText({ chat: privateChat(from), from, text });
  let anaSession = '';
  let groupSession = '';
  let groupToken = '';

  it("A logs in by DM; in the group A's prompt runs under A's token in A's own project, B's under the group's credential", async () => {
    sim.addToken(PERSONAL, { credits: 5000 });
    dm(ana, `/login ${PERSONAL}`);
    await lastText(ana.id, /Saved \(encrypted\)/, 'the login answer');

    inGroup(ana, '@nemo_test_bot make a video of a red fox in the snow');
    const anaVideo = await videoOf(group.id, 1, "A's video");
    // the result's balance is A's own account's (5000 - 100), not the group's 300
    expect(anaVideo.caption).toContain('💳 Cost: 100 credits · 4900 left');
    inGroup(ben, '@nemo_test_bot make a video of a barn owl at dusk');
    const benVideo = await videoOf(group.id, 2, "B's video");
    expect(benVideo.caption).toContain('💳 Cost: 100 credits · 200 left');

    const fox = await turnFor('red fox');
    const owl = await turnFor('barn owl');
    expect(fox.token).toBe(PERSONAL);
    anaSession = bodyOf(fox).session_id!;
    groupSession = bodyOf(owl).session_id!;
    groupToken = owl.token!;
    expect(groupToken).not.toBe(PERSONAL);
    expect(groupSession).not.toBe(anaSession);
    expect(sim.sessions.get(anaSession)!.token).toBe(PERSONAL);
    expect(sim.sessions.get(groupSession)!.token).toBe(groupToken);
    // every API call naming A's project, its render included, carried A's token (the output URL is a plain CDN GET)
    const anaCalls = sim.requests.filter((r) => r.endpoint !== 'output' && (r.sessionId === anaSession || bodyOf(r).sessionId === anaSession || bodyOf(r).session_id === anaSession));
    expect(anaCalls.some((r) => r.endpoint === 'render_start')).toBe(true);
    expect(anaCalls.filter((r) => r.token !== PERSONAL).map((r) => r.endpoint)).toEqual([]);
  }, 60_000);

  it("the buttons under A's personal result are A's: B pressing Export again is refused (addressed to B) and nothing reaches Nemo", async () => {
    const anaVideo = videosIn(group.id)[0]!;
    const exportAgain = anaVideo.replyMarkup!.inline_keyboard.flat().find((b) => /Export again/.test(b.text))!;
    const renders = sim.requestsTo('render_start').length;
    fake.pressButton({ chatId: group.id, from: ben, messageId: anaVideo.messageId, data: exportAgain.callback_data! });
    const refusal = await lastText(group.id, /only they can use its buttons/, 'the refusal');
    expect(refusal.entities).toEqual([expect.objectContaining({ type: 'text_link', url: `tg://user?id=${ben.id}` })]);
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.requestsTo('render_start')).toHaveLength(renders);
    expect(videosIn(group.id)).toHaveLength(2);
    // Posted again by /show, its buttons are still A's.
    inGroup(ben, '/jobs');
    const id = /#([a-z0-9]{6}) · [^\n]*red fox/.exec((await lastText(group.id, /Recent jobs here/, 'the list')).text!)![1]!;
    inGroup(ben, `/show ${id}`);
    const shown = await fake.waitFor(() => reposts(group.id)[0], 20_000, 'the video posted again');
    const again = shown.replyMarkup!.inline_keyboard.flat().find((b) => /Export again/.test(b.text))!;
    fake.pressButton({ chatId: group.id, from: ben, messageId: shown.messageId, data: again.callback_data! });
    await fake.waitFor(() => posted(group.id, /only they can use its buttons/).length === 2 || undefined, 20_000, 'the second refusal');
    expect(sim.requestsTo('render_start')).toHaveLength(renders);
  }, 40_000);

  it("/credits in the group shows A's own balance to A and the group's to B", async () => {
    sim.setCredits(PERSONAL, 4321);
    inGroup(ana, '/credits');
    await lastText(group.id, /Credits: 4321 available/, "A's balance");
    const reads = sim.requestsTo('credits').length;
    inGroup(ben, '/credits');
    await fake.waitFor(() => posted(group.id, /Credits: \d+ available/).length === 2, 20_000, "B's balance");
    expect(posted(group.id, /Credits: \d+ available/)[1]!.text).toContain('Credits: 200 available');
    expect(sim.requestsTo('credits').slice(reads).every((r) => r.token === groupToken)).toBe(true);
  }, 30_000);

  it("A logging out mid-job does not change that job's account; A's next group job runs under the group's credential", async () => {
    // A slow turn, so the logout lands while A's job runs; the export after it still uses A's account.
    sim.fault({ endpoint: 'run_sse', kind: 'delay', delayMs: 1_500, scope: { token: PERSONAL } });
    inGroup(ana, '@nemo_test_bot make a video of a grey wolf howling');
    const wolf = await turnFor('grey wolf');
    dm(ana, '/logout');
    await lastText(ana.id, /Forgotten/, 'the logout answer');
    const wolfVideo = await videoOf(group.id, 3, "A's wolf video");
    expect(wolf.token).toBe(PERSONAL);
    expect(bodyOf(wolf).session_id).toBe(anaSession); // A's own project in this group, again
    expect(wolfVideo.caption).toContain('4221 left');
    const renders = sim.requestsTo('render_start').filter((r) => bodyOf(r).sessionId === anaSession);
    expect(renders.length).toBe(2);
    expect(renders.at(-1)!.at).toBeGreaterThan(wolf.at);
    expect(renders.every((r) => r.token === PERSONAL)).toBe(true);

    inGroup(ana, '@nemo_test_bot make a video of a brown bear fishing');
    const bearVideo = await videoOf(group.id, 4, "A's bear video");
    const bear = await turnFor('brown bear');
    expect(bear.token).toBe(groupToken);
    expect(bodyOf(bear).session_id).toBe(groupSession); // the group's shared project
    expect(bearVideo.caption).toContain('100 left');
  }, 60_000);

  it('a job waiting while its user logs in or out uses what is stored when it starts', async () => {
    sim.setCredits(groupToken, 1000);
    dm(ana, `/login ${PERSONAL}`);
    await fake.waitFor(() => posted(ana.id, /Saved \(encrypted\)/).length === 2, 20_000, 'the second login answer');
    // B's slow job runs; A's waits behind it in the group's line; A logs out meanwhile.
    sim.fault({ endpoint: 'run_sse', kind: 'delay', delayMs: 1_500, scope: { token: groupToken } });
    inGroup(ben, '@nemo_test_bot make a video of a heron in the reeds');
    await turnFor('heron');
    inGroup(ana, '@nemo_test_bot make a video of a deer in the forest');
    await fake.waitFor(() => cardOf(group.id, 'deer in the forest')?.text?.includes('#2 in line'), 20_000, "A's waiting card");
    dm(ana, '/logout');
    await fake.waitFor(() => posted(ana.id, /Forgotten/).length === 2, 20_000, 'the second logout answer');
    await videoOf(group.id, 6, "A's deer video");
    const deer = await turnFor('deer in the forest');
    expect(deer.token).toBe(groupToken);
    expect(bodyOf(deer).session_id).toBe(groupSession);
  }, 60_000);

  it('/new by a logged-in user starts their own project over and leaves the group\'s alone', async () => {
    dm(ana, `/login ${PERSONAL}`);
    await fake.waitFor(() => posted(ana.id, /Saved \(encrypted\)/).length === 3, 20_000, 'the third login answer');
    inGroup(ana, '/new');
    await lastText(group.id, new RegExp(escape(t('en', 'new.done'))), 'the new-project answer');
    inGroup(ana, '@nemo_test_bot make a video of a snowy owl');
    await videoOf(group.id, 7, "A's video in a new project");
    const snowy = await turnFor('snowy owl');
    expect(snowy.token).toBe(PERSONAL);
    expect(bodyOf(snowy).session_id).not.toBe(anaSession);
    expect(bodyOf(snowy).session_id).not.toBe(groupSession);
    inGroup(ben, '@nemo_test_bot make a video of a kingfisher diving');
    await videoOf(group.id, 8, "B's video");
    expect(bodyOf(await turnFor('kingfisher')).session_id).toBe(groupSession);
  }, 60_000);

  it('a personal token NemoVideo refuses is the user\'s to fix: the failure says /login or /logout, and nothing falls back to the group\'s account', async () => {
    sim.expireToken(PERSONAL);
    const groupCalls = sim.requests.filter((r) => r.token === groupToken).length;
    inGroup(ana, '@nemo_test_bot make a video of a sleepy cat');
    const failure = await lastText(group.id, /did not accept your own token/, 'the failure');
    expect(failure.text).toContain('/login');
    expect(failure.text).toContain('You were not charged.');
    expect(sim.requests.filter((r) => r.token === groupToken).length).toBe(groupCalls);
  }, 30_000);
});

describe('/admin pause holds waiting jobs', () => {
  const group = groupChat(-8300);
  const ivo = makeUser('Ivo', { id: 8301, language_code: 'en' });
  const jin = makeUser('Jin', { id: 8302, language_code: 'en' });
  const inGroup = (from: typeof ivo, text: string) => fake.userText({ chat: group, from, text });
  const paused = (m: SentMessage | undefined) => !!m?.text?.includes(t('en', 'stage.paused'));

  it('a waiting job shows it is paused and never reaches Nemo; /cancel removes it; after resume the next one runs by itself', async () => {
    fake.chats.admins.set(group.id, new Set([ivo.id]));
    // A slow first turn, so the others are still waiting when the admin pauses.
    sim.fault({ endpoint: 'run_sse', kind: 'delay', delayMs: 2_000 });
    inGroup(ivo, '@nemo_test_bot make a video of a sailing boat');
    await turnFor('sailing boat');
    inGroup(jin, '@nemo_test_bot make a video of a lighthouse at night');
    inGroup(ivo, '@nemo_test_bot make a video of a windmill in a field');
    await fake.waitFor(() => cardOf(group.id, 'windmill in a field')?.text?.includes('#3 in line'), 20_000, 'the third card');
    inGroup(ivo, '/admin pause');
    await fake.waitFor(() => posted(group.id, /Queue: ⏸️ paused/).length > 0, 20_000, 'the pause');

    // The running job finishes; the next one holds, saying so, and does not reach Nemo.
    await videoOf(group.id, 1, 'the running job\'s video');
    await fake.waitFor(() => paused(cardOf(group.id, 'lighthouse at night')), 20_000, 'the held card');
    expect(cardOf(group.id, 'lighthouse at night')!.text).toMatch(/keeps its place/);
    // The one behind it keeps its place too, and its card says why it is not moving.
    await fake.waitFor(() => cardOf(group.id, 'windmill in a field')?.text?.includes('#2 in line — paused by an admin'), 20_000, 'the card behind');
    // /cancel by its requester removes the held job; the one behind it holds in turn.
    inGroup(jin, '/cancel');
    await lastText(group.id, /Cancelled 1 job/, 'the cancel answer');
    await fake.waitFor(() => cardOf(group.id, 'lighthouse at night')?.text?.includes('🛑 Cancelled'), 20_000, 'the cancelled card');
    await fake.waitFor(() => paused(cardOf(group.id, 'windmill in a field')), 20_000, 'the next held card');
    await new Promise((r) => setTimeout(r, 4_000)); // longer than a hold's recheck: still held
    expect(turnsFor('lighthouse')).toHaveLength(0);
    expect(turnsFor('windmill')).toHaveLength(0);
    expect(videosIn(group.id)).toHaveLength(1);

    inGroup(ivo, '/admin resume');
    await fake.waitFor(() => posted(group.id, /Queue: running/).length > 0, 20_000, 'the resume');
    const resumedAt = Date.now();
    const windmill = await turnFor('windmill');
    expect(windmill.at - resumedAt).toBeLessThan(5_000);
    await videoOf(group.id, 2, 'the held job\'s video');
    await fake.waitFor(() => cardOf(group.id, 'windmill in a field')?.text?.includes('✅ Done'), 10_000, 'the held job\'s card done');
    expect(turnsFor('lighthouse')).toHaveLength(0);
  }, 90_000);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
