/**
 * `npm start` with only the deployment settings (DISCORD_TOKEN, DISCORD_API_URL, NEMO_API_URL,
 * REDIS_URL, STILL_WORKING_INTERVAL_MS, ROLE): a Discord user mentions the bot with an image and gets
 * the MP4 in the channel, through the real process entry point.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../helpers/common.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const PNG = readFileSync(fileURLToPath(new URL('../fixtures/input.png', import.meta.url)));

describe('npm start with Discord', () => {
  let sim: NemoSim;
  let fake: FakeDiscord;
  let proc: ChildProcess | undefined;
  const prefix = uniquePrefix('dc-start');

  beforeAll(async () => {
    sim = await startNemoSim({ turnMs: 1500, heartbeatMs: 100, renderStepMs: 200 });
    fake = await startFakeDiscord();
  });
  afterAll(async () => {
    proc?.kill('SIGKILL');
    await fake?.close();
    await sim?.close();
    await dropPrefix(prefix);
    sim?.assertNoViolations(); // the bot kept the Nemo contract throughout
  });

  it('answers a mention with an image with the MP4, using only the deployment settings', async () => {
    const env = {
      ...process.env,
      ROLE: 'all',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      NEMO_API_URL: sim.url,
      DISCORD_TOKEN: fake.token,
      DISCORD_API_URL: fake.restUrl,
      STILL_WORKING_INTERVAL_MS: '500',
      TELEGRAM_BOT_TOKEN: '',
      NEMO_TOKEN: '',
      LOG_LEVEL: 'warn',
    };
    proc = spawn(process.execPath, ['--import', TSX, MAIN], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await fake.waitFor(() => fake.calls.some((c) => c.route.includes('/gateway/bot')), 30_000, 'the bot to connect');
    await new Promise((r) => setTimeout(r, 1500));

    const channel = fake.channels.general;
    const user = fake.pushMessage({ channelId: channel, content: 'turn this image into a 5-second animated video clip', mentionBot: true, attachments: [{ name: 'input.png', bytes: PNG, contentType: 'image/png' }] });
    await fake.waitFor(() => fake.botMessages(channel).find((m) => m.message_reference?.message_id === user.id), 20_000, 'the acknowledgement');
    const video = await fake.waitFor(() => fake.botMessages(channel).find((m) => m.attachments.some((a) => a.filename.endsWith('.mp4'))), 60_000, 'the video');
    expect(video.attachments[0]!.bytes.equals(sim.fixture.bytes)).toBe(true);
    expect(fake.botMessages(channel).some((m) => m.content.includes('Still working'))).toBe(true);
    expect(stderr).not.toContain(fake.token);
  }, 90_000);
});
