/**
 * The BullMQ worker: runs conversation jobs, keeps each conversation's line moving, and turns the
 * core's `waitFor` into delayed jobs so waiting holds no slot.
 *
 * Crash safety comes from BullMQ's stalled-job recovery (a killed worker's jobs return to the queue
 * once their lock expires; JOB_MAX_STALLED_COUNT is raised well above BullMQ's default of 1) and
 * from the step data each job saves before its slow calls.
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { runConversationJob } from '../core/conversation.js';
import type { JobContext } from '../core/job-context.js';
import type { CoreServices } from '../core/services.js';
import { cancelRunningRender, markCancelled } from '../core/cancel.js';
import { announcePositions } from '../core/positions.js';
import { LINE_KINDS, type ConversationJobData } from '../core/job-data.js';
import { QUEUE_NAME } from './queue.js';

/** How long a job waiting for its conversation's turn sleeps before checking again by itself. */
const PARK_MS = 60_000;

export interface ConversationWorker {
  worker: Worker<ConversationJobData>;
  close(): Promise<void>;
}

export function startConversationWorker(svc: CoreServices, connection: Redis): ConversationWorker {
  const { config } = svc;
  const worker = new Worker<ConversationJobData>(QUEUE_NAME, (job, token, signal) => processJob(svc, job, token, signal), {
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.JOB_LOCK_DURATION_MS,
    stalledInterval: config.JOB_STALLED_INTERVAL_MS,
    maxStalledCount: config.JOB_MAX_STALLED_COUNT,
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
  worker.on('error', (err) => svc.log.error({ err }, 'worker error'));
  worker.on('failed', (job, err) => svc.log.warn({ err, jobId: job?.id }, 'job attempt failed'));

  // /cancel from any bot process reaches the worker that runs the job.
  const sub = connection.duplicate();
  void sub.subscribe(svc.keys.cancelChannel()).catch((err) => svc.log.error({ err }, 'cancel subscription failed'));
  sub.on('message', (_channel, jobId: string) => {
    if (worker.cancelJob(jobId, 'cancelled')) svc.log.info({ jobId }, 'cancelled running job');
  });

  return {
    worker,
    async close() {
      // Jobs mid-turn hand themselves back (resumed by another worker) instead of holding shutdown.
      worker.cancelAllJobs('shutdown');
      await worker.close();
      sub.disconnect();
    },
  };
}

async function processJob(svc: CoreServices, job: Job<ConversationJobData>, token: string | undefined, signal: AbortSignal | undefined): Promise<void> {
  const id = job.id!;
  const { conv, kind } = job.data;
  const log = svc.log.child({ jobId: id, conv, kind });
  const inLine = LINE_KINDS.has(kind);
  const abort = signal ?? new AbortController().signal;

  if (await svc.redis.exists(svc.keys.cancelled(id))) {
    await cancelRunningRender(svc, job.data, log);
    await markCancelled(svc, id, job.data);
    if (inLine) await leaveLine(svc, conv, id);
    return;
  }
  if (inLine) {
    const may = await svc.line.mayRun(conv, id);
    if (may === 'gone') return;
    if (may === 'wait') {
      await job.moveToDelayed(Date.now() + PARK_MS, token);
      // The head may have left between our check and parking: re-check, so no wake-up is lost.
      if ((await svc.line.mayRun(conv, id)) === 'run') await job.promote().catch(() => undefined);
      throw new DelayedError();
    }
  }

  const ctx: JobContext = {
    id,
    data: job.data,
    log,
    signal: abort,
    attemptsLeft: Math.max(0, (job.opts.attempts ?? 1) - job.attemptsMade - 1),
    async save(patch) {
      Object.assign(job.data, patch);
      await job.updateData(job.data);
    },
    async waitFor(ms) {
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError();
    },
    isControlFlow: (err) => err instanceof DelayedError || (abort.aborted && abort.reason === 'shutdown'),
  };

  try {
    await runConversationJob(svc, ctx);
  } catch (err) {
    if (err instanceof DelayedError) throw err;
    if (abort.aborted && abort.reason === 'shutdown') {
      log.info('worker shutting down: handing the job back');
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    if (ctx.attemptsLeft > 0) throw err; // BullMQ retries with backoff; the job keeps its place
    if (inLine) await leaveLine(svc, conv, id);
    throw err;
  }
  if (inLine) await leaveLine(svc, conv, id);
}

/** Let the next job of the conversation run, and show the others their new place. */
async function leaveLine(svc: CoreServices, conv: string, id: string): Promise<void> {
  await svc.line.leave(conv, id);
  await announcePositions(svc, conv).catch((err) => svc.log.debug({ err }, 'could not refresh line positions'));
}

