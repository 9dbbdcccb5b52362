/**
 * (a) Concurrent turns: N SSE streams sending heartbeats into one worker process.
 *
 * Baseline: bare undici + eventsource-parser over the same N streams from the same simulator, in a
 * process of its own. Product: one nemo-bot worker with default settings running N chat turns.
 * Each side runs in a fresh child process; the simulator runs here, in the parent, so its work is
 * not counted. Measured over a window once all N streams are open: RSS, CPU per stream-minute,
 * event-loop delay p99 and Redis commands per second (also Redis bytes per waiting job).
 *
 *   TURNS_N (1000,5000,10000)  TURNS_WINDOW_MS (30000)  TURNS_HEARTBEAT_MS (5000)
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { dropPrefix } from '../test/helpers/common.js';
import { startNemoSim, type NemoSim } from '../nemo-sim/index.js';
import { startPrivateRedis } from './lib/redis-server.js';
import { benchMain, newReport, row, type BenchReport } from './lib/report.js';
import { sleep, waitUntil } from './lib/processes.js';

const CHILD = fileURLToPath(new URL('./lib/turns-child.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url));
const TOKEN = 'nmv_usr_turns_bench_shared_token';

interface Sample {
  rss: number;
  idleRss: number;
  cpuMs: number;
  windowMs: number;
  loopP99Ms: number;
  redisPerSec: number;
  bytesPerJob?: number;
  gcMaxMs: number;
  gcTotalMs: number;
  heapUsed: number;
  opened?: number;
}

const openTurns = (sim: NemoSim) => {
  let n = 0;
  for (const s of sim.sessions.values()) n += s.activeTurns;
  return n;
};

/** Redis memory of the jobs of a prefix, per job (job hashes, lines, statuses, claims). */
async function bytesPerJob(redisUrl: string, prefix: string, jobs: number): Promise<number> {
  const r = new Redis(redisUrl);
  let cursor = '0';
  let bytes = 0;
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const sizes = await Promise.all(keys.map((k) => r.memory('USAGE', k).catch(() => 0)));
    bytes += sizes.reduce<number>((a, b) => a + Number(b ?? 0), 0);
  } while (cursor !== '0');
  r.disconnect();
  return bytes / jobs;
}

async function measure(mode: 'baseline' | 'product', n: number, windowMs: number, heartbeatMs: number): Promise<Sample> {
  const redis = await startPrivateRedis();
  const REDIS_URL = redis.url;
  const sim = await startNemoSim({ editTurnMs: 3_600_000, turnMs: 3_600_000, heartbeatMs, staticTokens: { [TOKEN]: { credits: 1e12 } } });
  const prefix = `bturns-${randomBytes(3).toString('hex')}`;
  let opened = 0;
  const child = fork(CHILD, [], {
    execArgv: [...(process.env.TURNS_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', TSX],
    env: { PATH: process.env.PATH ?? '', TURNS_HEAP_SNAPSHOT_DIR: process.env.TURNS_HEAP_SNAPSHOT_DIR ?? '', BENCH_MODE: mode, BENCH_N: String(n), NEMO_API_URL: sim.url, NEMO_TOKEN: TOKEN, REDIS_URL, QUEUE_PREFIX: prefix },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (what: string) => new Promise<Record<string, number | string>>((resolve, reject) => {
    const onMsg = (m: Record<string, number | string>) => {
      if (m.ok === what) {
        child.off('message', onMsg);
        resolve(m);
      }
    };
    child.on('message', onMsg);
    child.once('exit', (code) => reject(new Error(`${mode} child exited (${code}) before "${what}"`)));
  });
  try {
    await next('ready');
    // All N open, or (at the largest sizes, where a few connects fail under the burst) at least 99.5 %
    // open and no change for 20 s: the measurement then says how many were open.
    let lastReport = Date.now();
    let last = -1;
    let stableSince = Date.now();
    await waitUntil(() => {
      const open = openTurns(sim);
      if (open !== last) [last, stableSince] = [open, Date.now()];
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        process.stderr.write(`  ${mode} N=${n}: ${open} streams open, ${sim.sessions.size} sessions\n`);
      }
      return open >= n || (open >= 0.995 * n && Date.now() - stableSince > 20_000);
    }, 600_000, `${n} open streams (${mode})`, 250);
    opened = openTurns(sim);
    await sleep(Math.min(5_000, heartbeatMs)); // settle: startup work done, only heartbeats flow
    child.send({ cmd: 'start' });
    await next('started');
    await sleep(windowMs);
    child.send({ cmd: 'end' });
    const res = (await next('result')) as unknown as Sample;
    res.opened = opened;
    if (mode === 'product') res.bytesPerJob = await bytesPerJob(REDIS_URL, prefix, n);
    child.send({ cmd: 'stop' });
    await new Promise((r) => child.once('exit', r));
    return res;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await sim.close();
    if (redis.private) await redis.stop();
    else await dropPrefix(prefix);
  }
}

export async function run(o: { sizes?: number[]; windowMs?: number; heartbeatMs?: number } = {}): Promise<BenchReport> {
  const sizes = o.sizes ?? (process.env.TURNS_N ?? '1000,5000,10000').split(',').map(Number);
  const windowMs = o.windowMs ?? Number(process.env.TURNS_WINDOW_MS ?? 30_000);
  const heartbeatMs = o.heartbeatMs ?? Number(process.env.TURNS_HEARTBEAT_MS ?? 5_000);
  const rep = newReport('turns', { sizes, windowMs, heartbeatMs, settings: 'defaults (one worker)' });
  const MiB = 1024 * 1024;
  for (const n of sizes) {
    let base: Sample, prod: Sample;
    try {
      base = await measure('baseline', n, windowMs, heartbeatMs);
      prod = await measure('product', n, windowMs, heartbeatMs);
    } catch (err) {
      rep.notes.push(`N=${n}: did not complete: ${(err as Error).message}`);
      continue;
    }
    const perStreamMin = (s: Sample) => s.cpuMs / (n * (s.windowMs / 60_000));
    rep.rows.push(
      row({ name: `N=${n} streams open`, baseline: base.opened ?? n, value: prod.opened ?? n, unit: '' }),
      row({ name: `N=${n} RSS`, baseline: base.rss / MiB, value: prod.rss / MiB, unit: 'MiB', target: '≤ 2× baseline', maxRatio: 2 }),
      row({ name: `N=${n} RSS per stream`, baseline: (base.rss - base.idleRss) / n / 1024, value: (prod.rss - prod.idleRss) / n / 1024, unit: 'KiB' }),
      row({ name: `N=${n} CPU per stream-minute`, baseline: perStreamMin(base), value: perStreamMin(prod), unit: 'ms', target: '≤ 2× baseline', maxRatio: 2 }),
      row({ name: `N=${n} event-loop delay p99`, baseline: base.loopP99Ms, value: prod.loopP99Ms, unit: 'ms', target: '≤ 20 ms', max: 20 }),
      row({ name: `N=${n} longest GC pause`, baseline: base.gcMaxMs, value: prod.gcMaxMs, unit: 'ms' }),
      row({ name: `N=${n} JS heap used`, baseline: base.heapUsed / MiB, value: prod.heapUsed / MiB, unit: 'MiB' }),
      row({ name: `N=${n} Redis commands/s`, value: prod.redisPerSec, unit: '/s' }),
      row({ name: `N=${n} Redis bytes per waiting job`, value: prod.bytesPerJob ?? 0, unit: 'B' }),
    );
  }
  return rep;
}

benchMain(import.meta.url, () => run());
