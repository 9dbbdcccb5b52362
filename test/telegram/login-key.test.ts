/**
 * /login without TOKEN_ENCRYPTION_KEY: the vault's key is derived from the bot's own token (never
 * stored), so a user's token is still kept encrypted and used for their jobs. Driven from Telegram
 * through the real bot, runtime and simulator.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/platforms/config.js';
import { testEnv } from '../helpers/harness.js';
import { makeUser, privateChat } from '../fakes/telegram/index.js';
import { TOKEN } from './helpers.js';
import { startTelegramStack, type TelegramStack } from './stack.js';

const PERSONAL = 'nmv_usr_tg_default_key_token_0007';
let stack: TelegramStack;

beforeAll(async () => {
  stack = await startTelegramStack('tg-login-key');
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

it('derives a stable key from the bot token when none is set; a set key wins; no platform token, no key', () => {
  const env = (extra: Record<string, string>) => testEnv('unused', { NEMO_API_URL: 'http://127.0.0.1:9', ...extra });
  const derived = loadConfig(env({ TELEGRAM_BOT_TOKEN: TOKEN })).TOKEN_ENCRYPTION_KEY;
  expect(derived).toMatch(/^[0-9a-f]{64}$/);
  expect(loadConfig(env({ TELEGRAM_BOT_TOKEN: TOKEN })).TOKEN_ENCRYPTION_KEY).toBe(derived);
  expect(loadConfig(env({ TELEGRAM_BOT_TOKEN: `${TOKEN}x` })).TOKEN_ENCRYPTION_KEY).not.toBe(derived);
  expect(derived).not.toContain(TOKEN);
  const set = 'ab'.repeat(32);
  expect(loadConfig(env({ TELEGRAM_BOT_TOKEN: TOKEN, TOKEN_ENCRYPTION_KEY: set })).TOKEN_ENCRYPTION_KEY).toBe(set);
  expect(loadConfig(env({})).TOKEN_ENCRYPTION_KEY).toBeUndefined();
});

it('/login works without TOKEN_ENCRYPTION_KEY: stored encrypted, used for the user\'s next job', async () => {
  const { fake, sim, runtime } = stack;
  const eva = makeUser('Eva', { id: 9501, language_code: 'en' });
  sim.addToken(PERSONAL, { credits: 900 });
  fake.userText({ chat: privateChat(eva), from: eva, text: `/login ${PERSONAL}` });
  await fake.waitFor(() => fake.sent(eva.id).find((m) => /Saved \(encrypted\)/.test(m.text ?? '')), 20_000, 'the login answer');
  const stored = await runtime.redis.get(runtime.services.keys.userToken('telegram', String(eva.id)));
  expect(stored).toBeTruthy();
  expect(stored).not.toContain(PERSONAL);

  fake.userText({ chat: privateChat(eva), from: eva, text: 'make a video of a paper lantern' });
  await fake.waitFor(() => fake.sent(eva.id).find((m) => m.kind === 'video'), 30_000, 'the video');
  const turn = sim.requestsTo('run_sse').find((r) => JSON.stringify(r.body).includes('paper lantern'))!;
  expect(turn.token).toBe(PERSONAL);
}, 60_000);
