/**
 * Isolation through the real Telegram adapter: a callback query carrying another chat's button
 * (callback_data copied from chat A, pressed under a message in chat B) is refused, and nothing
 * reaches Nemo or chat A. (Topics of one group are covered in test/core/isolation.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/core/i18n.js';
import { makeUser, privateChat, type FakeTelegram } from '../fakes/telegram/index.js';
import { startTelegramStack, type TelegramStack } from './stack.js';

let stack: TelegramStack;
let fake: FakeTelegram;
beforeAll(async () => {
  stack = await startTelegramStack('tg-isolation');
  fake = stack.fake;
});
afterAll(async () => stack?.close());

describe('Telegram: crafted button presses', () => {
  it("another chat's callback_data is refused in chat B; chat A and Nemo see nothing", async () => {
    const a = makeUser('Ana', { id: 9101, language_code: 'en' });
    const bUser = makeUser('Ben', { id: 9102, language_code: 'en' });
    fake.userText({ chat: privateChat(a), from: a, text: 'make a video of a lantern' });
    const video = await fake.waitFor(() => fake.sent(a.id).find((m) => m.kind === 'video'), 30_000, "A's video");
    const data = video.replyMarkup!.inline_keyboard.flat().map((k) => k.callback_data!).filter(Boolean);
    expect(data.length).toBeGreaterThanOrEqual(2);

    fake.userText({ chat: privateChat(bUser), from: bUser, text: '/credits' });
    const bMsg = await fake.waitFor(() => fake.sent(bUser.id).find((m) => /Credits: \d+/.test(m.text ?? '')), 15_000, "B's answer");
    const aMessages = fake.sent(a.id).length;
    const calls = stack.sim.requests.length;
    for (const d of data) fake.pressButton({ chatId: bUser.id, from: bUser, messageId: bMsg.messageId, data: d });
    const foreign = t('en', 'button.foreign');
    await fake.waitFor(() => fake.sent(bUser.id).filter((m) => m.text === foreign).length === data.length, 15_000, 'the refusals');
    expect(fake.sent(a.id)).toHaveLength(aMessages);
    expect(stack.sim.requests.slice(calls)).toEqual([]);
  });
});
