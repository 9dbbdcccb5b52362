/**
 * The crash chaos run: conversations keep sending jobs (some with a file) while the worker process is
 * SIGKILLed at random moments of a chosen phase (upload, SSE turn, render poll, download, delivery)
 * and a warm standby takes over; then bot processes are killed between a message's arrival and its
 * enqueue. Every job must end exactly once: delivered once, or failed with a message.
 */
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/platforms/config.js';
import { jobIdFor } from '../../src/core/job-data.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime } from '../../src/runtime.js';
import { startNemoSim, type EndpointName } from '../../nemo-sim/index.js';
import { dropPrefix, message, testEnv, uniquePrefix } from '../helpers/harness.js';
import { RecordingOutbox } from '../helpers/recording-outbox.js';
import { startOutboxServer } from '../helpers/remote-outbox.js';
import { sleep } from '../helpers/common.js';
import { formatFigures, jobEnd, orphanedRenders, resentTurns, type ChaosFigures } from './figures.js';
import { sigkill, WorkerPool } from './processes.js';

export interface ChaosOptions {
  kills: number;
  botKills: number;
  conversations: number;
  /** Progress lines (the CLI prints them). */
  log?: (line: string) => void;
}

const PHASES = ['upload', 'sse', 'poll', 'download', 'delivery'] as const;
type Phase = (typeof PHASES)[number];
const PHASE_ENDPOINTS: Record<Exclude<Phase, 'delivery'>, EndpointName[]> = { upload: ['upload'], sse: ['run_sse'], poll: ['render_poll'], download: ['output', 'render_download'] };
/** Random wait after the phase is seen, before the kill: within the phase's typical length here. */
const PHASE_JITTER_MS: Record<Phase, number> = { upload: 20, sse: 400, poll: 60, download: 20, delivery: 10 };
const PHOTO = fileURLToPath(new URL('../fixtures/input.jpg', import.meta.url));
const JOB_END_TIMEOUT_MS = 90_000;

export async function runChaos(opts: ChaosOptions): Promise<ChaosFigures> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const sim = await startNemoSim({ turnMs: 600, heartbeatMs: 50, renderStepMs: 250, editTurnMs: 100, anonymousTokensPerAddress: 100_000, initialCredits: 1_000_000_000 });
  const outbox = new RecordingOutbox();
  const server = await startOutboxServer(outbox);
  const prefix = uniquePrefix('chaos');
  const env = testEnv(prefix, {
    NEMO_API_URL: sim.url,
    OUTBOX_URL: server.url,
    // Short enough to recover quickly from a kill, long enough that a busy 2-core box keeps its locks.
    JOB_LOCK_DURATION_MS: '2500',
    JOB_STALLED_INTERVAL_MS: '300',
    RENDER_POLL_INTERVAL_MS: '150',
    TURN_RECOVERY_FIRST_MS: '300',
    TURN_RECOVERY_INTERVAL_MS: '500',
    STILL_WORKING_INTERVAL_MS: '600000',
    INBOX_REPLAY_AFTER_MS: '1000',
  });
  // This process is the platform side and one bot process (ingress + inbox); workers are children.
  const bot = await startRuntime({ config: loadConfig(env), logger: silentLogger, outboxes: { test: outbox }, runWorker: false });
  const pool = new WorkerPool(env);
  const jobs: Array<{ chat: string; tag: string }> = [];
  const phases: Record<string, number> = {};
  let kills = 0;
  let botKillsBeforeEnqueue = 0;
  try {
    await pool.start();
    let feeding = true;
    const feeders = Array.from({ length: opts.conversations }, async (_, c) => {
      for (let j = 0; feeding; j++) {
        const tag = `[c${c}j${j}]`;
        const chat = `chaos-${c}`;
        jobs.push({ chat, tag });
        // Every other job brings a photo, so uploads happen too.
        const attachments = j % 2 === 0 ? [{ name: 'input.jpg', sizeBytes: 1000, source: { kind: 'path' as const, path: PHOTO } }] : [];
        await bot.ingress.accept(message(chat, `${tag} make a video of chaos number ${c}.${j}`, { userId: `u${c}`, attachments }));
        const until = Date.now() + JOB_END_TIMEOUT_MS;
        while (!jobEnd(outbox, chat, tag).end && Date.now() < until) await sleep(100);
      }
    });

    // Bot kills, alongside: a message reaches a bot process, which dies as soon as the message is in its inbox.
    const botKilling = (async () => {
      const bots = await Promise.all(Array.from({ length: opts.botKills }, () => pool.bot()));
      for (const [b, child] of bots.entries()) {
        const tag = `[b${b}]`;
        const chat = `chaos-bot-${b}`;
        const msg = message(chat, `${tag} make a video of a crashed bot number ${b}`, { userId: `ub${b}` });
        jobs.push({ chat, tag });
        const id = jobIdFor('test', msg.conversationKey, msg.messageId);
        child.send(msg);
        const deadline = Date.now() + 10_000;
        while (!(await bot.redis.hexists(bot.services.keys.inbox('msgs'), id)) && Date.now() < deadline) await sleep(1);
        await sigkill(child);
        if ((await bot.services.jobs.state(id)) === 'missing') botKillsBeforeEnqueue++;
        log(`bot kill ${b + 1}/${opts.botKills}`);
        await sleep(500);
      }
    })();

    // Worker kills at a random moment of a phase: the next phase to happen among those killed least so far.
    for (let k = 0; k < opts.kills; k++) {
      const least = Math.min(...PHASES.map((p) => phases[p] ?? 0));
      const phase = await nextPhase(PHASES.filter((p) => (phases[p] ?? 0) === least), 8_000);
      await sleep(Math.random() * PHASE_JITTER_MS[phase ?? 'delivery']);
      await pool.killActive();
      kills++;
      const name = phase ?? 'other';
      phases[name] = (phases[name] ?? 0) + 1;
      log(`kill ${kills}/${opts.kills} (${name}) at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    feeding = false;

    await botKilling;
    await Promise.all(feeders);
    const until = Date.now() + JOB_END_TIMEOUT_MS;
    while (jobs.some((j) => !jobEnd(outbox, j.chat, j.tag).end) && Date.now() < until) await sleep(200);
    // Every job has ended: give a late duplicate (a second post of one of them) a moment to show itself.
    await sleep(3_000);
  } finally {
    await pool.close();
    await bot.close();
    await server.close();
    await sim.close();
    await dropPrefix(prefix);
  }

  const ends = jobs.map((j) => jobEnd(outbox, j.chat, j.tag));
  const orphans = orphanedRenders(sim);
  const figures: ChaosFigures = {
    kills,
    jobs: jobs.length,
    delivered: ends.filter((e) => e.end === 'delivered').length,
    'failed-with-message': ends.filter((e) => e.end === 'failed').length,
    lost: ends.filter((e) => !e.end).length,
    duplicates: ends.reduce((n, e) => n + Math.max(0, e.videos - 1), 0),
    resent: resentTurns(sim),
    orphaned: orphans.length,
    phases,
    botKills: opts.botKills,
    botKillsBeforeEnqueue,
    seconds: (Date.now() - started) / 1000,
  };
  log(formatFigures(figures));
  if (process.env.CHAOS_DEBUG) {
    for (const [i, j] of jobs.entries()) {
      if (ends[i]!.end === 'delivered') continue;
      log(`${j.tag} ${ends[i]!.end ?? 'LOST'}: ${ends[i]!.texts.map((t) => t.replace(/\n/g, ' | ').slice(0, 200)).join(' // ')}`);
    }
    for (const id of orphans) log(`orphaned render ${id}`);
    const turns = sim.requestsTo('run_sse').map((r) => ({ at: r.at - started, text: JSON.stringify(r.body).slice(60, 140) }));
    for (const t of turns) if (turns.filter((u) => u.text === t.text).length > 1) log(`resent at ${t.at} ms: ${t.text}`);
  }
  return figures;

  /** Wait for a fresh event of one of `wanted`, and return its phase (undefined after `ms`). */
  async function nextPhase(wanted: Phase[], ms: number): Promise<Phase | undefined> {
    const count = (phase: Phase) => (phase === 'delivery' ? outbox.messages.filter((m) => m.kind === 'video').length : PHASE_ENDPOINTS[phase].reduce((n, e) => n + sim.requestsTo(e).length, 0));
    const before = wanted.map(count);
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const i = wanted.findIndex((p, n) => count(p) > before[n]!);
      if (i >= 0) return wanted[i];
      await sleep(2);
    }
    return undefined;
  }
}
