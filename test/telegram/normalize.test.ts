/**
 * GIVEN realistic Telegram updates (built like the Bot API builds them) THEN normalizeUpdate turns
 * them into the IncomingMessage the core expects, or ignores what is not for the bot.
 */
import { describe, expect, it } from 'vitest';
import type { Update, User } from 'grammy/types';
import { commandMenu, mergeAlbum, normalizeUpdate, parseCommand, type AlbumPart, type Normalized } from '../../adapters/telegram/index.js';
import { COMMANDS } from '../../src/core/commands.js';
import type { IncomingMessage } from '../../src/core/message.js';
import { FakeChats, groupChat, makeUser, privateChat } from '../fakes/telegram/index.js';

const botUser: User = { id: 123456789, is_bot: true, first_name: 'Nemo', username: 'nemo_test_bot' };
const bot = { id: botUser.id, username: 'nemo_test_bot' };
const alice = makeUser('Alice', { id: 1001, username: 'alice', language_code: 'zh-hans' });
const bob = makeUser('Bob', { id: 1002, language_code: 'en' });

let seq = 1;
const upd = (message: unknown): Update => ({ update_id: seq++, message }) as Update;

function asMessage(n: Normalized): IncomingMessage {
  if (n.kind !== 'message') throw new Error(`expected a message, got ${n.kind}${n.kind === 'ignore' ? ` (${n.reason})` : ''}`);
  return n.message;
}

describe('normalizeUpdate: addressing', () => {
  it('DM text: every message is for the bot', () => {
    const chats = new FakeChats(botUser);
    const m = asMessage(normalizeUpdate(upd(chats.textMessage({ chat: privateChat(alice), from: alice, text: 'a cat surfing at sunset' })), bot, 42));
    expect(m).toMatchObject({
      platform: 'telegram',
      conversationKey: 'telegram:1001',
      chatId: '1001',
      userId: '1001',
      userName: 'alice',
      messageId: '1',
      replyToMessageId: '1',
      text: 'a cat surfing at sunset',
      attachments: [],
      locale: 'zh-hans',
      isDirect: true,
      mentionsBot: false,
      receivedAt: 42,
    });
    expect(m.threadId).toBeUndefined();
    expect(m.command).toBeUndefined();
  });

  it('group message without a mention is ignored', () => {
    const chats = new FakeChats(botUser);
    const n = normalizeUpdate(upd(chats.textMessage({ chat: groupChat(-1001), from: bob, text: 'lunch anyone?' })), bot);
    expect(n).toEqual({ kind: 'ignore', reason: 'group message not addressed to the bot' });
  });

  it('group message mentioning the bot is handled, the mention removed from the prompt', () => {
    const chats = new FakeChats(botUser);
    const m = asMessage(normalizeUpdate(upd(chats.textMessage({ chat: groupChat(-1001), from: bob, text: '@nemo_test_bot make a video of a dog' })), bot));
    expect(m).toMatchObject({ conversationKey: 'telegram:-1001', isDirect: false, mentionsBot: true, text: 'make a video of a dog', locale: 'en', userName: 'Bob' });
  });

  it('mentioning another user is not mentioning the bot', () => {
    const chats = new FakeChats(botUser);
    const n = normalizeUpdate(upd(chats.textMessage({ chat: groupChat(-1001), from: bob, text: '@nemo_test_bot_fan hi' })), bot);
    expect(n.kind).toBe('ignore');
  });

  it('a text_mention of the bot (no username) counts', () => {
    const chats = new FakeChats(botUser);
    const msg = chats.textMessage({ chat: groupChat(-1001), from: bob, text: 'Nemo animate this' });
    (msg as Record<string, unknown>).entities = [{ type: 'text_mention', offset: 0, length: 4, user: botUser }];
    expect(asMessage(normalizeUpdate(upd(msg), bot)).mentionsBot).toBe(true);
  });

  it('a reply to the bot is handled', () => {
    const chats = new FakeChats(botUser);
    const chat = groupChat(-1002);
    chats.textMessage({ chat, from: bob, text: 'hello' });
    const sent = chats.send('sendMessage', { chat_id: chat.id, text: 'Your video is ready' }, []);
    const reply = chats.textMessage({ chat, from: bob, text: 'make it longer', replyTo: (sent as { message_id: number }).message_id });
    expect(asMessage(normalizeUpdate(upd(reply), bot))).toMatchObject({ text: 'make it longer', mentionsBot: true });
  });

  it('a reply to someone else is ignored in groups', () => {
    const chats = new FakeChats(botUser);
    const chat = groupChat(-1003);
    const first = chats.textMessage({ chat, from: alice, text: 'hi' });
    const reply = chats.textMessage({ chat, from: bob, text: 'hey', replyTo: first.message_id as number });
    expect(normalizeUpdate(upd(reply), bot).kind).toBe('ignore');
  });

  it('commands: /video@botname in a group → command with args, @botname stripped', () => {
    const chats = new FakeChats(botUser);
    const m = asMessage(normalizeUpdate(upd(chats.textMessage({ chat: groupChat(-1004), from: bob, text: '/video@nemo_test_bot a rocket launch' })), bot));
    expect(m.command).toEqual({ name: 'video', args: 'a rocket launch' });
    expect(m.text).toBe('/video a rocket launch');
    expect(m.mentionsBot).toBe(true);
  });

  it('commands: bare known command in a group is ours; for another bot or unknown it is not', () => {
    const chats = new FakeChats(botUser);
    const g = groupChat(-1005);
    expect(asMessage(normalizeUpdate(upd(chats.textMessage({ chat: g, from: bob, text: '/CREDITS' })), bot)).command).toEqual({ name: 'credits', args: '' });
    expect(normalizeUpdate(upd(chats.textMessage({ chat: g, from: bob, text: '/video@other_bot cats' })), bot)).toEqual({ kind: 'ignore', reason: 'command for another bot' });
    expect(normalizeUpdate(upd(chats.textMessage({ chat: g, from: bob, text: '/roll 2d6' })), bot).kind).toBe('ignore');
    // In a DM an unknown command is passed on as text; the core answers it.
    const dm = asMessage(normalizeUpdate(upd(chats.textMessage({ chat: privateChat(bob), from: bob, text: '/roll 2d6' })), bot));
    expect(dm.command).toBeUndefined();
    expect(dm.text).toBe('/roll 2d6');
  });

  it('every command of the menu parses', () => {
    for (const c of COMMANDS) expect(parseCommand(`/${c.name}@nemo_test_bot x`, 'nemo_test_bot')).toMatchObject({ name: c.name, args: 'x', known: true, explicitTarget: true });
    expect(parseCommand('/videos', 'nemo_test_bot')?.known).toBe(false);
    expect(parseCommand('hello /video', 'nemo_test_bot')).toBeUndefined();
    expect(commandMenu('zh').find((c) => c.command === 'credits')?.description).toBe('查看积分余额');
  });

  it('messages from bots, stickers and unsupported update types are ignored', () => {
    const chats = new FakeChats(botUser);
    const fromBot = chats.textMessage({ chat: privateChat(alice), from: { ...alice, is_bot: true }, text: 'hi' });
    expect(normalizeUpdate(upd(fromBot), bot).kind).toBe('ignore');
    const sticker = { ...chats.textMessage({ chat: privateChat(alice), from: alice, text: 'x' }), text: undefined, entities: undefined, sticker: { file_id: 's' } };
    expect(normalizeUpdate(upd(sticker), bot)).toMatchObject({ kind: 'ignore' });
    expect(normalizeUpdate({ update_id: 1, edited_message: {} } as Update, bot)).toMatchObject({ kind: 'ignore', reason: 'unsupported update type' });
  });
});

describe('normalizeUpdate: files', () => {
  it('photo: the largest size (by pixels, whatever the order), named photo_<unique>.jpg, caption as text', () => {
    const chats = new FakeChats(botUser);
    const msg = chats.photoMessage({
      chat: privateChat(alice),
      from: alice,
      caption: 'turn this into a clip',
      sizes: [{ width: 320, height: 240 }, { width: 1280, height: 960 }, { width: 90, height: 67 }],
      bytes: Buffer.from('big'),
    });
    const m = asMessage(normalizeUpdate(upd(msg), bot));
    const big = (msg.photo as Array<{ width: number; file_id: string; file_unique_id: string; file_size: number }>).find((p) => p.width === 1280)!;
    expect(m.text).toBe('turn this into a clip');
    expect(m.attachments).toEqual([{ name: `photo_${big.file_unique_id}.jpg`, mimeType: 'image/jpeg', sizeBytes: big.file_size, source: { kind: 'platform', ref: big.file_id } }]);
  });

  it('document, video, audio keep name / mime / size; an animation is one file, not two', () => {
    const chats = new FakeChats(botUser);
    const chat = privateChat(alice);
    const doc = asMessage(normalizeUpdate(upd(chats.documentMessage({ chat, from: alice, fileName: 'clip.mov', mimeType: 'video/quicktime', size: 25 * 1024 * 1024 })), bot));
    expect(doc.attachments).toEqual([{ name: 'clip.mov', mimeType: 'video/quicktime', sizeBytes: 25 * 1024 * 1024, source: { kind: 'platform', ref: expect.stringMatching(/^FILEID-/) } }]);
    const vid = asMessage(normalizeUpdate(upd(chats.documentMessage({ chat, from: alice, kind: 'video', mimeType: 'video/mp4', size: 1000 })), bot));
    expect(vid.attachments[0]?.name).toMatch(/^video_.+\.mp4$/);
    const gif = asMessage(normalizeUpdate(upd(chats.documentMessage({ chat, from: alice, kind: 'animation', fileName: 'fun.mp4', mimeType: 'video/mp4', size: 10 })), bot));
    expect(gif.attachments).toHaveLength(1);
    const audio = asMessage(normalizeUpdate(upd(chats.documentMessage({ chat, from: alice, kind: 'audio', mimeType: 'audio/mpeg', size: 10 })), bot));
    expect(audio.attachments[0]).toMatchObject({ mimeType: 'audio/mpeg', name: expect.stringMatching(/^audio_.+\.mp3$/) });
  });

  it('a group photo captioned with a mention is handled', () => {
    const chats = new FakeChats(botUser);
    const m = asMessage(normalizeUpdate(upd(chats.photoMessage({ chat: groupChat(-1006), from: bob, caption: '@nemo_test_bot animate' })), bot));
    expect(m.text).toBe('animate');
    expect(m.attachments).toHaveLength(1);
  });
});

describe('albums', () => {
  it('album parts normalize separately and merge into one message with all files and the caption', () => {
    const chats = new FakeChats(botUser);
    const msgs = chats.albumMessages({
      chat: groupChat(-1007),
      from: bob,
      caption: '@nemo_test_bot make a slideshow',
      items: [{ kind: 'photo' }, { kind: 'photo' }, { kind: 'video', fileName: 'b.mp4', mimeType: 'video/mp4' }],
    });
    const parts = msgs.map((m) => normalizeUpdate(upd(m), bot));
    expect(parts.every((p) => p.kind === 'album-part')).toBe(true);
    const group = (parts[0] as { mediaGroupId: string }).mediaGroupId;
    const albumParts = parts.map((p) => (p as { part: AlbumPart }).part);
    expect(albumParts.map((p) => p.addressed)).toEqual([true, false, false]);
    const merged = mergeAlbum(group, [...albumParts].reverse())!;
    expect(merged).toMatchObject({ messageId: `album-${group}`, text: 'make a slideshow', mentionsBot: true, replyToMessageId: String(msgs[0]!.message_id), isDirect: false });
    expect(merged.attachments.map((a) => a.name)).toEqual([expect.stringMatching(/^photo_/), expect.stringMatching(/^photo_/), 'b.mp4']);
  });

  it('a group album nobody addressed to the bot merges to nothing; in a DM it always counts', () => {
    const chats = new FakeChats(botUser);
    const g = chats.albumMessages({ chat: groupChat(-1008), from: bob, caption: 'holiday', items: [{ kind: 'photo' }, { kind: 'photo' }] });
    const gp = g.map((m) => (normalizeUpdate(upd(m), bot) as { part: AlbumPart }).part);
    expect(mergeAlbum('x', gp)).toBeUndefined();
    const d = chats.albumMessages({ chat: privateChat(bob), from: bob, items: [{ kind: 'photo' }, { kind: 'photo' }] });
    const dp = d.map((m) => (normalizeUpdate(upd(m), bot) as { part: AlbumPart }).part);
    expect(mergeAlbum('y', dp)?.attachments).toHaveLength(2);
  });
});

describe('forum topics and buttons', () => {
  it('a topic message keys the conversation by chat + topic; the topic "reply" is not a reply to the bot', () => {
    const chats = new FakeChats(botUser);
    const forum = groupChat(-1009, { forum: true });
    const plain = chats.textMessage({ chat: forum, from: bob, text: 'not for the bot', threadId: 77 });
    expect(normalizeUpdate(upd(plain), bot).kind).toBe('ignore');
    const m = asMessage(normalizeUpdate(upd(chats.textMessage({ chat: forum, from: bob, text: '@nemo_test_bot hi', threadId: 77 })), bot));
    expect(m).toMatchObject({ conversationKey: 'telegram:-1009:77', chatId: '-1009', threadId: '77' });
  });

  it('a pressed nb: button becomes a button message with messageId cb-<id>; other data is only answered', () => {
    const chats = new FakeChats(botUser);
    const chat = privateChat(alice);
    chats.textMessage({ chat, from: alice, text: 'hi' });
    const sent = chats.send('sendMessage', { chat_id: chat.id, text: 'done', reply_markup: { inline_keyboard: [[{ text: 'Export', callback_data: 'nb:abc' }]] } }, []) as { message_id: number };
    const message = chats.get(chat.id, sent.message_id);
    const n = normalizeUpdate({ update_id: 9, callback_query: { id: '4242', from: alice, message, chat_instance: 'c', data: 'nb:abc' } } as Update, bot);
    expect(n).toMatchObject({
      kind: 'button',
      callbackQueryId: '4242',
      message: { messageId: 'cb-4242', button: { id: 'abc' }, conversationKey: 'telegram:1001', replyToMessageId: String(sent.message_id), isDirect: true, text: '' },
    });
    const other = normalizeUpdate({ update_id: 10, callback_query: { id: '4243', from: alice, message, chat_instance: 'c', data: 'legacy:1' } } as Update, bot);
    expect(other).toEqual({ kind: 'button', callbackQueryId: '4243' });
  });
});
