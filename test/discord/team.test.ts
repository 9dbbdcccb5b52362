/**
 * Issue 13 end to end on Discord: fake Discord (gateway + REST) ↔ real discord.js ↔ runtime (BullMQ
 * on real Redis) ↔ the Nemo simulator. Costs and "not charged", /jobs and /show (isolated per
 * channel), the waiting ETA as a relative timestamp, the iteration buttons (Delete refused privately
 * for others, a button pressed after a restart).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordOutbox, startDiscordBot, type DiscordBot, type DiscordOutbox } from '../../adapters/discord/index.js';
import type { Config } from '../../src/config.js';
import { loadConfig } from '../../src/platforms/config.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startFakeDiscord, type FakeDiscord, type StoredMessage } from '../fakes/discord/index.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';
import { testEnv } from '../helpers/harness.js';
import { dropPrefix, uniquePrefix } from './helpers.js';

const png = await readFile(new URL('../fixtures/input.png', import.meta.url));
const PROMPT = 'turn this image into a 5-second animated video clip';
const prefix = uniquePrefix('dc-team');

let sim: NemoSim;
let fake: FakeDiscord;
let config: Config;
let outbox: DiscordOutbox;
let runtime: Runtime;
let bot: DiscordBot;

async function start(): Promise<void> {
  outbox = createDiscordOutbox({ config, logger: silentLogger });
  runtime = await startRuntime({ config, logger: silentLogger, outboxes: { discord: outbox }, runWorker: true });
  bot = await startDiscordBot({ config, ingress: runtime.ingress, redis: runtime.redis, logger: silentLogger });
  const conn = await fake.waitFor(() => bot.shards[0]?.connection, 10_000, 'the shard');
  await conn.ready;
}

async function stop(): Promise<void> {
  await bot?.stop();
  await runtime?.close();
  outbox?.close();
}

beforeAll(async () => {
  sim = await startNemoSim({ turnMs: 400, heartbeatMs: 40, renderStepMs: 60, editTurnMs: 600, initialCredits: 500 });
  fake = await startFakeDiscord();
  config = loadConfig(testEnv(prefix, { NEMO_API_URL: sim.url, DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.restUrl, DISCORD_GUILD_ID: fake.guild.id, DISCORD_SHARD_LEASE_MS: '1500', TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') }));
  await start();
}, 30_000);

afterAll(async () => {
  await stop();
  await sim?.close();
  await fake?.close();
  await dropPrefix(prefix);
  sim?.assertNoViolations();
});

const isVideo = (m: StoredMessage) => m.attachments.some((a) => a.filename.endsWith('.mp4'));
const buttonsOf = (m: StoredMessage) => (m.components as Array<{ components: Array<{ label: string; custom_id: string }> }>).flatMap((row) => row.components);
const button = (m: StoredMessage, re: RegExp) => buttonsOf(m).find((b) => re.test(b.label))!;
const said = (channel: string, re: RegExp, what: string) => fake.waitFor(() => fake.botMessages(channel).filter((m) => re.test(m.content)).at(-1), 20_000, what);

describe('Discord team features', () => {
  const channel = () => fake.channels.general;
  let result: StoredMessage;
  let jobId = '';

  it('the result shows its cost and balance; it carries the iteration buttons', async () => {
    fake.pushMessage({ channelId: channel(), content: PROMPT, mentionBot: true, attachments: [{ name: 'input.png', bytes: png, contentType: 'image/png' }] });
    result = await fake.waitFor(() => fake.botMessages(channel()).find(isVideo), 30_000, 'the video');
    expect(result.content).toContain('💳 Cost: 100 credits · 400 left');
    expect(result.content).not.toContain('Low balance'); // the default threshold is 200
    expect(buttonsOf(result).map((b) => b.label)).toEqual(['📥 Export again', '🔄 Retry', '🎛️ Remix', '🆕 New project', '📱 Vertical 9:16', '⬛ Square 1:1', '🌐 Open in NemoVideo', '🗑️ Delete']);
    // the status card ends as done with the cost (edits are paced: allow for the last slot)
    await fake.waitFor(() => fake.botMessages(channel()).find((m) => m.content.includes('Done') && m.content.includes('💳 Cost: 100 credits')), 10_000, 'the card with the cost');
  }, 40_000);

  it('/jobs lists it; /show posts it again with its buttons; another channel cannot see it', async () => {
    fake.pushSlashCommand({ channelId: channel(), name: 'jobs' });
    const list = await said(channel(), /Recent jobs here/, 'the job list');
    const m = /#([a-z0-9]{6}) · ✅ done · \d+:\d\d · 100 credits · “turn this image/.exec(list.content);
    expect(m).not.toBeNull();
    jobId = m![1]!;
    fake.pushSlashCommand({ channelId: channel(), name: 'show', options: { id: jobId } });
    const again = await said(channel(), new RegExp(`Job #${jobId}`), 'the video again');
    expect(again.content).toMatch(/https?:\/\/\S+\.mp4/);
    expect(buttonsOf(again).map((b) => b.label)).toContain('📥 Export again');

    const other = fake.addChannel('other-team');
    fake.pushSlashCommand({ channelId: other, name: 'show', options: { id: jobId } });
    await said(other, new RegExp(`I have no job #${jobId}`), 'the isolation refusal');
    expect(fake.botMessages(other).some((b) => /\.mp4/.test(b.content))).toBe(false);
  });

  it('Remix opens a modal pre-filled with the prompt; submitting it makes a new video', async () => {
    const press = fake.pushButton({ channelId: channel(), messageId: result.id, customId: button(result, /Remix/).custom_id });
    const modal = await fake.waitFor(() => fake.interaction(press.id)?.modal, 5_000, 'the modal');
    expect(fake.interaction(press.id)!.answered!.type).toBe(9);
    expect(modal.components[0]!.components[0]).toMatchObject({ type: 4, custom_id: 'prompt', value: PROMPT });
    const videos = fake.botMessages(channel()).filter(isVideo).length;
    fake.pushModalSubmit({ channelId: channel(), customId: modal.custom_id, values: { prompt: 'make a video of the same scene at sunset' } });
    await fake.waitFor(() => fake.botMessages(channel()).filter(isVideo).length === videos + 1, 30_000, 'the remixed video');
    expect(JSON.stringify(sim.requestsTo('run_sse').at(-1)!.body)).toContain('same scene at sunset');
  }, 40_000);

  it('a waiting job shows its place and a relative-timestamp ETA', async () => {
    fake.pushMessage({ channelId: channel(), content: 'hello there', mentionBot: true });
    fake.pushMessage({ channelId: channel(), content: 'how are you today', mentionBot: true });
    const waiting = await said(channel(), /#2 in line/, 'the waiting card');
    expect(waiting.content).toMatch(/Expected to start <t:\d{10}:R>/);
  });

  it('a turn refused for credits says "you were not charged"', async () => {
    const poor = fake.addChannel('poor');
    const known = new Set(sim.requests.map((r) => r.token));
    fake.pushMessage({ channelId: poor, content: 'credits', mentionBot: true });
    await said(poor, /Credits: \d+ available/, 'the balance');
    // this conversation's own new token (other chats' jobs read balances meanwhile)
    sim.setCredits(sim.requestsTo('credits').map((r) => r.token).find((tok) => tok && !known.has(tok))!, 0);
    fake.pushMessage({ channelId: poor, content: 'make a video of a lighthouse at night', mentionBot: true });
    const failure = await said(poor, /Out of (free )?credits/, 'the failure');
    expect(failure.content).toContain('You were not charged.');
  });

  it('/login is refused in a server channel (ephemerally) and works in a DM, where jobs then use the token', async () => {
    const personal = 'nmv_usr_dc_personal_token_0001';
    sim.addToken(personal, { credits: 4321 });
    const refused = fake.pushSlashCommand({ channelId: channel(), name: 'login', options: { token: personal } });
    const original = await fake.waitFor(() => fake.interaction(refused.id)?.originalMessageId, 5_000, 'the deferred reply');
    await fake.waitFor(() => fake.world.messages.get(original)!.content.includes('only in a direct message'), 10_000, 'the refusal');
    expect(fake.world.messages.get(original)!.flags & 64).toBe(64); // only the sender sees it
    const dm = fake.dmChannel(fake.alice);
    fake.pushSlashCommand({ channelId: dm, name: 'login', options: { token: personal } });
    await said(dm, /Saved \(encrypted\)/, 'the login answer');
    fake.pushSlashCommand({ channelId: dm, name: 'credits' });
    await said(dm, /Credits: 4321 available/, 'the personal balance');
    expect(sim.requestsTo('credits').some((r) => r.token === personal)).toBe(true); // (other chats' jobs read balances too)
    expect(fake.botMessages(dm).some((m) => m.content.includes(personal))).toBe(false);
  });

  it('/admin is refused (ephemerally) without Manage Server; an admin blocks a word; /lang switches the language', async () => {
    const dave = fake.addUser('dave');
    const refused = fake.pushSlashCommand({ channelId: channel(), name: 'admin', user: dave });
    const original = await fake.waitFor(() => fake.interaction(refused.id)?.originalMessageId, 5_000, 'the deferred reply');
    await fake.waitFor(() => fake.world.messages.get(original)!.content.includes('Only server or chat admins'), 10_000, 'the refusal');
    expect(fake.world.messages.get(original)!.flags & 64).toBe(64);

    const carol = fake.addUser('carol');
    carol.permissions = String(1071698660929n | 32n); // + Manage Server
    fake.pushSlashCommand({ channelId: channel(), name: 'admin', user: carol, options: { settings: 'block dragon' } });
    await fake.waitFor(() => fake.messages(channel()).find((m) => m.content.includes('Blocked: dragon')), 10_000, 'the saved setting');
    const turns = sim.requestsTo('run_sse').length;
    fake.pushMessage({ channelId: channel(), content: 'make a video of a dragon', mentionBot: true, author: dave });
    await said(channel(), /not allowed here/, 'the blocked-word refusal');
    expect(sim.requestsTo('run_sse').length).toBe(turns);

    fake.pushSlashCommand({ channelId: channel(), name: 'lang', options: { language: 'zh' } });
    await said(channel(), /我将使用中文回答/, 'the Chinese confirmation');
    fake.pushSlashCommand({ channelId: channel(), name: 'credits' });
    await said(channel(), /积分：可用 \d+/, 'the Chinese balance');
    fake.pushSlashCommand({ channelId: channel(), name: 'lang', options: { language: 'auto' } });
    await said(channel(), /follow each message’s language/, 'the switch back');
  });

  it('Delete by someone else is refused ephemerally; after a restart Vertical 9:16 works and the requester can delete', async () => {
    const bob = fake.addUser('bob');
    fake.pushButton({ channelId: channel(), messageId: result.id, customId: button(result, /Delete/).custom_id, user: bob });
    const refusal = await said(channel(), /Only the person who asked/, 'the refusal');
    expect(refusal.flags & 64).toBe(64); // ephemeral: only bob sees it
    expect(fake.world.messages.get(result.id)!.deleted).toBe(false);

    await stop();
    await start();
    const videos = fake.botMessages(channel()).filter(isVideo).length;
    fake.pushButton({ channelId: channel(), messageId: result.id, customId: button(result, /Vertical/).custom_id });
    await fake.waitFor(() => fake.botMessages(channel()).filter(isVideo).length === videos + 1, 30_000, 'the vertical video');
    expect(JSON.stringify(sim.requestsTo('run_sse').at(-1)!.body)).toContain('aspect ratio of the video to 9:16');
    fake.pushButton({ channelId: channel(), messageId: result.id, customId: button(result, /Delete/).custom_id });
    await fake.waitFor(() => fake.world.messages.get(result.id)!.deleted, 10_000, 'the deletion');
  }, 60_000);
});
