/**
 * `nemo-bot doctor` against a healthy deployment (Redis with AOF and noeviction, a valid Nemo token,
 * working Telegram and Discord tokens) and a broken one (evicting Redis without persistence, rejected
 * tokens, an intent the portal does not allow, an invalid setting): the checklist, its fixes and the
 * exit code, with no secret in the output.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { FakeTelegram } from '../fakes/telegram/index.js';
import { runTs } from '../helpers/child.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TG_TOKEN = '5550002468:AAE-doctor-test-token-abcdefghijklmn';
const NEMO_TOKEN = 'nmv_usr_doctor_shared_token_1234';

describe('nemo-bot doctor', () => {
  let sim: NemoSim;
  let telegram: FakeTelegram;
  let discord: FakeDiscord;
  let strictDiscord: FakeDiscord;
  let goodRedis: OwnRedis;
  let badRedis: OwnRedis;

  beforeAll(async () => {
    [sim, telegram, discord, strictDiscord, goodRedis, badRedis] = await Promise.all([
      startNemoSim({ staticTokens: { [NEMO_TOKEN]: { credits: 750 } } }),
      FakeTelegram.start({ token: TG_TOKEN }),
      startFakeDiscord({ messageContentAllowed: true }),
      startFakeDiscord({ messageContentAllowed: false }),
      startOwnRedis(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']),
      startOwnRedis(['--maxmemory-policy', 'allkeys-lru']),
    ]);
  });
  afterAll(async () => {
    await Promise.all([sim?.close(), telegram?.close(), discord?.close(), strictDiscord?.close(), goodRedis?.stop(), badRedis?.stop()]);
  });

  it('passes a healthy deployment and says what it found', async () => {
    const doctor = runTs(CLI, ['doctor'], {
      REDIS_URL: goodRedis.url,
      NEMO_API_URL: sim.url,
      NEMO_TOKEN,
      TELEGRAM_BOT_TOKEN: TG_TOKEN,
      TELEGRAM_API_ROOT: telegram.url,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.restUrl,
      DISCORD_MESSAGE_CONTENT: 'true',
    });
    const code = await doctor.exited;
    const out = doctor.output();
    expect(code, out).toBe(0);
    expect(out).toMatch(/✔ Redis answers at redis:\/\/127\.0\.0\.1:\d+ \(Redis \d+\.\d+/);
    expect(out).toContain('✔ maxmemory-policy is noeviction');
    expect(out).toContain('✔ persistence: AOF is on');
    expect(out).toContain(`✔ Nemo answers at ${sim.url}`);
    expect(out).toContain('✔ NEMO_TOKEN is valid: 750 credits available');
    expect(out).toMatch(/✔ Telegram bot @\w+ \(id 5550002468\)/);
    expect(out).toContain('privacy mode is on');
    expect(out).toContain('✔ long polling: no webhook registered');
    expect(out).toMatch(/✔ Discord application .*\(id \d+\)/);
    expect(out).toContain('Message Content (enabled in the portal)');
    expect(out).toContain(`invite URL: https://discord.com/oauth2/authorize?client_id=${discord.applicationId}&scope=bot+applications.commands&permissions=277025508352`);
    // ffmpeg is optional: found on PATH (real frames) or not (the prompt's image or a poster), never a problem
    expect(out).toMatch(/(✔ ffmpeg version \S+ at \S+: video thumbnails are real frames|· no ffmpeg on PATH: video thumbnails are the prompt's image or a generated poster)/);
    expect(out).not.toContain('✖');
    expect(out.trim().split('\n').at(-1)).toBe('Ready: everything this deployment needs is in place.');
    for (const secret of [TG_TOKEN, NEMO_TOKEN, discord.token]) expect(out).not.toContain(secret);
  }, 60_000);

  it('fails a broken deployment with a fix for each problem', async () => {
    const wrongTelegram = '5550002468:AAE-not-the-right-token-zyxwvutsrqpo';
    const wrongNemo = 'nmv_usr_this_token_is_unknown_here';
    const doctor = runTs(CLI, ['doctor'], {
      REDIS_URL: badRedis.url,
      NEMO_API_URL: sim.url,
      NEMO_TOKEN: wrongNemo,
      TELEGRAM_BOT_TOKEN: wrongTelegram,
      TELEGRAM_API_ROOT: telegram.url,
      DISCORD_TOKEN: strictDiscord.token,
      DISCORD_API_URL: strictDiscord.restUrl,
      DISCORD_MESSAGE_CONTENT: 'true',
      FFMPEG_PATH: '/nonexistent/ffmpeg',
    });
    const invalid = runTs(CLI, ['doctor'], { ROLE: 'boss', WORKER_CONCURRENCY: 'lots' });
    const [code, invalidCode] = await Promise.all([doctor.exited, invalid.exited]);
    const out = doctor.output();
    expect(code, out).toBe(1);
    const problems = out.split('\n').filter((l) => l.trimStart().startsWith('✖'));
    expect(problems.map((l) => l.trim())).toEqual([
      '✖ maxmemory-policy is allkeys-lru: Redis may evict queued jobs and their locks',
      '✖ persistence is off: a Redis restart loses every queued job and session',
      '✖ NEMO_TOKEN was rejected by Nemo',
      '✖ TELEGRAM_BOT_TOKEN was rejected by Telegram (getMe: unauthorized)',
      '✖ DISCORD_MESSAGE_CONTENT=true, but the Message Content intent is off for this application (the gateway would refuse the login)',
    ]);
    // Every problem is followed by its fix.
    const lines = out.split('\n');
    for (const p of problems) expect(lines[lines.indexOf(p) + 1]).toMatch(/^\s+fix: \S/);
    expect(out).toContain('fix: `redis-cli CONFIG SET maxmemory-policy noeviction` now');
    expect(out).toContain('fix: copy the token again from @BotFather');
    expect(out).toContain('Privileged Gateway Intents → Message Content Intent');
    expect(out).toMatch(/! ffmpeg at \/nonexistent\/ffmpeg does not run \(.*ENOENT.*\): video thumbnails are the prompt's image or a generated poster\n\s+fix: point FFMPEG_PATH at an ffmpeg executable/);
    expect(out).toMatch(/5 problems to fix, \d+ warnings?: this deployment will not work as configured\.$/m);
    for (const secret of [wrongTelegram, wrongNemo, strictDiscord.token]) expect(out).not.toContain(secret);

    expect(invalidCode).toBe(1);
    expect(invalid.output()).toMatch(/✖ ROLE: .*\n\s+fix: fix this variable in \.env/);
    expect(invalid.output()).toMatch(/✖ WORKER_CONCURRENCY: /);
  }, 60_000);
});
