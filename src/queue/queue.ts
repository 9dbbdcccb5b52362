/**
 * The lane queues and their Redis connections.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { ConversationJobData } from '../core/job-data.js';
import { LANES, type Lane } from '../core/lanes.js';
import { bullPrefix, connectCluster } from './cluster.js';

/** BullMQ queue name of each lane. */
export const QUEUE_NAMES: Readonly<Record<Lane, string>> = { turn: 'turns', task: 'tasks', transfer: 'transfers' };

export type LaneQueues = Record<Lane, Queue<ConversationJobData>>;

/** Attempts and backoff of every job: transient failures are retried this often before the user is told. */
export const JOB_ATTEMPTS = 3;
export const JOB_BACKOFF_MS = 5_000;
/** How long finished jobs are kept (for /cancel, dedupe of hand-overs and debugging). */
export const KEEP_COMPLETED = { age: 7 * 24 * 3600, count: 10_000 } as const;
export const KEEP_FAILED = { age: 30 * 24 * 3600 } as const;

/**
 * A Redis connection from REDIS_URL (a db number in it is honoured). Blocking users (workers) need
 * `maxRetriesPerRequest: null`; producers should fail fast instead of queueing commands forever.
 */
export function connectRedis(cfg: Pick<Config, 'REDIS_URL'> & Partial<Pick<Config, 'REDIS_CLUSTER'>>, purpose: 'blocking' | 'commands'): Redis {
  if (cfg.REDIS_CLUSTER) return connectCluster(cfg.REDIS_URL, purpose);
  return new Redis(cfg.REDIS_URL, {
    maxRetriesPerRequest: purpose === 'blocking' ? null : 3,
    lazyConnect: false,
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
