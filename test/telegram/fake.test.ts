/**
 * GIVEN the fake Bot API driven by grammY's own Api THEN it behaves like Telegram where our adapter
 * depends on it: long-poll holding and offset confirmation, 409 for a second poller, token checks,
 * payload validation, tolerant multipart parsing, and injected faults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, GrammyError, InputFile } from 'grammy';
import { FakeTelegram, makeUser, privateChat } from '../fakes/telegram/index.js';
import { TOKEN } from './helpers.js';

let fake: FakeTelegram;
let api: Api;
const pia = makeUser('Pia', { id: 8001 });

beforeAll(async () => {
  fake = await FakeTelegram.start({ token: TOKEN });
  api = new Api(TOKEN, { apiRoot: fake.url });
});

afterAll(async () => {
  await fake.close();
});

describe('fake Bot API', () => {
  it('getUpdates holds until an update arrives, and an offset confirms (drops) earlier updates', async () => {
    const t0 = Date.now();
    const poll = api.getUpdates({ timeout: 5 });
    setTimeout(() => fake.userText({ chat: privateChat(pia), from: pia, text: 'hi' }), 200);
    const first = await poll;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(first.map((u) => u.message?.text)).toEqual(['hi']);
    // Not confirmed yet: asking again without an offset returns it again.
    expect((await api.getUpdates({ timeout: 0 })).map((u) => u.update_id)).toEqual([first[0]!.update_id]);
    // Confirmed by a higher offset: gone for good.
    expect(await api.getUpdates({ offset: first[0]!.update_id + 1, timeout: 0 })).toEqual([]);
    expect(await api.getUpdates({ timeout: 0 })).toEqual([]);
  });

  it('a second concurrent getUpdates gets 409; an aborted poll frees the slot', async () => {
    const ctrl = new AbortController();
    const holding = api.getUpdates({ timeout: 10 }, ctrl.signal as never).catch((e: unknown) => e);
    await fake.waitFor(() => fake.callsTo('getUpdates').some((c) => c.payload.timeout === 10), 2_000, 'the long poll');
    const second = await api.getUpdates({ timeout: 1 }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(GrammyError);
    expect((second as GrammyError).error_code).toBe(409);
    ctrl.abort();
    await holding;
    await new Promise((r) => setTimeout(r, 50));
    await expect(api.getUpdates({ timeout: 0 })).resolves.toEqual([]);
  });

  it('rejects a wrong token (401), invalid payloads (400), and applies injected faults once', async () => {
    const wrong = new Api('999:wrong-token-abcdefghij', { apiRoot: fake.url });
    await expect(wrong.getMe()).rejects.toMatchObject({ error_code: 401 });
    await expect(api.sendMessage(pia.id, '')).rejects.toMatchObject({ error_code: 400 });
    await expect(api.sendMessage(pia.id, 'x', { reply_markup: { inline_keyboard: [[{ text: 'b', callback_data: 'z'.repeat(65) }]] } })).rejects.toThrow(/BUTTON_DATA_INVALID/);
    await expect(api.sendMessage(424242, 'x')).rejects.toThrow(/chat not found/);
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 7', retry_after: 7 });
    await expect(api.sendMessage(pia.id, 'x')).rejects.toMatchObject({ error_code: 429, parameters: { retry_after: 7 } });
    await expect(api.sendMessage(pia.id, 'x')).resolves.toMatchObject({ text: 'x' });
  });

  it('parses grammY\'s streamed multipart upload (unquoted file name) and keeps the bytes', async () => {
    const bytes = Buffer.alloc(200_000, 3);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 16_384) yield bytes.subarray(i, i + 16_384);
    }
    const m = await api.sendVideo(pia.id, new InputFile(chunks(), 'clip.mp4'), { caption: 'c', supports_streaming: true, width: 10, height: 20, duration: 3 });
    expect(m.video).toMatchObject({ width: 10, height: 20, duration: 3, file_size: bytes.length });
    const rec = fake.sent(pia.id).at(-1)!;
    expect(rec.file?.bytes.equals(bytes)).toBe(true);
    expect(rec.file?.filename).toBe('clip.mp4');
    // The uploaded file can be fetched back through getFile.
    const f = await api.getFile(m.video!.file_id);
    const got = Buffer.from(await (await fetch(`${fake.url}/file/bot${TOKEN}/${f.file_path}`)).arrayBuffer());
    expect(got.equals(bytes)).toBe(true);
  });

  it('editMessageText: "not modified" on identical text, "not found" on unknown messages', async () => {
    const m = await api.sendMessage(pia.id, 'same');
    await expect(api.editMessageText(pia.id, m.message_id, 'same')).rejects.toThrow(/message is not modified/);
    await expect(api.editMessageText(pia.id, 123456, 'x')).rejects.toThrow(/message to edit not found/);
    await api.editMessageText(pia.id, m.message_id, 'changed');
    expect(fake.sent(pia.id).find((s) => s.messageId === m.message_id)?.edits).toEqual(['changed']);
  });
});
