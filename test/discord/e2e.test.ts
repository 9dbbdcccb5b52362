/**
 * End to end on loopback: fake Discord (gateway + REST) → real discord.js → Discord adapter →
 * runtime (ingress, BullMQ worker on real Redis) → Nemo simulator → Discord outbox → fake Discord.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordOutbox, startDiscordBot, type DiscordBot, type DiscordOutbox } from '../../adapters/discord/index.js';
import { type Config } from '../../src/config.js';
import { loadConfig } from '../../src/platforms/config.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startFakeDiscord, type FakeDiscord, type StoredMessage } from '../fakes/discord/index.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';
import { testEnv } from '../helpers/harness.js';
import { captureLogger, dropPrefix, uniquePrefix } from './helpers.js';

const png = await readFile(new URL('../fixtures/input.png', import.meta.url));
const PROMPT = 'turn this image into a 5-second animated video clip';

let sim: NemoSim;
let fake: FakeDiscord;
let config: Config;
let outbox: DiscordOutbox;
let runtime: Runtime;
let bot: DiscordBot;
const prefix = uniquePrefix('e2e');
const logs = captureLogger('info');

beforeAll(async () => {
  sim = await startNemoSim({ turnMs: 900, heartbeatMs: 40, renderStepMs: 80, editTurnMs: 60 });
  fake = await startFakeDiscord();
  config = loadConfig(
    testEnv(prefix, {
      NEMO_API_URL: sim.url,
      DISCORD_TOKEN: fake.token,
      DISCORD_API_URL: fake.restUrl,
      DISCORD_GUILD_ID: fake.guild.id,
      DISCORD_SHARD_LEASE_MS: '1500',
      LOG_LEVEL: 'info',
    }),
  );
  outbox = createDiscordOutbox({ config, logger: logs.logger });
  runtime = await startRuntime({ config, logger: logs.logger, outboxes: { discord: outbox }, runWorker: true });
  bot = await startDiscordBot({ config, ingress: runtime.ingress, redis: runtime.redis, logger: logs.logger });
  const conn = await fake.waitFor(() => bot.shards[0]?.connection, 10_000, 'the shard');
  await conn.ready;
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await runtime?.close();
  outbox?.close();
  await sim?.close();
  await fake?.close();
  await dropPrefix(prefix);
  sim?.assertNoViolations(); // the bot kept the Nemo contract throughout
  if (process.env.SHOW_LOGS) console.log(logs.text());
});

const isVideo = (m: StoredMessage) => m.attachments.some((a) => a.filename.endsWith('.mp4'));
const buttonsOf = (m: StoredMessage) =>
  (m.components as Array<{ components: Array<{ label: string; custom_id: string }> }>).flatMap((row) => row.components);

describe('a mention with an image', () => {
  const channel = () => fake.channels.general;
  let result: StoredMessage;

  it('acknowledges, keeps the user posted, and posts the MP4 with buttons', async () => {
    const user = fake.pushMessage({
      channelId: channel(),
      content: PROMPT,
      mentionBot: true,
      attachments: [{ name: 'input.png', bytes: png, contentType: 'image/png' }],
    });
    const ack = await fake.waitFor(() => fake.botMessages(channel()).find((m) => m.message_reference?.message_id === user.id), 10_000, 'the acknowledgement');
    expect(ack.content).toContain('input.png');
    expect(ack.content).toContain(PROMPT);
    result = await fake.waitFor(() => fake.botMessages(channel()).find(isVideo), 30_000, 'the video');
    expect(result.attachments[0]!.bytes.equals(sim.fixture.bytes)).toBe(true);
    expect(result.content).toContain(`<@${fake.alice.id}>`);
    expect(result.mentions.map((u) => u.id)).toEqual([fake.alice.id]);
    expect(buttonsOf(result).map((b) => b.label)).toContain('📥 Export again');
    expect(buttonsOf(result).every((b) => /^nbf?:/.test(b.custom_id))).toBe(true);
    expect(fake.botMessages(channel()).some((m) => m.content.includes('Still working'))).toBe(true);
    expect(sim.requestsTo('run_sse')).toHaveLength(1);
    expect(sim.requestsTo('upload')).toHaveLength(1);
    // The status card ends as done (edits are paced, so allow for the last slot).
    await fake.waitFor(() => fake.world.messages.get(ack.id)!.content.includes('Done'), 10_000, 'the card to say done');
  }, 60_000);

  it('"Export again" is acknowledged within 3 s and exports without a new turn', async () => {
    const turns = sim.requestsTo('run_sse').length;
    const renders = sim.requestsTo('render_start').length;
    const videos = fake.botMessages(channel()).filter(isVideo).length;
    const exportButton = buttonsOf(result).find((b) => b.label === '📥 Export again')!;
    const ix = fake.pushButton({ channelId: channel(), messageId: result.id, customId: exportButton.custom_id });
    await fake.waitFor(() => fake.botMessages(channel()).filter(isVideo).length === videos + 1, 30_000, 'the exported video');
    const answered = fake.interaction(ix.id)!.answered!;
    expect(answered.type).toBe(6);
    expect(answered.at - ix.createdAt).toBeLessThan(3000);
    expect(sim.requestsTo('run_sse').length).toBe(turns);
    expect(sim.requestsTo('render_start').length).toBe(renders + 1);
    // The message carrying the button was not overwritten by the acknowledgement.
    expect(fake.world.messages.get(result.id)!.attachments).toHaveLength(1);
  }, 60_000);

  it('refuses a button forged into another channel', async () => {
    const exportButton = buttonsOf(result).find((b) => b.label === '📥 Export again')!;
    const other = fake.addChannel('elsewhere');
    const carrier = fake.store.create(other, { content: 'forged', components: [{ type: 1, components: [{ type: 2, style: 2, label: 'x', custom_id: exportButton.custom_id }] }] }, [], { author: fake.bot });
    if ('status' in carrier) throw new Error('could not create the carrier message');
    const renders = sim.requestsTo('render_start').length;
    const ix = fake.pushButton({ channelId: other, messageId: carrier.id, customId: exportButton.custom_id });
    const refusal = await fake.waitFor(() => fake.botMessages(other).find((m) => m.content.includes('belongs to another chat')), 10_000, 'the refusal');
    expect(fake.interaction(ix.id)!.answered!.type).toBe(6);
    expect(refusal.webhook_id).toBe(fake.applicationId); // a follow-up of the interaction
    await new Promise((r) => setTimeout(r, 500));
    expect(sim.requestsTo('render_start').length).toBe(renders);
    expect(fake.botMessages(other).filter(isVideo)).toHaveLength(0);
  }, 30_000);
});

describe('/video with an attachment option', () => {
  it('is deferred within 3 s, acknowledged in place, and the result lands in the channel', async () => {
    const channel = fake.addChannel('slash');
    const turns = sim.requestsTo('run_sse').length;
    const ix = fake.pushSlashCommand({
      channelId: channel,
      name: 'video',
      options: { prompt: PROMPT, image: { name: 'input.png', bytes: png, contentType: 'image/png' } },
    });
    const original = await fake.waitFor(() => fake.interaction(ix.id)?.originalMessageId, 5000, 'the deferred reply');
    const answered = fake.interaction(ix.id)!.answered!;
    expect(answered.type).toBe(5);
    expect(answered.at - ix.createdAt).toBeLessThan(3000);
    await fake.waitFor(() => fake.world.messages.get(original)!.content.includes(PROMPT), 10_000, 'the acknowledgement in the deferred reply');
    const video = await fake.waitFor(() => fake.botMessages(channel).find(isVideo), 30_000, 'the video');
    expect(video.attachments[0]!.bytes.equals(sim.fixture.bytes)).toBe(true);
    expect(video.content).toContain(`<@${fake.alice.id}>`);
    expect(video.webhook_id).toBeUndefined(); // posted with the bot token, not the 15-minute interaction token
    expect(sim.requestsTo('run_sse').length).toBe(turns + 1);
  }, 60_000);
});

describe('delivery limits and rate limits', () => {
  it('sends a link, no attachment, where the channel accepts no files of that size', async () => {
    // The config floor is DISCORD_MAX_UPLOAD_MB=1 and the fixture is ~140 KB, so the channel's limit
    // is brought to 0 the way production gets there: Discord refused an upload for lack of Attach Files.
    const channel = fake.addChannel('no-files');
    fake.denyPermission(channel, 'ATTACH_FILES');
    const target = { platform: 'discord' as const, conversationKey: `discord:${channel}`, chatId: channel, isDirect: false, lang: 'en' };
    await expect(outbox.sendVideo(target, { path: sim.fixture.path, sizeBytes: sim.fixture.bytes.length, fileName: 'probe.mp4' })).rejects.toThrow();
    expect(await outbox.maxUploadBytes(target)).toBe(0);

    fake.pushMessage({ channelId: channel, content: PROMPT, mentionBot: true, attachments: [{ name: 'input.png', bytes: png, contentType: 'image/png' }] });
    const link = await fake.waitFor(() => fake.botMessages(channel).find((m) => m.content.includes('download link')), 30_000, 'the link');
    expect(link.attachments).toHaveLength(0);
    expect(link.content).toMatch(/https?:\/\//);
    expect(buttonsOf(link).length).toBeGreaterThan(0);
    expect(fake.botMessages(channel).filter(isVideo)).toHaveLength(0);
    expect(logs.text()).toContain('missing permission \\"Attach Files\\"');
  }, 60_000);

  it('waits out a 429 on the result upload and posts it once', async () => {
    const channel = fake.addChannel('rate-limited');
    fake.inject({ method: 'POST', route: '/channels/:id/messages', multipart: true, status: 429, retryAfter: 0.5 });
    fake.pushMessage({ channelId: channel, content: PROMPT, mentionBot: true, attachments: [{ name: 'input.png', bytes: png, contentType: 'image/png' }] });
    const video = await fake.waitFor(() => fake.botMessages(channel).find(isVideo), 30_000, 'the video');
    expect(video.attachments[0]!.bytes.equals(sim.fixture.bytes)).toBe(true);
    const uploads = fake.calls.filter((c) => c.method === 'POST' && c.path === `/channels/${channel}/messages` && c.multipart);
    expect(uploads.map((c) => c.status)).toEqual([429, 200]);
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.botMessages(channel).filter(isVideo)).toHaveLength(1);
  }, 60_000);
});

describe('messages not for the bot', () => {
  it('ignores an unlisted channel message without a mention', async () => {
    const channel = fake.addChannel('chatter');
    const sessions = sim.requestsTo('run_sse').length;
    fake.pushMessage({ channelId: channel, content: 'make me a video please' });
    // A DM after it is handled; by then the first message has been seen and dropped.
    const dm = fake.dmChannel(fake.alice);
    const before = fake.botMessages(dm).length;
    fake.pushMessage({ channelId: dm, content: 'help' });
    await fake.waitFor(() => fake.botMessages(dm).length > before, 10_000, 'the DM answer');
    expect(fake.botMessages(channel)).toHaveLength(0);
    expect(sim.requestsTo('run_sse').length).toBe(sessions);
  }, 30_000);
});
