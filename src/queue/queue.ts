/**
 * The lane queues and their Redis connections.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { ConversationJobData } from '../core/job-data.js';
import { JOB_ATTEMPTS, JOB_BACKOFF_MS, KEEP_COMPLETED, KEEP_FAILED } from '../core/defaults.js';
import { LANES, type Lane } from '../core/lanes.js';
import { bullPrefix, connectCluster } from './cluster.js';

/** BullMQ queue name of each lane. */
export const QUEUE_NAMES: Readonly<Record<Lane, string>> = { turn: 'turns', task: 'tasks', transfer: 'transfers' };

export type LaneQueues = Record<Lane, Queue<ConversationJobData>>;

/** Attempts, backoff and retention of every job: src/core/defaults.ts. */
export { JOB_ATTEMPTS, JOB_BACKOFF_MS, KEEP_COMPLETED, KEEP_FAILED };

/**
 * A Redis connection from REDIS_URL (a db number in it is honoured). Blocking users (workers) need
 * `maxRetriesPerRequest: null`; producers should fail fast instead of queueing commands forever.
 */
export function connectRedis(cfg: Pick<Config, 'REDIS_URL'> & Partial<Pick<Config, 'REDIS_CLUSTER'>>, purpose: 'blocking' | 'commands', o: { autoPipelining?: boolean } = {}): Redis {
  if (cfg.REDIS_CLUSTER) return connectCluster(cfg.REDIS_URL, purpose, o);
  return new Redis(cfg.REDIS_URL, {
    maxRetriesPerRequest: purpose === 'blocking' ? null : 3,
    lazyConnect: false,
    // The core's connection: commands issued in the same tick (many conversations at once) leave in
    // one write instead of one syscall each. BullMQ's connections keep the default.
    enableAutoPipelining: o.autoPipelining ?? false,
  });
}

export function createLaneQueues(cfg: Config, connection: Redis): LaneQueues {
  const make = (lane: Lane) =>
    new Queue<ConversationJobData>(QUEUE_NAMES[lane], {
      connection,
      prefix: bullPrefix(cfg, lane),
      defaultJobOptions: {
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: JOB_BACKOFF_MS },
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      },
    });
  return Object.fromEntries(LANES.map((l) => [l, make(l)])) as LaneQueues;
}
