/**
 * Metrics from the lane workers and queues, read from BullMQ's own events and counts (the worker code
 * stays untouched): queue wait, job runs by lane, kind and result, and queue depths on scrape.
 */
import type { Job, Worker } from 'bullmq';
import type { ConversationJobData } from '../core/job-data.js';
import { laneOf, type Lane } from '../core/lanes.js';
import type { LaneQueues } from '../queue/queue.js';
import type { Metrics } from './metrics.js';

/** The states reported by `nemo_bot_queue_jobs`. */
export const QUEUE_STATES = ['wait', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;

export function instrumentWorkers(workers: Record<Lane, Worker<ConversationJobData>>, metrics: Metrics): void {
  for (const [lane, worker] of Object.entries(workers) as [Lane, Worker<ConversationJobData>][]) {
    worker.on('active', (job: Job<ConversationJobData>) => {
      // Only the first start in this lane: a job back from a parked wait would count its wait as queueing.
      if (job.attemptsStarted !== 1) return;
      const queuedAt = job.timestamp + (job.delay ?? 0);
      metrics.queueWait.observe({ lane }, Math.max(0, (job.processedOn ?? Date.now()) - queuedAt) / 1000);
    });
    worker.on('completed', (job: Job<ConversationJobData>) => {
      const next = laneOf(job.data);
      const result = job.data.step === 'done' ? 'done' : next && next !== lane ? 'handed_over' : 'completed';
      metrics.jobRuns.inc({ lane, kind: job.data.kind, result });
    });
    worker.on('failed', (job: Job<ConversationJobData> | undefined) => {
      if (job) metrics.jobRuns.inc({ lane, kind: job.data.kind, result: 'failed' });
    });
  }
}

export function queueCountSource(queues: LaneQueues): () => Promise<Record<string, Record<string, number>>> {
  return async () => {
    const out: Record<string, Record<string, number>> = {};
    await Promise.all(
      Object.entries(queues).map(async ([lane, q]) => {
        out[lane] = await q.getJobCounts(...QUEUE_STATES);
      }),
    );
    return out;
  };
}
