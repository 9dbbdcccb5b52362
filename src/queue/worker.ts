/**
 * The BullMQ workers: one per lane (see core/lanes.ts), each with a pool sized for its kind of work.
 * They run conversation jobs (core/conversation.ts `runJob`) and turn the result of each run into
 * BullMQ calls: a `wait` becomes a delayed job (waiting holds no slot), a `move` a hand-over to
 * another lane. Only this file knows BullMQ's `DelayedError`; the core never throws to steer it.
 *
 * Crash safety comes from BullMQ's stalled-job recovery (a killed worker's jobs return to their
 * queue once their lock expires; JOB_MAX_STALLED_COUNT is raised well above BullMQ's default of 1),
 * from the step data each job saves before its slow calls, and from hand-overs being idempotent: the
 * job is added to the next lane (a no-op when it is already there) before it completes in this one.
 */
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { runJob } from '../core/conversation.js';
import { handingBack, LOCK_LOST, SHUTDOWN, type JobContext, type JobResult } from '../core/job-context.js';
import { parseJobData, type ConversationJobData } from '../core/job-data.js';
import type { CoreServices } from '../core/services.js';
import { abandonJob } from '../core/abandon.js';
import { storeUnavailable } from '../core/failures.js';
import { LANES, type Lane } from '../core/lanes.js';
import { KEEP_COMPLETED, KEEP_FAILED, QUEUE_NAMES, type LaneQueues } from './queue.js';
import { bullPrefix } from './cluster.js';

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
      for (const w of Object.values(workers)) w.cancelAllJobs(SHUTDOWN);
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
  return storeUnavailable(err) || (err instanceof Error && /^(Missing lock for job|Lock mismatch for job)/.test(err.message));
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
  const parsed = parseJobData(job.data);
  // Data this version cannot read (another `v`, a damaged record) fails at once, without retries.
  if (!parsed.ok) throw new UnrecoverableError(`job ${id}: unreadable job data (${parsed.problem})`);
  const data = parsed.data;
  const log = svc.log.child({ jobId: id, conv: data.conv, kind: data.kind, lane });
  // Our own signal, following BullMQ's: a run that finds it lost the job (Redis gone, lock expired)
  // stops itself with LOCK_LOST, so the core hands the job back instead of reporting a failure.
  const stop = new AbortController();
  if (signal) {
    if (signal.aborted) stop.abort(signal.reason);
    else signal.addEventListener('abort', () => stop.abort(signal.reason), { once: true });
  }
  const abort = stop.signal;
  const ctx: JobContext = {
    id,
    data,
    lane,
    log,
    signal: abort,
    attemptsLeft: Math.max(0, (job.opts.attempts ?? 1) - job.attemptsMade - 1),
    async save(patch) {
      Object.assign(data, patch);
      try {
        await job.updateData(data);
      } catch (err) {
        if (lostHold(err) && !abort.aborted) stop.abort(LOCK_LOST);
        throw err;
      }
    },
  };

  let result: JobResult;
  try {
    result = await runJob(svc, ctx);
  } catch (err) {
    if (lostHold(err) || handingBack(abort)) {
      // Shutting down, or Redis went away / the job's lock expired meanwhile: this run cannot (or must
      // not) report a failure. Hand the job back (or, if even that fails, leave it to BullMQ's
      // stalled-job check once the lock expires); it resumes from its last saved step.
      log.info({ err, reason: abort.reason }, 'handing the job back to the queue');
      await job.moveToDelayed(Date.now(), token).catch(() => undefined);
      throw new DelayedError();
    }
    throw err; // a failed attempt: BullMQ retries or fails it
  }
  switch (result.kind) {
    case 'finished':
      return;
    case 'move':
      // Idempotent: added to the next lane first (a no-op when already there), then completed here.
      await queues[result.lane].add(data.kind, data, { jobId: id });
      log.debug({ to: result.lane }, 'handed over to another lane');
      return;
    case 'wait':
      await job.moveToDelayed(Date.now() + result.ms, token);
      // The reason to wait may have gone between the check and parking: re-check, so no wake-up is lost.
      if (result.wakeIf && (await result.wakeIf())) await job.promote().catch(() => undefined);
      throw new DelayedError();
  }
}
