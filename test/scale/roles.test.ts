/**
 * Bot and worker processes scaled apart, as deployed: `src/main.ts` started twice with ROLE=bot and
 * twice with ROLE=worker against one Redis, the fake Telegram Bot API and the Nemo simulator. A DM
 * photo comes back as one MP4; the bot holding the poll lease is killed (found by the pid in the
 * lease owner) and the standby takes the lease over; every worker is killed mid-turn and a fresh one
 * resumes the job, which loses nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram, makeUser, privateChat } from '../fakes/telegram/index.js';
import { dropPrefix, testEnv, uniquePrefix } from '../helpers/harness.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';
import { Redis } from 'ioredis';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const JPG = readFileSync(fileURLToPath(new URL('../fixtures/input.jpg', import.meta.url)));
const TOKEN = '5550001234:AAE-roles-test-token-abcdefghijklmnop';

describe('ROLE=bot and ROLE=worker processes apart', () => {
  let sim: NemoSim;
  let fake: FakeTelegram;
  const prefix = uniquePrefix('roles');
  const procs: ChildProcess[] = [];
  let env: Record<string, string>;

  const start = (role: 'bot' | 'worker') => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN], { env: { ...process.env, ...env, ROLE: role }, stdio: ['ignore', 'ignore', 'inherit'] });
    procs.push(child);
    return child;
  };
  const waitFor = async <T>(fn: () => T | undefined | false | Promise<T | undefined | false>, ms: number, what: string): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  /** The pid in the poll lease's owner (`host:pid:uuid`). */
  const leaseOwnerPid = async () => {
    const redis = new Redis(env.REDIS_URL!);
    const owner = await redis.get(`${prefix}:telegram:poll-lease`);
    redis.disconnect();
    return owner?.split(':')[1];
  };

  beforeAll(async () => {
    sim = await startNemoSim({ turnMs: 2500, heartbeatMs: 100, renderStepMs: 150 });
    fake = await FakeTelegram.start({ token: TOKEN });
    env = testEnv(prefix, {
      NEMO_API_URL: sim.url,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_POLL_LEASE_MS: '1500',
      LOG_LEVEL: 'warn',
      JOB_LOCK_DURATION_MS: '1500',
      TURN_RECOVERY_FIRST_MS: '500',
      TURN_RECOVERY_INTERVAL_MS: '1500',
      DISCORD_TOKEN: '',
    });
  });
  afterAll(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await fake?.close();
    await sim?.close();
    await dropPrefix(prefix);
    sim?.assertNoViolations(); // the bot kept the Nemo contract throughout
  });

  it('delivers one MP4 through separate processes, surviving a bot and a worker SIGKILL', async () => {
    const bots = [start('bot'), start('bot')];
    const workers = [start('worker'), start('worker')];
    await waitFor(() => fake.callsTo('getUpdates').length > 0, 60_000, 'a bot to poll'); // four cold starts on a busy box

    const user = makeUser('Mei', { id: 9001, language_code: 'zh-CN' });
    fake.userPhoto({ chat: privateChat(user), from: user, caption: '把这张图做成 5 秒的动画视频 video', bytes: JPG });
    const ack = await waitFor(() => fake.sent(user.id).find((m) => m.text?.includes('收到')), 20_000, 'the Chinese acknowledgement');
    expect(ack.text).toContain('📝');

    // Kill the bot that holds the poll lease (its owner names its pid), so the standby must take over,
    // and every worker mid-turn (so the one running the turn surely dies); a fresh worker resumes it.
    await waitFor(() => sim.requestsTo('run_sse').length === 1, 20_000, 'the turn to start');
    const ownerPid = await leaseOwnerPid();
    const poller = bots.find((b) => ownerPid === String(b.pid));
    expect(poller, `poll lease owner pid ${ownerPid}`).toBeDefined();
    const standby = bots.find((b) => b !== poller)!;
    poller!.kill('SIGKILL');
    for (const w of workers) w.kill('SIGKILL');
    start('worker');
    // The standby now polls: it took the lease.
    await waitFor(async () => (await leaseOwnerPid()) === String(standby.pid), 20_000, 'the standby bot to take the poll lease');

    const video = await waitFor(() => fake.sent(user.id).find((m) => m.kind === 'video'), 60_000, 'the video');
    expect(video.file!.bytes.equals(sim.fixture.bytes)).toBe(true);
    expect(sim.requestsTo('run_sse')).toHaveLength(1);

    // The surviving bot process still answers.
    fake.userText({ chat: privateChat(user), from: user, text: '/credits' });
    await waitFor(() => fake.sent(user.id).find((m) => /积分：可用/.test(m.text ?? '')), 30_000, 'the credits answer');
    await new Promise((r) => setTimeout(r, 1000));
    expect(fake.sent(user.id).filter((m) => m.kind === 'video')).toHaveLength(1);
  }, 180_000);
});
