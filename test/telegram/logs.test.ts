/**
 * GIVEN a debug-level logger capturing every line while the bot and the outbox run into all kinds of
 * failures (network down, 4xx, 5xx, 429, forged webhook calls, a rejected token) THEN neither the bot
 * token nor the webhook secret appears anywhere in the logs or in the errors handed to the core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createTelegramOutbox, startTelegramBot, type TelegramBot } from '../../adapters/telegram/index.js';
import type { ChatTarget } from '../../src/core/outbox.js';
import { FakeTelegram, makeUser, privateChat } from '../fakes/telegram/index.js';
import { captureLogger, deleteKeys, freePort, newRedis, RecordingIngress, testConfig, TOKEN, uniquePrefix, until } from './helpers.js';

const SECRET = 'very-secret-webhook-token';
const TOKEN_TAIL = TOKEN.split(':')[1]!;
const prefix = uniquePrefix('logs');
let fake: FakeTelegram;
let redis: Redis;
const bots: TelegramBot[] = [];
const cap = captureLogger();
const gina = makeUser('Gina', { id: 6001 });
const dm: ChatTarget = { platform: 'telegram', conversationKey: 'telegram:6001', chatId: '6001', isDirect: true, lang: 'en' };

beforeAll(async () => {
  fake = await FakeTelegram.start({ token: TOKEN });
  redis = newRedis();
});

afterAll(async () => {
  for (const b of bots) await b.stop().catch(() => undefined);
  await fake?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

function expectClean(text: string): void {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(TOKEN_TAIL);
  expect(text).not.toContain(encodeURIComponent(TOKEN));
  expect(text).not.toContain(SECRET);
}

describe('no secrets in logs', () => {
  it('bot + outbox failures are logged without the token or webhook secret', async () => {
    const errors: unknown[] = [];
    const log = cap.logger;
    const ingress = new RecordingIngress();

    // Polling bot whose getUpdates and handlers fail now and then.
    fake.failNext('getUpdates', { error_code: 502, description: 'Bad Gateway' });
    const bot = await startTelegramBot({ config: testConfig({ TELEGRAM_API_ROOT: fake.url, QUEUE_PREFIX: prefix, TELEGRAM_POLL_LEASE_MS: '1500' }), ingress, redis, logger: log, pollTimeoutSeconds: 1 });
    bots.push(bot);
    await until(() => bot.isPolling, 3_000, 'polling');
    ingress.failNext = 1;
    fake.userText({ chat: privateChat(gina), from: gina, text: 'hello' });
    await ingress.waitFor(1, 6_000);

    // Outbox calls that fail in every way.
    const outbox = createTelegramOutbox({ config: testConfig({ TELEGRAM_API_ROOT: fake.url }), logger: log });
    const photo = fake.userPhoto({ chat: privateChat(gina), from: gina }).message!.photo!.at(-1)!;
    const { url } = await outbox.resolveAttachment({ name: 'p.jpg', source: { kind: 'platform', ref: photo.file_id } });
    expect(url).toContain(TOKEN); // by design: the URL is for the downloader only...
    errors.push(await outbox.resolveAttachment({ name: 'x', source: { kind: 'platform', ref: 'bad' } }).catch((e: unknown) => e));
    fake.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    errors.push(await outbox.sendText(dm, 'x').catch((e: unknown) => e));
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 600', retry_after: 600 });
    errors.push(await outbox.sendText(dm, 'x').catch((e: unknown) => e));
    await outbox.sendAction(dm, 'working');

    // Network down: the fetch error inside grammY names the URL with the token.
    const down = createTelegramOutbox({ config: testConfig({ TELEGRAM_API_ROOT: `http://127.0.0.1:${await freePort()}` }), logger: log });
    errors.push(await down.sendText(dm, 'x').catch((e: unknown) => e));
    await down.sendAction(dm, 'working');

    // A rejected token at start-up.
    errors.push(await startTelegramBot({ config: testConfig({ TELEGRAM_API_ROOT: fake.url, TELEGRAM_BOT_TOKEN: '123456789:AAF-wrong-token-value-abcdef', QUEUE_PREFIX: prefix }), ingress, redis, logger: log }).catch((e: unknown) => e));

    // Webhook mode with a forged call.
    const port = await freePort();
    const hook = await startTelegramBot({
      config: testConfig({ TELEGRAM_API_ROOT: fake.url, QUEUE_PREFIX: `${prefix}-hook`, TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/h`, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_WEBHOOK_PORT: String(port) }),
      ingress,
      redis,
      logger: log,
    });
    bots.push(hook);
    expect((await fetch(`http://127.0.0.1:${port}/h`, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': 'guess' }, body: '{}' })).status).toBe(401);

    // The core logs what it gets from us.
    for (const err of errors) {
      expect(err).toBeInstanceOf(Error);
      log.error({ err }, 'core saw a telegram failure');
    }
    expectClean(errors.map((e) => `${String(e)} ${(e as Error).stack ?? ''} ${JSON.stringify(e)}`).join('\n'));

    const text = cap.text();
    expect(cap.lines().filter((l) => l.level === 50).length).toBeGreaterThanOrEqual(errors.length);
    expect(text).toContain('getUpdates failed');
    expect(text).toContain('wrong or missing secret');
    expectClean(text);
  });
});
