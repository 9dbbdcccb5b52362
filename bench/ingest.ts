/**
 * Bench (d) ingest: how fast a user sees the acknowledgement, through the real product path.
 *
 * Ack latency = from the moment the fake Telegram has the update available (it is queued and handed
 * to the pending long poll) to the moment the bot's acknowledgement (`sendMessage` to that chat)
 * arrives at the fake. The product runs as `npm start` does — `src/main.ts` in a child process,
 * ROLE=all (long polling + ingress + worker in one process), against real Redis and the Nemo
 * simulator (its own process, generations of 30-90 s, so worker slots stay busy with open SSE
 * turns while the acks are measured). The fake Telegram runs in this process.
 *
 *   1. steady: BENCH_INGEST_RATE (200) text messages per second for BENCH_INGEST_SECONDS (10),
 *      each from its own private chat; target: ack p99 ≤ 100 ms.
 *   2. burst:  BENCH_BURST (1000) photo messages with a caption, distinct chats, within
 *      BENCH_BURST_SECONDS (1); target: every ack within 2 s.
 *
 * Baseline, measured in the same run: a bare client (its own process, undici) sending sendMessage to
 * the same fake at the same rate and count — the fake server's own round trip.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { User } from 'grammy/types';
import { FakeTelegram, makeUser, privateChat } from '../test/fakes/telegram/index.js';
import { dropPrefix, REDIS_URL } from '../test/helpers/common.js';
import { cpuSeconds, ROOT, spawnTs, startSimChild, waitUntil, type Child } from './lib/children.js';
import { pace } from './lib/pace.js';
import { benchMain, newReport, percentile, row, type BenchReport } from './lib/report.js';

export interface IngestOptions {
  /** Steady phase: messages per second, and for how long. */
  rate: number;
  seconds: number;
  /** Burst phase: how many photo messages, within how many seconds. */
  burst: number;
  burstSeconds: number;
  /** How long to wait for the last acknowledgements of a phase. */
  drainMs: number;
}

const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);

export function optionsFromEnv(env = process.env): IngestOptions {
  return {
    rate: num(env.BENCH_INGEST_RATE, 200),
    seconds: num(env.BENCH_INGEST_SECONDS, 10),
    burst: num(env.BENCH_BURST, 1000),
    burstSeconds: num(env.BENCH_BURST_SECONDS, 1),
    drainMs: num(env.BENCH_DRAIN_MS, 30_000),
  };
}

const TOKEN = '6660001234:AAE-bench-ingest-token-abcdefghijklm';
const JPG = readFileSync(path.join(ROOT, 'test/fixtures/input.jpg'));

interface PhaseResult {
  /** Ack latency per message, ms (NaN: no ack within the drain time). */
  latencies: number[];
  /** Bot process CPU seconds during the phase. */
  cpu: number | undefined;
  /** This process's (the fake Telegram's) event-loop delay p99 during the phase, ms: how much the harness itself lagged. */
  harnessLagP99: number;
  /** getUpdates requests the bot made during the phase. */
  polls: number;
  wallSeconds: number;
}

/** Start the product against `fake` and `simUrl` with its own key prefix; resolves once it polls. */
async function startBot(fake: FakeTelegram, simUrl: string, prefix: string, tempDir: string): Promise<Child> {
  // BENCH_CPU_PROF=<dir>: write a V8 CPU profile of the bot process there (evidence for a missed target).
  const prof = process.env.BENCH_CPU_PROF;
  const child = spawnTs('src/main.ts', {
    ROLE: 'all',
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    NEMO_API_URL: simUrl,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: fake.url,
    DISCORD_TOKEN: '',
    LOG_LEVEL: 'warn',
    TEMP_DIR: tempDir,
  }, prof ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${prof}`] } : {});
  await waitUntil(() => fake.callsTo('getUpdates').length > 0, 30_000, 'the bot to poll', child);
  return child;
}

/** When the first sendMessage to each chat arrived, by chat id; reads only the calls added since last time. */
class AckTimes {
  private readonly at = new Map<number, number>();
  private seen = 0;

  constructor(private readonly fake: FakeTelegram) {}

  get(): Map<number, number> {
    const calls = this.fake.calls;
    for (; this.seen < calls.length; this.seen++) {
      const c = calls[this.seen]!;
      if (c.method !== 'sendMessage' || !c.ok) continue;
      const chat = Number(c.payload.chat_id);
      if (!this.at.has(chat)) this.at.set(chat, c.at);
    }
    return this.at;
  }
}

/** Push `count` updates at `rate`/s (one chat each) and collect each ack's latency. */
async function measure(fake: FakeTelegram, bot: Child, users: User[], rate: number, drainMs: number, push: (u: User, i: number) => void): Promise<PhaseResult> {
  const pushedAt: number[] = [];
  const cpu0 = cpuSeconds(bot.proc.pid);
  const polls0 = fake.callsTo('getUpdates').length;
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const t0 = performance.now();
  await pace(rate, users.length, async (i) => {
    pushedAt[i] = Date.now();
    push(users[i]!, i);
  });
  const acks = new AckTimes(fake);
  await waitUntil(() => users.every((u) => acks.get().has(u.id)), drainMs, 'every acknowledgement', bot).catch(() => undefined);
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuSeconds(bot.proc.pid);
  lag.disable();
  const latencies = users.map((u, i) => {
    const at = acks.get().get(u.id);
    return at === undefined ? NaN : at - pushedAt[i]!;
  });
  return { latencies, cpu: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined, wallSeconds, harnessLagP99: lag.percentile(99) / 1e6, polls: fake.callsTo('getUpdates').length - polls0 };
}

/** The baseline: a bare client's sendMessage round trips to `fake`, same rate and count, own process. */
async function echoBaseline(fake: FakeTelegram, rate: number, count: number, chatBase: number): Promise<number[]> {
  for (let i = 0; i < count; i++) fake.chats.add(privateChat(makeUser(`echo${i}`, { id: chatBase + i })));
  const child = spawnTs('bench/lib/echo-client.ts', { ECHO_URL: `${fake.url}/bot${TOKEN}`, ECHO_RATE: String(rate), ECHO_COUNT: String(count), ECHO_CHAT_BASE: String(chatBase) });
  const code = await child.exited;
  if (code !== 0) throw new Error(`echo client failed (${code}):\n${child.stderrTail()}`);
  return (JSON.parse(child.stdout().trim().split('\n').pop() ?? '{}') as { latencies: number[] }).latencies;
}

const users = (count: number, base: number): User[] => Array.from({ length: count }, (_, i) => makeUser(`u${base + i}`, { id: base + i }));

/** A few messages first, so connections, JIT and Redis scripts are warm (not measured). */
async function warmUp(fake: FakeTelegram, bot: Child): Promise<void> {
  const warm = users(10, 90_000_000);
  for (const u of warm) fake.userText({ chat: privateChat(u), from: u, text: 'warm up: a short clip of waves' });
  const acks = new AckTimes(fake);
  await waitUntil(() => warm.every((u) => acks.get().has(u.id)), 30_000, 'the warm-up acknowledgements', bot);
}

async function phase(simUrl: string, run: (fake: FakeTelegram, bot: Child) => Promise<PhaseResult>): Promise<PhaseResult> {
  const fake = await FakeTelegram.start({ token: TOKEN });
  const prefix = `bench-ingest-${randomBytes(3).toString('hex')}`;
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
  const bot = await startBot(fake, simUrl, prefix, tempDir);
  try {
    await warmUp(fake, bot);
    return await run(fake, bot);
  } finally {
    await bot.stop();
    await fake.close();
    await dropPrefix(prefix);
    rmSync(tempDir, { recursive: true, force: true });
  }
}

const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));

export async function run(partial: Partial<IngestOptions> = {}): Promise<BenchReport> {
  const o = { ...optionsFromEnv(), ...partial };
  const steadyCount = Math.max(1, Math.round(o.rate * o.seconds));
  const burstRate = o.burst / o.burstSeconds;
  const report = newReport('ingest', { ...o, role: 'all', redis: REDIS_URL, sim: 'own process, generations 30-90 s' });
  const loadAtStart = os.loadavg();
  const sim = await startSimChild();
  try {
    // 1. Steady rate.
    let echoSteady: number[] = [];
    const steady = await phase(sim.url, async (fake, bot) => {
      echoSteady = await echoBaseline(fake, o.rate, steadyCount, 80_000_000);
      const list = users(steadyCount, 10_000_000);
      return measure(fake, bot, list, o.rate, o.drainMs, (u, i) => fake.userText({ chat: privateChat(u), from: u, text: `make a 5-second clip of scene ${i}` }));
    });
    // 2. Burst of photos.
    let echoBurst: number[] = [];
    const burst = await phase(sim.url, async (fake, bot) => {
      echoBurst = await echoBaseline(fake, burstRate, o.burst, 81_000_000);
      const list = users(o.burst, 20_000_000);
      return measure(fake, bot, list, burstRate, o.drainMs, (u) => fake.userPhoto({ chat: privateChat(u), from: u, caption: 'turn this image into a 5-second animated video clip', bytes: JPG }));
    });

    const s = finite(steady.latencies);
    const es = finite(echoSteady);
    const b = finite(burst.latencies);
    const eb = finite(echoBurst);
    report.rows.push(
      row({ name: `steady ${o.rate}/s × ${o.seconds} s: acks received`, value: s.length, unit: 'msgs', target: `= ${steadyCount}`, min: steadyCount }),
      row({ name: `steady ${o.rate}/s: ack p50`, baseline: percentile(es, 50), value: percentile(s, 50), unit: 'ms' }),
      row({ name: `steady ${o.rate}/s: ack p99`, baseline: percentile(es, 99), value: percentile(s, 99), unit: 'ms', target: '≤ 100 ms', max: 100 }),
      row({ name: `steady ${o.rate}/s: ack max`, baseline: Math.max(...es), value: Math.max(...s), unit: 'ms' }),
      row({ name: `burst ${o.burst} photos in ${o.burstSeconds} s: acks received`, value: b.length, unit: 'msgs', target: `= ${o.burst}`, min: o.burst }),
      row({ name: `burst: ack p50`, baseline: percentile(eb, 50), value: percentile(b, 50), unit: 'ms' }),
      row({ name: `burst: ack p99`, baseline: percentile(eb, 99), value: percentile(b, 99), unit: 'ms' }),
      row({ name: `burst: ack max`, baseline: Math.max(...eb), value: Math.max(...b), unit: 'ms', target: '≤ 2000 ms', max: 2000 }),
    );
    const cores = (p: PhaseResult) => (p.cpu === undefined ? 'n/a' : (p.cpu / p.wallSeconds).toFixed(2));
    report.notes.push(
      'ack = the first sendMessage to the chat at the fake; latency from the update being queued at the fake (Date.now(), ms resolution)',
      'baseline = a bare undici client process sending sendMessage to the same fake at the same rate (round trip)',
      `bot process (ROLE=all) CPU during the phase: steady ${cores(steady)} cores, burst ${cores(burst)} cores (of ${report.machine.cores})`,
      `getUpdates requests during the phase: steady ${steady.polls} (${(steady.polls / steadyCount).toFixed(2)} per message), burst ${burst.polls} (${(burst.polls / o.burst).toFixed(2)} per message)`,
      `fake Telegram (this process) event-loop delay p99: steady ${steady.harnessLagP99.toFixed(1)} ms, burst ${burst.harnessLagP99.toFixed(1)} ms (part of every latency above)`,
      `load average (1 min) at start ${loadAtStart[0]!.toFixed(2)}, at end ${os.loadavg()[0]!.toFixed(2)} (the machine is shared)`,
    );
  } finally {
    await sim.child.stop();
  }
  return report;
}

benchMain(import.meta.url, () => run());
