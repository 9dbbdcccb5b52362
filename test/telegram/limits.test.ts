/**
 * Over Telegram's upload limit the user gets a download link, not a failed upload; a Chinese-speaking
 * user gets Chinese messages and a Chinese-language Nemo session.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram, makeUser, privateChat } from '../fakes/telegram/index.js';
import type { NemoSim } from '../../nemo-sim/index.js';
import { startTelegramStack, type TelegramStack } from './stack.js';
import { until } from './helpers.js';

const JPG = readFileSync(fileURLToPath(new URL('../fixtures/input.jpg', import.meta.url)));
let stack: TelegramStack;
let sim: NemoSim;
let fake: FakeTelegram;

beforeAll(async () => {
  // The fixture is ~140 KB: a 0.1 MB limit puts it over.
  stack = await startTelegramStack('tg-limits', { env: { TELEGRAM_MAX_UPLOAD_MB: '0.1' } });
  ({ sim, fake } = stack);
});

afterAll(async () => stack?.close());

describe('Telegram delivery limits and language', () => {
  it('sends a link with buttons instead of uploading a video over TELEGRAM_MAX_UPLOAD_MB, in Chinese for a zh user', async () => {
    const li = makeUser('Li', { id: 8101, language_code: 'zh-hans' });
    fake.userPhoto({ chat: privateChat(li), from: li, caption: '把这张图片做成一个5秒的动画视频 video', bytes: JPG });
    const link = await until(() => fake.sent(li.id).find((m) => /下载|链接/.test(m.text ?? '') && /https?:\/\//.test(m.text ?? '')), 30_000, 'the link');
    expect(link.replyMarkup?.inline_keyboard.flat().length).toBeGreaterThan(0);
    expect(fake.sent(li.id).some((m) => m.kind === 'video')).toBe(false);
    expect(fake.callsTo('sendVideo')).toHaveLength(0);
    expect(fake.sent(li.id)[0]!.text).toContain('收到');
    expect((sim.requestsTo('create_session')[0]!.body as { language: string }).language).toBe('zh');
  });
});
