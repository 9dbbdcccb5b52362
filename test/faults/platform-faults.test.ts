/**
 * The fault matrix, platform side: the real Telegram outbox against the fake Bot API, which answers
 * 429, 5xx, a refusal that is not about size, or never answers an upload. Each row asserts what the
 * user saw and that the next request in the same chat works. Rows run one after another (the fake's
 * faults are per method).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/core/i18n.js';
import { makeUser, privateChat, type FakeTelegram } from '../fakes/telegram/index.js';
import { startTelegramStack, type TelegramStack } from '../telegram/stack.js';

let stack: TelegramStack;
let fake: FakeTelegram;

const textsIn = (chatId: number) => fake.sent(chatId).flatMap((m) => [m.text ?? m.caption ?? '', ...m.edits]);
const videosIn = (chatId: number) => fake.sent(chatId).filter((m) => m.kind === 'video');
const posted = (chatId: number, text: string) => fake.sent(chatId).filter((m) => (m.text ?? m.caption ?? '').includes(text));

beforeAll(async () => {
  stack = await startTelegramStack('platform-faults', {
    sim: { turnMs: 200, anonymousTokensPerAddress: 100 },
    env: { TELEGRAM_UPLOAD_TIMEOUT_MS: '1500' },
    editIntervalMs: { group: 0, direct: 0 },
  });
  fake = stack.fake;
});
afterAll(async () => stack?.close());

let userSeq = 8100;
function newUser() {
  const u = makeUser(`User${userSeq}`, { id: userSeq++, language_code: 'en' });
  return { u, chat: privateChat(u) };
}

/** Ask for a video and wait for the n-th video (or a link) in the chat. */
async function videoRequest(who: ReturnType<typeof newUser>, text = 'make a video of a harbour at dawn') {
  fake.userText({ chat: who.chat, from: who.u, text });
}

describe('fault matrix (platform)', () => {
  it('sendMessage 429 on the acknowledgement: waited out, posted once; the video follows', async () => {
    const who = newUser();
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    await videoRequest(who);
    await fake.waitFor(() => videosIn(who.u.id)[0], 30_000, 'the video');
    expect(posted(who.u.id, '🎬 Got it!')).toHaveLength(1);
    fake.userText({ chat: who.chat, from: who.u, text: '/credits' });
    await fake.waitFor(() => textsIn(who.u.id).some((x) => /Credits: \d+ available/.test(x)), 10_000, 'the next request');
  });

  it('sendMessage 500 on the next post: nothing posted twice, the video arrives', async () => {
    const who = newUser();
    await videoRequest(who, 'hello');
    await fake.waitFor(() => textsIn(who.u.id).some((x) => x.includes('✅ Done')), 20_000, 'the first turn');
    fake.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' });
    await videoRequest(who);
    await fake.waitFor(() => videosIn(who.u.id)[0], 30_000, 'the video');
    const texts = fake.sent(who.u.id).map((m) => m.text ?? m.caption ?? '');
    expect(texts.length).toBe(new Set(texts).size);
  });

  it('sendVideo 429: waited out and posted once', async () => {
    const who = newUser();
    fake.failNext('sendVideo', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    await videoRequest(who);
    await fake.waitFor(() => videosIn(who.u.id)[0], 30_000, 'the video');
    await fake.waitFor(() => textsIn(who.u.id).some((x) => x.includes('✅ Done')), 10_000, 'the card to end');
    expect(videosIn(who.u.id)).toHaveLength(1);
  });

  it('sendVideo 500: not repeated (it may have arrived), the user is told; "export" gets it again', async () => {
    const who = newUser();
    fake.failNext('sendVideo', { error_code: 502, description: 'Bad Gateway' });
    await videoRequest(who);
    await fake.waitFor(() => posted(who.u.id, t('en', 'error.delivery_uncertain'))[0], 30_000, 'the uncertain-delivery answer');
    expect(fake.callsTo('sendVideo').filter((c) => c.payload.chat_id === who.u.id || c.payload.chat_id === String(who.u.id))).toHaveLength(1);
    fake.userText({ chat: who.chat, from: who.u, text: 'export' });
    await fake.waitFor(() => videosIn(who.u.id)[0], 30_000, 'the exported video');
  });

  it('sendVideo refused for a reason other than size: a link instead', async () => {
    const who = newUser();
    fake.failNext('sendVideo', { error_code: 400, description: 'Bad Request: VIDEO_CONTENT_TYPE_INVALID' });
    await videoRequest(who);
    await fake.waitFor(() => textsIn(who.u.id).find((x) => x.includes('download link')), 30_000, 'the link');
    expect(textsIn(who.u.id).some((x) => x.includes(t('en', 'error.internal')))).toBe(false);
    fake.userText({ chat: who.chat, from: who.u, text: 'export' });
    await fake.waitFor(() => videosIn(who.u.id)[0], 30_000, 'the exported video');
  });

  it('an upload that never gets an answer times out: not repeated, the user is told; the next export works', async () => {
    const who = newUser();
    fake.stallNext('sendVideo');
    await videoRequest(who);
    await fake.waitFor(() => posted(who.u.id, t('en', 'error.delivery_uncertain'))[0], 30_000, 'the uncertain-delivery answer');
    fake.userText({ chat: who.chat, from: who.u, text: 'export' });
    await fake.waitFor(() => videosIn(who.u.id)[0], 30_000, 'the exported video');
  });
});
