/**
 * GIVEN startTelegramBot long-polling the fake Bot API (real grammY, real Redis) THEN updates reach
 * the ingress once, normalized; albums arrive as one message; buttons are answered at once; the
 * command menu is registered in English and Chinese; offsets are confirmed only after handling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTelegramBot, type TelegramBot } from '../../adapters/telegram/index.js';
import { silentLogger } from '../../src/log.js';
import { COMMANDS } from '../../src/core/commands.js';
import { FakeTelegram, groupChat, makeUser, privateChat } from '../fakes/telegram/index.js';
import { deleteKeys, newRedis, RecordingIngress, testConfig, TOKEN, uniquePrefix, until } from './helpers.js';

const prefix = uniquePrefix('bot');
let fake: FakeTelegram;
let redis: Redis;
let bot: TelegramBot;
const ingress = new RecordingIngress();
const carol = makeUser('Carol', { id: 3001, username: 'carol', language_code: 'zh-CN' });
const dave = makeUser('Dave', { id: 3002 });
const group = groupChat(-3001);

beforeAll(async () => {
  fake = await FakeTelegram.start({ token: TOKEN });
  redis = newRedis();
  bot = await startTelegramBot({
    config: testConfig({ TELEGRAM_API_ROOT: fake.url, QUEUE_PREFIX: prefix, TELEGRAM_POLL_LEASE_MS: '3000' }),
    ingress,
    redis,
    logger: silentLogger,
    pollTimeoutSeconds: 2,
  });
  await until(() => bot.isPolling, 5_000, 'the bot to start polling');
});

afterAll(async () => {
  await bot?.stop();
  await fake?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('start-up', () => {
  it('loads its identity, registers the menu in en (default) and zh, removes a webhook, long-polls', async () => {
    await fake.waitFor(() => fake.callsTo('getUpdates')[0], 3_000, 'the first getUpdates');
    expect(fake.callsTo('getMe')).toHaveLength(1);
    const menus = fake.callsTo('setMyCommands').map((c) => c.payload);
    expect(menus).toHaveLength(2);
    const en = menus.find((p) => p.language_code === undefined)!;
    const zh = menus.find((p) => p.language_code === 'zh')!;
    expect(en.commands).toEqual(COMMANDS.map((c) => ({ command: c.name, description: c.description.en })));
    expect(zh.commands).toEqual(COMMANDS.map((c) => ({ command: c.name, description: c.description.zh })));
    expect(fake.callsTo('deleteWebhook')).toHaveLength(1);
    expect(fake.callsTo('getUpdates')[0]?.payload).toMatchObject({ timeout: 2, allowed_updates: ['message', 'callback_query'] });
  });
});

describe('messages', () => {
  it('a DM reaches the ingress; a group message without mention does not; with mention it does', async () => {
    const start = ingress.messages.length;
    fake.userText({ chat: privateChat(carol), from: carol, text: 'a paper boat in the rain' });
    fake.userText({ chat: group, from: dave, text: 'random chatter' });
    fake.userText({ chat: group, from: dave, text: 'hey @nemo_test_bot animate a paper plane' });
    const msgs = (await ingress.waitFor(start + 2)).slice(start);
    await fake.waitFor(() => fake.pendingUpdates().length === 0, 5_000, 'all updates confirmed');
    expect(ingress.messages.slice(start)).toHaveLength(2);
    expect(msgs[0]).toMatchObject({ conversationKey: 'telegram:3001', text: 'a paper boat in the rain', locale: 'zh-CN', isDirect: true });
    expect(msgs[1]).toMatchObject({ conversationKey: 'telegram:-3001', text: 'hey animate a paper plane', mentionsBot: true });
  });

  it('an album (3 updates) reaches the ingress as one message with 3 attachments', async () => {
    const start = ingress.messages.length;
    const updates = fake.userAlbum({
      chat: privateChat(carol),
      from: carol,
      caption: 'make a slideshow',
      items: [{ kind: 'photo' }, { kind: 'photo' }, { kind: 'video', fileName: 'c.mp4', mimeType: 'video/mp4', bytes: Buffer.from('v') }],
    });
    const [album] = (await ingress.waitFor(start + 1, 5_000)).slice(start);
    expect(album).toMatchObject({ messageId: `album-${updates[0]!.message!.media_group_id}`, text: 'make a slideshow', replyToMessageId: String(updates[0]!.message!.message_id) });
    expect(album!.attachments).toHaveLength(3);
    // Nothing else arrives for the album, and its buffer is gone from Redis.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(ingress.messages.length).toBe(start + 1);
    expect(await redis.zcard(`${prefix}:{telegram:albums}:due`)).toBe(0);
    expect(await redis.keys(`${prefix}:{telegram:albums}:part:*`)).toEqual([]);
  });

  it('a pressed button is answered at once and becomes a button message', async () => {
    const start = ingress.messages.length;
    fake.chats.add(privateChat(carol));
    const sent = fake.chats.send('sendMessage', { chat_id: carol.id, text: 'Your video', reply_markup: { inline_keyboard: [[{ text: 'Export', callback_data: 'nb:exp42' }]] } }, []) as { message_id: number };
    const u = fake.pressButton({ chatId: carol.id, from: carol, messageId: sent.message_id, data: 'nb:exp42' });
    const [msg] = (await ingress.waitFor(start + 1)).slice(start);
    expect(msg).toMatchObject({ button: { id: 'exp42' }, messageId: `cb-${u.callback_query!.id}`, conversationKey: 'telegram:3001' });
    await fake.waitFor(() => fake.callsTo('answerCallbackQuery').find((c) => c.payload.callback_query_id === u.callback_query!.id), 3_000, 'answerCallbackQuery');
  });

  it('a foreign button (not nb:) is still answered, and not passed on', async () => {
    const start = ingress.messages.length;
    const sent = fake.chats.send('sendMessage', { chat_id: carol.id, text: 'old', reply_markup: { inline_keyboard: [[{ text: 'Old', callback_data: 'v1:old' }]] } }, []) as { message_id: number };
    const u = fake.pressButton({ chatId: carol.id, from: carol, messageId: sent.message_id, data: 'v1:old' });
    await fake.waitFor(() => fake.callsTo('answerCallbackQuery').find((c) => c.payload.callback_query_id === u.callback_query!.id), 3_000, 'answerCallbackQuery');
    expect(ingress.messages.length).toBe(start);
  });
});

describe('delivery contract', () => {
  it('an update is confirmed only after the ingress accepted it; a failing ingress gets the update again', async () => {
    const start = ingress.messages.length;
    ingress.hold();
    const u = fake.userText({ chat: privateChat(carol), from: carol, text: 'hold me' });
    await until(() => ingress.arrivals > 0 && fake.callsTo('getUpdates').some((c) => c.at > Date.now() - 5000), 3_000, 'the update to arrive');
    await new Promise((r) => setTimeout(r, 300));
    // Still being handled: not confirmed.
    expect(fake.pendingUpdates().map((x) => x.update_id)).toContain(u.update_id);
    ingress.failNext = 1; // the first try fails after the gate opens, the retry succeeds
    ingress.open();
    const msgs = await ingress.waitFor(start + 1, 5_000);
    expect(msgs.at(-1)?.text).toBe('hold me');
    await fake.waitFor(() => !fake.pendingUpdates().some((x) => x.update_id === u.update_id), 5_000, 'the update to be confirmed');
    expect(ingress.messages.filter((m) => m.text === 'hold me')).toHaveLength(1);
  });
});
