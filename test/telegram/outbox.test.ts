/**
 * GIVEN the Telegram outbox on real grammY against the fake Bot API THEN replies, edits, uploads,
 * buttons, retries and file resolution behave as the core relies on.
 */
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramOutbox, TelegramApiError } from '../../adapters/telegram/index.js';
import type { ChatTarget, Outbox } from '../../src/core/outbox.js';
import { pacedOutbox } from '../../src/core/edit-pacer.js';
import { silentLogger } from '../../src/log.js';
import { FakeTelegram, groupChat, makeUser, privateChat } from '../fakes/telegram/index.js';
import { testConfig, TOKEN } from './helpers.js';

let fake: FakeTelegram;
let outbox: Outbox;
let dir: string;
const alice = makeUser('Alice', { id: 2001, language_code: 'en' });
const bob = makeUser('Bob', { id: 2002 });
const group = groupChat(-2001);
const forum = groupChat(-2002, { forum: true });

const dm: ChatTarget = { platform: 'telegram', conversationKey: 'telegram:2001', chatId: '2001', isDirect: true, lang: 'en', userId: '2001' };
const grp: ChatTarget = { platform: 'telegram', conversationKey: 'telegram:-2001', chatId: '-2001', isDirect: false, lang: 'en', userId: '2002' };
const topic: ChatTarget = { platform: 'telegram', conversationKey: 'telegram:-2002:55', chatId: '-2002', threadId: '55', isDirect: false, lang: 'en' };

beforeAll(async () => {
  fake = await FakeTelegram.start({ token: TOKEN });
  // Edits are paced by the core's one EditPacer at the rates the adapter states (as in the runtime).
  outbox = pacedOutbox(createTelegramOutbox({ config: testConfig({ TELEGRAM_API_ROOT: fake.url, QUEUE_PREFIX: 'tg-outbox' }), logger: silentLogger, editIntervalMs: { group: 600, direct: 200 } }));
  dir = mkdtempSync(join(tmpdir(), 'tg-outbox-'));
  // Users talk first, so the fake knows the chats.
  fake.userText({ chat: privateChat(alice), from: alice, text: 'hi' });
  fake.userText({ chat: group, from: bob, text: 'hi' });
  fake.userText({ chat: forum, from: bob, text: 'hi', threadId: 55 });
});

afterAll(async () => {
  await fake.close();
});

describe('limits', () => {
  it('reports Telegram limits from the config', async () => {
    const o = createTelegramOutbox({ config: testConfig({ TELEGRAM_API_ROOT: fake.url, TELEGRAM_MAX_UPLOAD_MB: '50', TELEGRAM_MAX_DOWNLOAD_MB: '20' }), logger: silentLogger });
    expect(o.platform).toBe('telegram');
    expect(o.limits).toEqual({ textMaxChars: 4096, captionMaxChars: 1024, minEditIntervalMs: 3000, minEditIntervalDirectMs: 1000, maxDownloadBytes: 20 * 1024 * 1024, videoThumbnails: true });
    expect(await o.maxUploadBytes(dm)).toBe(50 * 1024 * 1024);
  });
});

describe('sendText', () => {
  it('acknowledges as a reply (tolerating a deleted original) with nb: buttons', async () => {
    const ref = await outbox.sendText(dm, 'Got it — working on your video', { replyTo: '1', buttons: [[{ id: 'cancel1', label: 'Cancel' }]] });
    const m = fake.sent(2001).find((s) => s.messageId === Number(ref.messageId))!;
    expect(m).toMatchObject({ kind: 'text', text: 'Got it — working on your video', replyTo: 1, replyMarkup: { inline_keyboard: [[{ text: 'Cancel', callback_data: 'nb:cancel1' }]] } });
    const call = fake.callsTo('sendMessage').at(-1)!;
    expect(call.payload.reply_parameters).toEqual({ message_id: 1, allow_sending_without_reply: true });
    // Replying to a message that no longer exists still posts.
    await expect(outbox.sendText(dm, 'still here', { replyTo: '999' })).resolves.toMatchObject({ chatId: '2001' });
  });

  it('posts into the forum topic, and mentions the requester in groups when not replying', async () => {
    const ref = await outbox.sendText(topic, 'in the topic');
    expect(fake.sent(-2002).find((s) => s.messageId === Number(ref.messageId))?.threadId).toBe(55);
    await outbox.sendText(grp, 'your video', { mentionUserId: '2002' });
    const m = fake.sent(-2001).at(-1)!;
    expect(m.text?.startsWith('🔔 ')).toBe(true);
    expect(m.entities).toEqual([{ type: 'text_link', offset: 0, length: 2, url: 'tg://user?id=2002' }]);
  });

  it('cuts over-long text to 4096 characters', async () => {
    await outbox.sendText(dm, 'x'.repeat(5000));
    expect(fake.sent(2001).at(-1)?.text).toHaveLength(4096);
  });

  it('refuses a button id that would not fit callback_data', async () => {
    await expect(outbox.sendText(dm, 'x', { buttons: [[{ id: 'y'.repeat(70), label: 'Y' }]] })).rejects.toThrow(/callback_data/);
  });
});

describe('editText', () => {
  it('skips identical text, paces edits per chat without blocking the caller, keeps only the newest waiting text', async () => {
    const ref = await outbox.sendText(grp, 'Queued');
    const before = fake.callsTo('editMessageText').length;
    await outbox.editText(grp, ref, 'Queued'); // identical to what was sent: no call
    expect(fake.callsTo('editMessageText').length).toBe(before);

    await outbox.editText(grp, ref, 'Generating 10%'); // free slot: sent now
    expect(fake.callsTo('editMessageText').length).toBe(before + 1);
    await outbox.editText(grp, ref, 'Generating 20%'); // must wait: scheduled, returns at once
    await outbox.editText(grp, ref, 'Generating 30%'); // replaces 20% while it waits
    // Both returned before their slot: had either waited for it, its edit would be sent by now.
    expect(fake.callsTo('editMessageText').length).toBe(before + 1);
    await fake.waitFor(() => fake.callsTo('editMessageText').length === before + 2, 3_000, 'the paced edit');
    await new Promise((r) => setTimeout(r, 700));
    const edits = fake.callsTo('editMessageText').slice(before);
    expect(edits.map((c) => c.payload.text)).toEqual(['Generating 10%', 'Generating 30%']);
    expect(edits[1]!.at - edits[0]!.at).toBeGreaterThanOrEqual(550);

    // Another outbox (another worker) does not know the text: Telegram says "not modified" → fine.
    const other = createTelegramOutbox({ config: testConfig({ TELEGRAM_API_ROOT: fake.url }), logger: silentLogger });
    await expect(other.editText(grp, ref, 'Generating 30%')).resolves.toBeUndefined();
    expect(fake.callsTo('editMessageText').at(-1)).toMatchObject({ ok: false, errorCode: 400 });
  });

  it('a scheduled edit of a message deleted meanwhile is dropped', async () => {
    const ref = await outbox.sendText(grp, 'card');
    await outbox.editText(grp, ref, 'card 1');
    await outbox.editText(grp, ref, 'card 2'); // scheduled
    await outbox.deleteMessage(grp, ref);
    await new Promise((r) => setTimeout(r, 900));
    expect(fake.callsTo('editMessageText').filter((c) => c.payload.message_id === Number(ref.messageId)).map((c) => c.payload.text)).toEqual(['card 1']);
  });

  it('edits buttons away when none are given, and DMs pace faster than groups', async () => {
    const ref = await outbox.sendText(dm, 'Working', { buttons: [[{ id: 'c', label: 'Cancel' }]] });
    await outbox.editText(dm, ref, 'Working', { buttons: [[{ id: 'c', label: 'Cancel' }]] }); // same text + buttons: skipped
    await outbox.editText(dm, ref, 'Done');
    await outbox.editText(dm, ref, 'Done!');
    await fake.waitFor(() => fake.sent(2001).find((s) => s.messageId === Number(ref.messageId) && s.text === 'Done!'), 5_000, 'the DM edit');
    // Paced at the DM interval (200 ms here), not the group one (600 ms): the gap the fake saw.
    const dmEdits = fake.callsTo('editMessageText').filter((c) => c.payload.message_id === Number(ref.messageId));
    expect(dmEdits.at(-1)!.at - dmEdits.at(-2)!.at).toBeLessThan(600);
    expect(fake.sent(2001).find((s) => s.messageId === Number(ref.messageId))).toMatchObject({ text: 'Done!', edits: ['Done', 'Done!'] });
    expect(fake.sent(2001).find((s) => s.messageId === Number(ref.messageId))?.replyMarkup).toBeUndefined();
  });

  it('a real failure (message gone) is reported as a clean TelegramApiError', async () => {
    // An edit that may go at once (no recent edit in this chat) reports its outcome to the caller.
    const err = await outbox.editText(topic, { chatId: '-2002', messageId: '99999' }, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramApiError);
    expect(String((err as Error).message)).toContain('message to edit not found');
    expect(JSON.stringify(err)).not.toContain(TOKEN.split(':')[1]);
  });
});

describe('deleteMessage', () => {
  it('deletes, and deleting twice is not an error', async () => {
    const ref = await outbox.sendText(dm, 'temporary');
    await outbox.deleteMessage(dm, ref);
    expect(fake.sent(2001).find((s) => s.messageId === Number(ref.messageId))?.deleted).toBe(true);
    await expect(outbox.deleteMessage(dm, ref)).resolves.toBeUndefined();
  });
});

describe('sendVideo', () => {
  const video = () => {
    const path = join(dir, `clip-${Math.random()}.mp4`);
    const bytes = Buffer.concat([Buffer.from('ftypisom'), Buffer.alloc(300_000, 7), Buffer.from('end')]);
    writeFileSync(path, bytes);
    return { path, bytes };
  };

  it('uploads the file bytes with streaming flag, size, duration, caption (≤1024) and buttons; the indicator is left to the core', async () => {
    const { path, bytes } = video();
    const actionsBefore = fake.callsTo('sendChatAction').length;
    const ref = await outbox.sendVideo(dm, {
      path,
      sizeBytes: bytes.length,
      fileName: 'my video (final).mp4',
      caption: 'c'.repeat(1500),
      width: 1280,
      height: 720,
      durationS: 5.4,
      replyTo: '1',
      buttons: [[{ id: 'exp1', label: 'Export again' }]],
    });
    const m = fake.sent(2001).find((s) => s.messageId === Number(ref.messageId))!;
    expect(m.kind).toBe('video');
    expect(m.file?.bytes.equals(bytes)).toBe(true);
    expect(m.file).toMatchObject({ width: 1280, height: 720, duration: 5, supportsStreaming: true, filename: 'my_video_final_.mp4' });
    expect(m.caption).toHaveLength(1024);
    expect(m.replyMarkup).toEqual({ inline_keyboard: [[{ text: 'Export again', callback_data: 'nb:exp1' }]] });
    expect(m.replyTo).toBe(1);
    // One "uploading video" indicator, the core's (StatusCard.during; test/core/pipeline.test.ts), not a second one here.
    expect(fake.callsTo('sendChatAction').length - actionsBefore).toBe(0);
  });

  it('a 429 with retry_after is waited out and the upload retried: exactly one video delivered', async () => {
    const { path, bytes } = video();
    const before = fake.callsTo('sendVideo').length;
    const sentBefore = fake.sent(2001).filter((s) => s.kind === 'video').length;
    fake.failNext('sendVideo', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    const t0 = Date.now();
    await outbox.sendVideo(dm, { path, sizeBytes: bytes.length, fileName: 'a.mp4' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const calls = fake.callsTo('sendVideo').slice(before);
    expect(calls.map((c) => c.ok)).toEqual([false, true]);
    // Both attempts carried the whole file (the supplier re-opened it).
    expect(calls.map((c) => c.files[0]?.size)).toEqual([bytes.length, bytes.length]);
    const videos = fake.sent(2001).filter((s) => s.kind === 'video');
    expect(videos.length - sentBefore).toBe(1);
    expect(videos.at(-1)?.file?.bytes.equals(bytes)).toBe(true);
  });

  it('attaches the thumbnail as a JPEG part of the upload (again on a 429 retry); a re-post by file_id sends none', async () => {
    const { path, bytes } = video();
    const thumbnail = readFileSync(new URL('../fixtures/input.jpg', import.meta.url));
    const before = fake.callsTo('sendVideo').length;
    fake.failNext('sendVideo', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    const ref = await outbox.sendVideo(dm, { path, sizeBytes: bytes.length, fileName: 'a.mp4', thumbnail });
    const calls = fake.callsTo('sendVideo').slice(before);
    expect(calls.map((c) => c.files.find((f) => `attach://${f.field}` === c.payload.thumbnail)?.size)).toEqual([thumbnail.length, thumbnail.length]);
    const m = fake.sent(2001).find((s) => s.messageId === Number(ref.messageId))!;
    expect(m.file?.thumbnail?.bytes.equals(thumbnail)).toBe(true);
    expect(m.file?.thumbnail?.filename).toBe('thumb.jpg');

    const again = await outbox.sendVideo(dm, { path, fileRef: ref.fileRef!, sizeBytes: bytes.length, fileName: 'a.mp4', thumbnail });
    const call = fake.callsTo('sendVideo').at(-1)!;
    expect(call.payload.thumbnail).toBeUndefined();
    expect(call.files).toEqual([]);
    expect(fake.sent(2001).find((s) => s.messageId === Number(again.messageId))!.file?.bytes.equals(bytes)).toBe(true);
  });

  it('any other failure is not retried (the video might have been posted)', async () => {
    const { path, bytes } = video();
    const before = fake.callsTo('sendVideo').length;
    fake.failNext('sendVideo', { error_code: 502, description: 'Bad Gateway' });
    const err = await outbox.sendVideo(dm, { path, sizeBytes: bytes.length, fileName: 'a.mp4' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelegramApiError);
    expect(err).toMatchObject({ error_code: 502, retryable: true });
    // One error type for the core: a transient failure of a posting call, not safe to repeat.
    expect(err).toMatchObject({ kind: 'transient', mayHavePosted: true, safeToRetry: false });
    expect(fake.callsTo('sendVideo').length - before).toBe(1);
  });

  it('refuses a file over TELEGRAM_MAX_UPLOAD_MB without uploading', async () => {
    const before = fake.callsTo('sendVideo').length;
    await expect(outbox.sendVideo(dm, { path: '/nonexistent', sizeBytes: 51 * 1024 * 1024, fileName: 'big.mp4' })).rejects.toThrow(/upload limit/);
    expect(fake.callsTo('sendVideo').length).toBe(before);
  });
});

describe('links, actions, attachments', () => {
  it('sendLink posts the text and the URL with buttons', async () => {
    await outbox.sendLink(grp, { url: 'https://cdn.example/v.mp4', text: 'Too big to attach, download here:', buttons: [[{ id: 'e', label: 'Export' }]], replyTo: '1' });
    expect(fake.sent(-2001).at(-1)).toMatchObject({ text: 'Too big to attach, download here:\nhttps://cdn.example/v.mp4', replyTo: 1 });
  });

  it('sendAction never throws', async () => {
    fake.failNext('sendChatAction', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    await expect(outbox.sendAction(dm, 'working')).resolves.toBeUndefined();
    await outbox.sendAction(topic, 'working');
    expect(fake.callsTo('sendChatAction').at(-1)?.payload).toMatchObject({ chat_id: -2002, message_thread_id: 55, action: 'typing' });
  });

  it('resolveAttachment turns a file_id into a download URL that yields the bytes', async () => {
    const bytes = readFileSync(new URL('../fixtures/input.jpg', import.meta.url));
    const u = fake.userPhoto({ chat: privateChat(alice), from: alice, bytes });
    const photo = u.message!.photo!.at(-1)!;
    const { url } = await outbox.resolveAttachment({ name: 'p.jpg', source: { kind: 'platform', ref: photo.file_id } });
    expect(url.startsWith(`${fake.url}/file/bot${TOKEN}/photos/`)).toBe(true);
    const got = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(got.equals(bytes)).toBe(true);
    await expect(outbox.resolveAttachment({ name: 'x', source: { kind: 'platform', ref: 'nope' } })).rejects.toThrow(/invalid file_id/);
    expect(await outbox.resolveAttachment({ name: 'x', source: { kind: 'url', url: 'https://a/b.png' } })).toEqual({ url: 'https://a/b.png' });
  });
});



