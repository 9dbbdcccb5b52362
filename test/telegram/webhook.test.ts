/**
 * GIVEN TELEGRAM_WEBHOOK_URL THEN the bot registers the webhook with its secret, serves updates that
 * carry the right X-Telegram-Bot-Api-Secret-Token header, and answers 401 to anything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTelegramBot, type TelegramBot } from '../../adapters/telegram/index.js';
import { silentLogger } from '../../src/log.js';
import { FakeTelegram, makeUser, privateChat } from '../fakes/telegram/index.js';
import { deleteKeys, freePort, newRedis, RecordingIngress, testConfig, TOKEN, uniquePrefix } from './helpers.js';

const SECRET = 'webhook-secret_123';
const prefix = uniquePrefix('webhook');
let fake: FakeTelegram;
let redis: Redis;
let bot: TelegramBot;
let hookUrl: string;
const ingress = new RecordingIngress();
const frank = makeUser('Frank', { id: 5001 });

beforeAll(async () => {
  fake = await FakeTelegram.start({ token: TOKEN });
  redis = newRedis();
  const port = await freePort();
  hookUrl = `http://127.0.0.1:${port}/telegram/hook`;
  bot = await startTelegramBot({
    config: testConfig({ TELEGRAM_API_ROOT: fake.url, QUEUE_PREFIX: prefix, TELEGRAM_WEBHOOK_URL: hookUrl, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_WEBHOOK_PORT: String(port) }),
    ingress,
    redis,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await bot?.stop();
  await fake?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('webhook mode', () => {
  it('registers the webhook with the secret and does not poll', () => {
    expect(bot.mode).toBe('webhook');
    expect(fake.callsTo('setWebhook').at(-1)?.payload).toMatchObject({ url: hookUrl, secret_token: SECRET, allowed_updates: ['message', 'callback_query'], max_connections: 100 });
    expect(fake.callsTo('getUpdates')).toHaveLength(0);
  });

  it('an update delivered by Telegram with the right secret is handled (200)', async () => {
    const u = fake.userText({ chat: privateChat(frank), from: frank, text: 'via webhook' });
    const [msg] = await ingress.waitFor(1);
    expect(msg).toMatchObject({ text: 'via webhook', conversationKey: 'telegram:5001' });
    await fake.waitFor(() => fake.webhookDeliveries.find((d) => d.updateId === u.update_id && d.status === 200), 3_000, 'delivery 200');
  });

  it('an album over several webhook requests becomes one message', async () => {
    const start = ingress.messages.length;
    fake.userAlbum({ chat: privateChat(frank), from: frank, caption: 'two pics', items: [{ kind: 'photo' }, { kind: 'photo' }] });
    const [album] = (await ingress.waitFor(start + 1, 5_000)).slice(start);
    expect(album?.attachments).toHaveLength(2);
  });

  it('a wrong or missing secret gets 401 and nothing is handled; other paths 404', async () => {
    const before = ingress.arrivals;
    const body = JSON.stringify({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private', first_name: 'x' }, from: { id: 1, is_bot: false, first_name: 'x' }, text: 'forged' } });
    const wrong = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'not-the-secret' }, body });
    expect(wrong.status).toBe(401);
    const missing = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(missing.status).toBe(401);
    const elsewhere = await fetch(hookUrl.replace('/telegram/hook', '/other'), { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': SECRET }, body });
    expect(elsewhere.status).toBe(404);
    const garbage = await fetch(hookUrl, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': SECRET }, body: '{"nope":1}' });
    expect(garbage.status).toBe(400);
    expect(ingress.arrivals).toBe(before);
  });

  it('a failing ingress answers 500, so Telegram delivers the update again', async () => {
    const start = ingress.messages.length;
    ingress.failNext = 1;
    const u = fake.userText({ chat: privateChat(frank), from: frank, text: 'retry me' });
    await ingress.waitFor(start + 1, 5_000);
    const statuses = await fake.waitFor(() => {
      const s = fake.webhookDeliveries.filter((d) => d.updateId === u.update_id).map((d) => d.status);
      return s.includes(200) && s;
    }, 3_000, 'a successful redelivery');
    expect(statuses).toEqual([500, 200]);
    expect(ingress.messages.filter((m) => m.text === 'retry me')).toHaveLength(1);
  });
});
