/**
 * Acceptance, end to end: a Telegram user (the fake Bot API) ↔ startTelegramBot (real grammY) ↔ the
 * core runtime (ingress, BullMQ on real Redis, worker) ↔ the Nemo simulator, with replies posted by
 * the Telegram outbox.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramOutbox, startTelegramBot, type TelegramBot } from '../../adapters/telegram/index.js';
import { type Config } from '../../src/config.js';
import { loadConfig } from '../../src/platforms/config.js';
import type { ConversationIngress, IngressResult } from '../../src/core/message.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { dropPrefix, testEnv, uniquePrefix } from '../helpers/harness.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';
import { FakeTelegram, groupChat, makeUser, privateChat, type SentMessage } from '../fakes/telegram/index.js';
import { freePort, sleep, TOKEN, until } from './helpers.js';

const CHILD = fileURLToPath(new URL('./bot-child.ts', import.meta.url));
const JPG = readFileSync(fileURLToPath(new URL('../fixtures/input.jpg', import.meta.url)));
const LEASE_MS = 1500;
const prefix = uniquePrefix('tg-e2e');

let sim: NemoSim;
let fake: FakeTelegram;
let config: Config;
let runtime: Runtime;
let bot: TelegramBot | undefined;

const startBot = (ingress: ConversationIngress, cfg: Config = config) =>
  startTelegramBot({ config: cfg, ingress, redis: runtime.redis, logger: silentLogger, pollTimeoutSeconds: 2 });

/** Every text a chat has shown: messages as sent plus each of their edits. */
const textsIn = (chatId: number) => fake.sent(chatId).flatMap((m) => [m.text ?? m.caption ?? '', ...m.edits]);
const videosIn = (chatId: number) => fake.sent(chatId).filter((m) => m.kind === 'video');
const repliesTo = (chatId: number, messageId: number) => fake.sent(chatId).filter((m) => m.replyTo === messageId);
const buttonsOf = (m: SentMessage) => m.replyMarkup?.inline_keyboard.flat() ?? [];
/** Messages (not edits) the bot posted in a chat whose first text matches. */
const posted = (chatId: number, re: RegExp) => fake.sent(chatId).filter((m) => re.test(m.text ?? m.caption ?? ''));
const CREDITS_ACK = /^💳 Checking your credits/;
const CREDITS_ANSWER = /Credits: \d+ available/;

beforeAll(async () => {
  sim = await startNemoSim({ turnMs: 900, heartbeatMs: 40, renderStepMs: 80 });
  fake = await FakeTelegram.start({ token: TOKEN });
  config = loadConfig(
    testEnv(prefix, {
      NEMO_API_URL: sim.url,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_POLL_LEASE_MS: String(LEASE_MS),
      STILL_WORKING_INTERVAL_MS: '300',
      RENDER_POLL_INTERVAL_MS: '100',
    }),
  );
  const outbox = createTelegramOutbox({ config, logger: silentLogger });
  runtime = await startRuntime({ config, logger: silentLogger, outboxes: { telegram: outbox }, runWorker: true });
  bot = await startBot(runtime.ingress);
  await until(() => bot!.isPolling, 5_000, 'the bot to poll');
});

afterAll(async () => {
  await bot?.stop();
  await runtime?.close();
  await fake?.close();
  await sim?.close();
  await dropPrefix(prefix);
  sim?.assertNoViolations(); // the bot kept the Nemo contract throughout
});

describe('Telegram end to end', () => {
  const hana = makeUser('Hana', { id: 7001, language_code: 'en' });
  const dm = privateChat(hana);

  it('a DM photo with a caption → ack reply, "Still working", then the MP4 with buttons', async () => {
    const u = fake.userPhoto({ chat: dm, from: hana, caption: 'turn this image into a 5-second animated video clip', bytes: JPG });
    const userMsgId = u.message!.message_id;
    const ack = await fake.waitFor(() => repliesTo(hana.id, userMsgId)[0], 5_000, 'the acknowledgement');
    expect(ack.text).toContain('turn this image');
    const video = await fake.waitFor(() => videosIn(hana.id)[0], 30_000, 'the video');
    expect(video.file!.bytes.equals(sim.fixture.bytes)).toBe(true);
    expect(video.file!.supportsStreaming).toBe(true);
    const buttons = buttonsOf(video);
    expect(buttons.length).toBeGreaterThanOrEqual(2);
    expect(buttons.every((b) => b.callback_data?.startsWith('nb:'))).toBe(true);
    expect(textsIn(hana.id).some((t) => t.includes('Still working'))).toBe(true);
    expect(sim.requestsTo('run_sse')).toHaveLength(1);
    // the uploaded input is the photo the user sent (largest size, downloaded with getFile)
    expect(fake.callsTo('getFile').length).toBeGreaterThanOrEqual(1);
    expect(fake.calls.some((c) => c.method === 'download' && c.ok)).toBe(true);
    // the status card (the ack) ends as done, edited in place
    await fake.waitFor(() => ack.text?.includes('✅ Done'), 5_000, 'the card to show done');
  });

  it('pressing "Export again" is answered at once and exports without a new turn', async () => {
    const video = videosIn(hana.id)[0]!;
    const exportButton = buttonsOf(video).find((b) => /Export again/.test(b.text));
    expect(exportButton).toBeDefined();
    const turns = sim.requestsTo('run_sse').length;
    const renders = sim.requestsTo('render_start').length;
    const u = fake.pressButton({ chatId: hana.id, from: hana, messageId: video.messageId, data: exportButton!.callback_data! });
    await fake.waitFor(() => fake.callsTo('answerCallbackQuery').find((c) => c.payload.callback_query_id === u.callback_query!.id), 3_000, 'answerCallbackQuery');
    await fake.waitFor(() => videosIn(hana.id).length === 2, 30_000, 'the second video');
    expect(videosIn(hana.id)[1]!.file!.bytes.equals(sim.fixture.bytes)).toBe(true);
    expect(sim.requestsTo('run_sse').length).toBe(turns);
    expect(sim.requestsTo('render_start').length).toBe(renders + 1);
  });

  it('/credits answers', async () => {
    const u = fake.userText({ chat: dm, from: hana, text: '/credits' });
    await fake.waitFor(() => posted(hana.id, CREDITS_ANSWER)[0], 10_000, 'the credits answer');
    expect(posted(hana.id, CREDITS_ACK).map((m) => m.replyTo)).toEqual([u.message!.message_id]);
    expect(posted(hana.id, CREDITS_ANSWER)).toHaveLength(1);
  });

  it('in a group: ignored without a mention, handled with one', async () => {
    const ivan = makeUser('Ivan', { id: 7002 });
    const group = groupChat(-7001);
    fake.userText({ chat: group, from: ivan, text: 'credits' });
    await sleep(1_500);
    expect(fake.sent(group.id)).toHaveLength(0);
    const u = fake.userText({ chat: group, from: ivan, text: '@nemo_test_bot credits' });
    await fake.waitFor(() => posted(group.id, CREDITS_ANSWER)[0], 10_000, 'the group answer');
    expect(posted(group.id, CREDITS_ACK).map((m) => m.replyTo)).toEqual([u.message!.message_id]);
  });

  it('an album is one request: one ack, one turn, all files uploaded', async () => {
    const jun = makeUser('Jun', { id: 7003, language_code: 'en' });
    const turns = sim.requestsTo('run_sse').length;
    const uploadedFiles = () => [...sim.sessions.values()].flatMap((x) => x.uploads);
    const uploads = uploadedFiles().length;
    const parts = fake.userAlbum({ chat: privateChat(jun), from: jun, caption: 'animate these two photos into a clip', items: [{ kind: 'photo', bytes: JPG }, { kind: 'photo', bytes: JPG }] });
    await fake.waitFor(() => videosIn(jun.id)[0], 30_000, 'the album video');
    const acks = posted(jun.id, /^🎬 Got it!/);
    expect(acks.map((m) => m.replyTo)).toEqual([parts[0]!.message!.message_id]);
    expect(acks[0]!.text).toContain('animate these two photos');
    expect(repliesTo(jun.id, parts[1]!.message!.message_id)).toHaveLength(0);
    expect(videosIn(jun.id)).toHaveLength(1);
    expect(sim.requestsTo('run_sse').length).toBe(turns + 1);
    const newFiles = uploadedFiles().slice(uploads);
    expect(newFiles).toHaveLength(2);
    expect(newFiles.every((f) => f.size === JPG.length)).toBe(true);
  });

  it('a 25 MB document is refused with the core\'s 20 MB message; an .exe with the supported list', async () => {
    const kim = makeUser('Kim', { id: 7004, language_code: 'en' });
    const chat = privateChat(kim);
    const big = fake.userDocument({ chat, from: kim, fileName: 'holiday.mp4', mimeType: 'video/mp4', size: 25 * 1024 * 1024, caption: 'animate this' });
    const refusal = await fake.waitFor(() => repliesTo(kim.id, big.message!.message_id)[0], 5_000, 'the size refusal');
    expect(refusal.text).toMatch(/holiday\.mp4.*20 MB/s);
    const exe = fake.userDocument({ chat, from: kim, fileName: 'setup.exe', mimeType: 'application/x-msdownload', bytes: Buffer.from('MZ'), caption: 'make a video' });
    const typeRefusal = await fake.waitFor(() => repliesTo(kim.id, exe.message!.message_id)[0], 5_000, 'the type refusal');
    expect(typeRefusal.text).toContain('not a supported type');
    expect(typeRefusal.text).toContain('mp4');
    expect(fake.calls.filter((c) => c.method === 'getFile' && fake.chats.files.get(String(c.payload.file_id))?.path.endsWith('.exe'))).toHaveLength(0);
  });

  it('killed after getUpdates returned an update but before enqueueing it → fetched again and handled once', async () => {
    const lee = makeUser('Lee', { id: 7005, language_code: 'en' });
    await bot!.stop();
    let arrivals = 0;
    let dying: TelegramBot | undefined;
    const crashing: ConversationIngress = {
      accept: () => {
        arrivals++;
        dying?.kill(); // the process dies here: nothing enqueued, offset not confirmed
        return new Promise<IngressResult>(() => undefined);
      },
    };
    dying = await startBot(crashing);
    await until(() => dying!.isPolling, LEASE_MS + 3_000, 'the doomed bot to poll');
    const u = fake.userText({ chat: privateChat(lee), from: lee, text: '/credits' });
    await until(() => arrivals === 1, 5_000, 'the update to reach the doomed bot');
    expect(fake.pendingUpdates().map((x) => x.update_id)).toContain(u.update_id);

    bot = await startBot(runtime.ingress);
    await fake.waitFor(() => posted(lee.id, CREDITS_ANSWER)[0], 15_000, 'the answer after takeover');
    await fake.waitFor(() => !fake.pendingUpdates().some((x) => x.update_id === u.update_id), 5_000, 'the update to be confirmed');
    await sleep(500);
    expect(posted(lee.id, CREDITS_ACK).map((m) => m.replyTo)).toEqual([u.message!.message_id]);
    expect(posted(lee.id, CREDITS_ANSWER)).toHaveLength(1);
  });

  it('killed after enqueueing but before the offset was confirmed → fetched again, deduplicated by the core', async () => {
    const mia = makeUser('Mia', { id: 7006, language_code: 'en' });
    await bot!.stop();
    let dying: TelegramBot | undefined;
    const crashAfterEnqueue: ConversationIngress = {
      accept: async (msg) => {
        await runtime.ingress.accept(msg);
        dying?.kill();
        return new Promise<IngressResult>(() => undefined);
      },
    };
    dying = await startBot(crashAfterEnqueue);
    await until(() => dying!.isPolling, LEASE_MS + 3_000, 'the doomed bot to poll');
    const u = fake.userText({ chat: privateChat(mia), from: mia, text: '/credits' });
    await fake.waitFor(() => posted(mia.id, CREDITS_ANSWER)[0], 10_000, 'the answer before the crash');
    bot = await startBot(runtime.ingress);
    await fake.waitFor(() => !fake.pendingUpdates().some((x) => x.update_id === u.update_id), LEASE_MS + 8_000, 'redelivery and confirmation');
    await sleep(500);
    expect(posted(mia.id, CREDITS_ACK).map((m) => m.replyTo)).toEqual([u.message!.message_id]);
    expect(posted(mia.id, CREDITS_ANSWER)).toHaveLength(1);
  });

  it('a bot process SIGKILLed after getUpdates returned an update, before enqueueing → another process handles it once', async () => {
    const oli = makeUser('Oli', { id: 7008, language_code: 'en' });
    await bot!.stop();
    bot = undefined;
    const env = { ...process.env, ...testEnv(prefix, { NEMO_API_URL: sim.url, TELEGRAM_API_ROOT: fake.url, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_POLL_LEASE_MS: String(LEASE_MS), ROLE: 'bot' }) };
    const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.on('message', (m: { polling?: boolean }) => m.polling && resolve());
        child.once('exit', (code) => reject(new Error(`bot child exited early (${code})`)));
      });
      const arrived = new Promise<string>((resolve) => child.on('message', (m: { arrived?: string }) => m.arrived && resolve(m.arrived)));
      const u = fake.userText({ chat: privateChat(oli), from: oli, text: '/credits' });
      expect(await arrived).toBe(String(u.message!.message_id));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(fake.pendingUpdates().map((x) => x.update_id)).toContain(u.update_id);

      bot = await startBot(runtime.ingress);
      await fake.waitFor(() => posted(oli.id, CREDITS_ANSWER)[0], LEASE_MS + 10_000, 'the answer from the surviving process');
      await fake.waitFor(() => !fake.pendingUpdates().some((x) => x.update_id === u.update_id), 5_000, 'confirmation');
      await sleep(500);
      expect(posted(oli.id, CREDITS_ACK).map((m) => m.replyTo)).toEqual([u.message!.message_id]);
      expect(posted(oli.id, CREDITS_ANSWER)).toHaveLength(1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('webhook mode: the right secret is served, a wrong one gets 401', async () => {
    await bot!.stop();
    bot = undefined;
    const port = await freePort();
    const hookUrl = `http://127.0.0.1:${port}/tg`;
    const hookConfig = { ...config, TELEGRAM_WEBHOOK_URL: hookUrl, TELEGRAM_WEBHOOK_SECRET: 'e2e-secret', TELEGRAM_WEBHOOK_PORT: port };
    bot = await startBot(runtime.ingress, hookConfig);
    const nora = makeUser('Nora', { id: 7007, language_code: 'zh-CN' });
    const u = fake.userText({ chat: privateChat(nora), from: nora, text: '/credits' });
    await fake.waitFor(() => posted(nora.id, /积分：可用 \d+/)[0], 10_000, 'the Chinese credits answer');
    expect(posted(nora.id, /^💳 正在查询积分/).map((m) => m.replyTo)).toEqual([u.message!.message_id]);

    const forged = JSON.stringify({ ...u, update_id: u.update_id + 1000, message: { ...u.message, message_id: 999, text: '/credits' } });
    const res = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong' }, body: forged });
    expect(res.status).toBe(401);
    await sleep(800);
    expect(repliesTo(nora.id, 999)).toHaveLength(0);
  });
});
