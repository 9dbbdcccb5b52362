/**
 * The BullMQ workers: one per lane (see core/lanes.ts), each with a pool sized for its kind of work.
 * They run conversation jobs, keep each conversation's line moving, turn the core's `waitFor` into
 * delayed jobs (waiting holds no slot) and its `moveTo` into a hand-over to another lane.
 *
 * Crash safety comes from BullMQ's stalled-job recovery (a killed worker's jobs return to their
 * queue once their lock expires; JOB_MAX_STALLED_COUNT is raised well above BullMQ's default of 1),
 * from the step data each job saves before its slow calls, and from hand-overs being idempotent: the
 * job is added to the next lane (a no-op when it is already there) before it completes in this one.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { runConversationJob } from '../core/conversation.js';
import type { JobContext } from '../core/job-context.js';
import type { CoreServices } from '../core/services.js';
import { cancelRunningRender, markCancelled } from '../core/cancel.js';
import { leaveLine } from '../core/positions.js';
import { abandonJob } from '../core/abandon.js';
import { LINE_KINDS, type ConversationJobData } from '../core/job-data.js';
import { LANES, laneOf, type Lane } from '../core/lanes.js';
import { KEEP_COMPLETED, KEEP_FAILED, QUEUE_NAMES, type LaneQueues } from './queue.js';
import { bullPrefix } from './cluster.js';
import { PARK_MS } from '../core/defaults.js';

/** Abort reason of a run whose job lock was lost (not a user's /cancel). */
const LOCK_LOST = 'lock-lost';

/** Thrown through the core when a job continues in another lane (control flow, not a failure). */
class HandedOver extends Error {
  override readonly name = 'HandedOver';
}

export interface ConversationWorker {
  workers: Record<Lane, Worker<ConversationJobData>>;
  /** Whether every lane's worker is consuming (for readiness checks). */
  running(): boolean;
  close(): Promise<void>;
}

export function startConversationWorker(svc: CoreServices, connection: Redis, queues: LaneQueues): ConversationWorker {
  const { config } = svc;
  const concurrency: Record<Lane, number> = {
    turn: config.WORKER_CONCURRENCY,
    task: config.TASK_CONCURRENCY,
    transfer: config.TRANSFER_CONCURRENCY,
  };
  const conns: Redis[] = [];
  const make = (lane: Lane) => {
    const conn = connection.duplicate();
    conn.on('error', (err: Error) => svc.log.warn({ err, lane }, 'redis connection error (worker)'));
    conns.push(conn);
    const w = new Worker<ConversationJobData>(QUEUE_NAMES[lane], (job, token, signal) => processJob(svc, queues, lane, job, token, signal), {
      // Each lane blocks on its own connection, so a busy lane never delays another's fetches.
      connection: conn,
      prefix: bullPrefix(config, lane),
      concurrency: concurrency[lane],
      lockDuration: config.JOB_LOCK_DURATION_MS,
      stalledInterval: config.JOB_STALLED_INTERVAL_MS,
      maxStalledCount: config.JOB_MAX_STALLED_COUNT,
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
    });
    w.on('error', (err) => svc.log.error({ err, lane }, 'worker error'));
    // Our lock on these jobs is gone (expired under load): another run may have them already, so stop ours.
    w.on('lockRenewalFailed', (ids: string[]) => {
      for (const id of ids) if (w.cancelJob(id, LOCK_LOST)) svc.log.warn({ jobId: id, lane }, 'job lock lost: stopping this run');
    });
    w.on('failed', (job, err) => {
      svc.log.warn({ err, jobId: job?.id, lane }, 'job attempt failed');
      // Failed by BullMQ itself, never run to an end by us: the user must still hear of it.
      if (job?.id && /^job (stalled|started) more than allowable limit/.test(err.message)) {
        void abandonJob(svc, job.id, job.data, svc.log).catch((e: unknown) => svc.log.error({ err: e, jobId: job.id }, 'could not wind up an abandoned job'));
      }
    });
    return w;
  };
  const workers = Object.fromEntries(LANES.map((l) => [l, make(l)])) as Record<Lane, Worker<ConversationJobData>>;

  // /cancel from any bot process reaches the worker that runs the job.
  const sub = connection.duplicate();
  sub.on('error', (err: Error) => svc.log.warn({ err }, 'redis connection error (cancel subscription)'));
  void sub.subscribe(svc.keys.cancelChannel()).catch((err) => svc.log.error({ err }, 'cancel subscription failed'));
  sub.on('message', (_channel, jobId: string) => {
    for (const w of Object.values(workers)) if (w.cancelJob(jobId, 'cancelled')) svc.log.info({ jobId }, 'cancelled running job');
  });

  return {
    workers,
    running: () => Object.values(workers).every((w) => w.isRunning()),
    async close() {
      // Jobs mid-turn hand themselves back (resumed by another worker) instead of holding shutdown.
      for (const w of Object.values(workers)) w.cancelAllJobs('shutdown');
      await Promise.all(Object.values(workers).map((w) => w.close()));
      svc.gate.stop();
      sub.disconnect();
      for (const c of conns) c.disconnect();
    },
  };
}

/**
 * The run no longer holds the job: BullMQ's lock is gone (it expired while Redis was unreachable)
 * or Redis itself is unreachable or still loading its data after a restart.
 */
export function lostHold(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // ioredis's own signatures only: a bare network error may come from elsewhere and must fail the job.
  return err.name === 'MaxRetriesPerRequestError' || /^(Missing lock for job|Lock mismatch for job)|^Connection is closed\.|^LOADING /.test(err.message);
}

async function processJob(
  svc: CoreServices,
  queues: LaneQueues,
  lane: Lane,
  job: Job<ConversationJobData>,
  token: string | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const id = job.id!;
  const { conv, kind } = job.data;
  const log = svc.log.child({ jobId: id, conv, kind, lane });
  const inLine = LINE_KINDS.has(kind);
  const abort = signal ?? new AbortController().signal;

  if (await svc.redis.exists(svc.keys.cancelled(id))) {
    await cancelRunningRender(svc, job.data, log);
    await markCancelled(svc, id, job.data);
    if (inLine) await leaveLine(svc, job.data, id);
    return;
  }
  const handOver = async (to: Lane): Promise<never> => {
    await queues[to].add(job.data.kind, job.data, { jobId: id });
    log.debug({ to }, 'handed over to another lane');
    throw new HandedOver();
  };
  const belongs = laneOf(job.data);
  if (belongs && belongs !== lane) {
    // Resumed after a crash between the hand-over and this job's completion: finish the hand-over.
    await handOver(belongs).catch((err) => {
      if (!(err instanceof HandedOver)) throw err;
    });
    return;
  }
  const park = async (ms: number, wakeIf?: () => Promise<boolean>): Promise<never> => {
    await job.moveToDelayed(Date.now() + ms, token);
    // The reason to wait may have gone between the check and parking: re-check, so no wake-up is lost.
    if (wakeIf && (await wakeIf())) await job.promote().catch(() => undefined);
    throw new DelayedError();
  };
  if (inLine) {
    const may = await svc.line.mayRun(conv, id);
    if (may === 'gone') return;
    if (may === 'wait') await park(PARK_MS, async () => (await svc.line.mayRun(conv, id)) === 'run');
  }

  const ctx: JobContext = {
    id,
    data: job.data,
    lane,
    log,
    signal: abort,
    attemptsLeft: Math.max(0, (job.opts.attempts ?? 1) - job.attemptsMade - 1),
    async save(patch) {
      Object.assign(job.data, patch);
      await job.updateData(job.data);
    },
    waitFor: (ms, opts) => park(ms, opts?.wakeIf),
    moveTo: handOver,
    isControlFlow: (err) => err instanceof DelayedError || err instanceof HandedOver || (abort.aborted && (abort.reason === 'shutdown' || abort.reason === LOCK_LOST)) || lostHold(err),
  };

  try {
    await runConversationJob(svc, ctx);
  } catch (err) {
    if (err instanceof HandedOver) return;
    if (err instanceof DelayedError) throw err;
    if (abort.aborted && abort.reason === 'shutdown') {
      log.info('worker shutting down: handing the job back');
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    if (lostHold(err) || (abort.aborted && abort.reason === LOCK_LOST)) {
      // Redis went away or the job's lock expired meanwhile: this run cannot save its progress, so it
      // must not report a failure either. Hand the job back (or, if even that fails, leave it to
      // BullMQ's stalled-job check once the lock expires); it resumes from its last saved step.
      log.warn({ err }, 'lost Redis or the job lock: handing the job back to the queue');
      await job.moveToDelayed(Date.now(), token).catch(() => undefined);
      throw new DelayedError();
    }
    if (ctx.attemptsLeft > 0) throw err; // BullMQ retries with backoff; the job keeps its place
    if (inLine) await leaveLine(svc, job.data, id);
    throw err;
  }
  if (inLine) await leaveLine(svc, job.data, id);
}
