/**
 * One scale-out run, as deployed: 2 bot-role and 3 worker-role processes (`src/main.ts`) against one
 * Redis or a Redis Cluster, the Nemo simulator and the fake Telegram Bot API. N users each send a
 * photo with a prompt; midway (by default once every message has reached Nemo and the turns stream)
 * one worker is SIGKILLed. Counted: users who
 * got their video, extra copies (duplicates), users who got none (lost), and the wall time from the
 * first message to the last first video.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { FakeTelegram, makeUser, privateChat } from '../../test/fakes/telegram/index.js';
import { startNemoSim } from '../../nemo-sim/index.js';
import { sleep, waitUntil } from './processes.js';
import { freePort } from '../../adapters/console/local-redis.js';
import { dropPrefix } from '../../test/helpers/common.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const JPG = readFileSync(fileURLToPath(new URL('../../test/fixtures/input.jpg', import.meta.url)));
const TOKEN = '5550007777:AAE-scale-out-token-abcdefghijklmnopq';

export interface ScaleOutOptions {
  conversations: number;
  redisUrl: string;
  cluster: boolean;
  bots?: number;
  workers?: number;
  /** Simulated generation time of one turn. */
  turnMs?: number;
  /**
   * When the worker is killed: `all-sent` (default) once every turn's message has reached Nemo, so
   * the kill lands mid-stream, mid-render or mid-delivery; `half-sent` once half have, which can also
   * land between a job saving "sent" and its request reaching Nemo (see the note in bench/scale-out.ts).
   */
  killAt?: 'all-sent' | 'half-sent';
  /** The cluster's node ports, to report how the keys spread over them. */
  clusterPorts?: number[];
}

export interface ScaleOutResult {
  redis: 'cluster' | 'single';
  conversations: number;
  delivered: number;
  duplicates: number;
  lost: number;
  wallMs: number;
  /** A worker was SIGKILLed midway. */
  workerKilled: boolean;
  /** Keys of this run on each cluster node at the end (cluster runs). */
  keysPerNode?: number[];
  /** For each lost conversation, the last messages the user got (diagnosis). */
  lostTrail: string[][];
}

async function ready(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200;
  } catch {
    return false;
  }
}

export async function runScaleOut(o: ScaleOutOptions): Promise<ScaleOutResult> {
  const n = o.conversations;
  const sim = await startNemoSim({ turnMs: o.turnMs ?? 2_000, heartbeatMs: 250, renderStepMs: 200 });
  const fake = await FakeTelegram.start({ token: TOKEN });
  const prefix = `scale-${randomBytes(3).toString('hex')}`;
  const procs: ChildProcess[] = [];
  const env = (role: string, port: number): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ROLE: role,
    REDIS_URL: o.redisUrl,
    REDIS_CLUSTER: String(o.cluster),
    QUEUE_PREFIX: prefix,
    NEMO_API_URL: sim.url,
    TELEGRAM_API_ROOT: fake.url,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_POLL_LEASE_MS: '1500',
    HEALTH_PORT: String(port),
    LOG_LEVEL: process.env.SCALE_LOG_LEVEL ?? 'error',
    STILL_WORKING_INTERVAL_MS: '60000',
    PROGRESS_EDIT_INTERVAL_MS: '1000',
    RENDER_POLL_INTERVAL_MS: '200',
    JOB_LOCK_DURATION_MS: '2000',
    JOB_STALLED_INTERVAL_MS: '500',
    TURN_RECOVERY_FIRST_MS: '500',
    TURN_RECOVERY_INTERVAL_MS: '1000',
    TURN_RECOVERY_MAX_CHECKS: '60',
    MAX_QUEUED_PER_USER: '5',
  });
  const start = async (role: string) => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', TSX, MAIN], { env: env(role, port), stdio: ['ignore', process.env.SCALE_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'] });
    procs.push(child);
    return { child, port };
  };
  try {
    const bots: { child: ChildProcess; port: number }[] = [];
    for (let i = 0; i < (o.bots ?? 2); i++) bots.push(await start('bot'));
    const workers: { child: ChildProcess; port: number }[] = [];
    for (let i = 0; i < (o.workers ?? 3); i++) workers.push(await start('worker'));
    for (const p of [...bots, ...workers]) await waitUntil(() => ready(p.port), 60_000, `process on health port ${p.port} to be ready`, 200);
    await waitUntil(() => fake.callsTo('getUpdates').length > 0, 30_000, 'a bot to poll');

    const users = Array.from({ length: n }, (_, i) => makeUser(`User${i}`, { id: 8_100_000 + i }));
    const firstVideoAt = new Map<number, number>();
    const t0 = performance.now();
    for (const u of users) fake.userPhoto({ chat: privateChat(u), from: u, caption: `turn this image into a 5-second animated video clip, scene ${u.id}`, bytes: JPG });

    let workerKilled = false;
    const videos = (id: number) => fake.sent(id).filter((m) => m.kind === 'video' || m.kind === 'document').length;
    await waitUntil(
      () => {
        const killAfter = o.killAt === 'half-sent' ? Math.ceil(n / 2) : n;
        if (!workerKilled && sim.requestsTo('run_sse').length >= killAfter) {
          workers[0]!.child.kill('SIGKILL');
          workerKilled = true;
        }
        for (const u of users) if (!firstVideoAt.has(u.id) && videos(u.id) > 0) firstVideoAt.set(u.id, performance.now());
        return firstVideoAt.size === n;
      },
      120_000 + n * 2_000,
      'every video',
      100,
    ).catch(() => undefined); // report what arrived
    const wallMs = Math.max(0, ...[...firstVideoAt.values()].map((t) => t - t0));
    await sleep(2_000); // a duplicate would show up now
    const counts = users.map((u) => videos(u.id));
    const keysPerNode = o.clusterPorts ? await Promise.all(o.clusterPorts.map((p) => countKeys(`redis://127.0.0.1:${p}`, prefix))) : undefined;
    return {
      ...(keysPerNode ? { keysPerNode } : {}),
      redis: o.cluster ? 'cluster' : 'single',
      conversations: n,
      delivered: counts.filter((c) => c > 0).length,
      duplicates: counts.reduce((a, c) => a + Math.max(0, c - 1), 0),
      lost: counts.filter((c) => c === 0).length,
      lostTrail: users
        .filter((_, i) => counts[i] === 0)
        .map((u) => [
          `run_sse requests with its prompt: ${sim.requestsTo('run_sse').filter((r) => JSON.stringify(r.body).includes(`scene ${u.id}`)).length}`,
          ...fake.sent(u.id).slice(-3).map((m) => `${m.kind}: ${(m.text ?? '').replace(/\n/g, ' | ').slice(0, 160)}`),
        ]),
      wallMs: Math.round(wallMs),
      workerKilled,
    };
  } finally {
    await Promise.all(
      procs.map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGKILL');
        await exited;
      }),
    );
    await fake.close();
    await sim.close();
    if (!o.cluster) await dropPrefix(prefix, o.redisUrl);
  }
}

async function countKeys(url: string, prefix: string): Promise<number> {
  const r = new Redis(url);
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  r.disconnect();
  return n;
}

