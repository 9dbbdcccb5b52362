/**
 * No secret reaches the logs: neither the bot token nor interaction tokens (which sit in webhook
 * URLs of failed requests), even at debug level and on the error paths.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDiscordOutbox, type DiscordOutbox } from '../../adapters/discord/index.js';
import type { ChatTarget } from '../../src/core/outbox.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { captureLogger, startTestBot, until, type RunningBot } from './helpers.js';

let fake: FakeDiscord;
let run: RunningBot;
let outbox: DiscordOutbox;
let dir: string;
const outboxLogs = captureLogger('trace');

beforeAll(async () => {
  fake = await startFakeDiscord();
  run = await startTestBot(fake, 'logs', { DISCORD_GUILD_ID: fake.guild.id, LOG_LEVEL: 'trace' });
  outbox = createDiscordOutbox({ config: run.config, logger: outboxLogs.logger });
  dir = await mkdtemp(join(tmpdir(), 'nemo-dc-logs-'));
});
afterAll(async () => {
  outbox?.close();
  await run?.stop();
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

it('keeps the bot token and interaction tokens out of every log line', async () => {
  const tokens: string[] = [];
  // The "core": acknowledge through the outbox like the real one does.
  run.ingress.onAccept = async (msg) => {
    const target: ChatTarget = { platform: 'discord', conversationKey: msg.conversationKey, chatId: msg.chatId, userId: msg.userId, isDirect: msg.isDirect, lang: 'en', platformMeta: msg.platformMeta };
    await outbox.sendText(target, 'ack', { mentionUserId: msg.userId });
  };
  // Every interaction edit fails (the JSON client retries 5xx, so more than its retries).
  fake.inject({ method: 'PATCH', route: '/webhooks/:app/:token/messages/:mid', status: 500, times: 8 });
  const ix = fake.pushSlashCommand({ channelId: fake.channels.general, name: 'video', options: { prompt: 'a cat' } });
  tokens.push(ix.token);
  await until(() => outboxLogs.text().includes('interaction reply failed'), 15_000, 'the failed interaction reply');
  // A button whose token is unknown to Discord (401/404 on the webhook route).
  const msg = await until(() => fake.botMessages(fake.channels.general).find((m) => m.content.endsWith('ack')), 5000, 'the channel fallback');
  const button = fake.pushButton({ channelId: fake.channels.general, messageId: msg.id, customId: 'nb:x' });
  tokens.push(button.token);
  fake.inject({ method: 'POST', route: '/webhooks/:app/:token', status: 404, code: 10015, message: 'Unknown Webhook' });
  await until(() => fake.calls.filter((c) => c.route === '/webhooks/:app/:token').length >= 1, 5000, 'the follow-up attempt');
  // An upload refused for lack of permission, and a deferral that comes too late for Discord.
  const file = join(dir, 'v.mp4');
  await writeFile(file, Buffer.alloc(1024, 1));
  fake.denyPermission(fake.channels.thread, 'ATTACH_FILES');
  const target: ChatTarget = { platform: 'discord', conversationKey: 'x', chatId: fake.channels.thread, isDirect: false, lang: 'en' };
  await expect(outbox.sendVideo(target, { path: file, sizeBytes: 1024, fileName: 'v.mp4' })).rejects.toThrow();
  fake.inject({ method: 'POST', route: '/interactions/:id/:token/callback', status: 404, code: 10062, message: 'Unknown interaction' });
  const late = fake.pushSlashCommand({ channelId: fake.channels.general, name: 'help' });
  tokens.push(late.token);
  await until(() => run.logs.text().includes('could not defer a slash command'), 5000, 'the late deferral warning');
  await until(() => run.ingress.received.some((r) => r.messageId === `ix-${late.id}`), 5000, 'the late command');

  const all = run.logs.text() + outboxLogs.text();
  if (process.env.SHOW_LOGS) console.log(all);
  expect(all.length).toBeGreaterThan(500);
  expect(all).toContain(':token'); // routes were logged, with the token replaced
  const [head, mid, tail] = fake.token.split('.');
  for (const secret of [fake.token, head!, mid! + '.' + tail!, tail!, ...tokens]) {
    expect(all).not.toContain(secret);
    expect(all).not.toContain(encodeURIComponent(secret));
  }
  expect(all).not.toMatch(/"requestBody"|"files"/);
}, 60_000);
