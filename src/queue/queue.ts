/**
 * The conversation queue and its Redis connections.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { ConversationJobData } from '../core/job-data.js';

export const QUEUE_NAME = 'conversations';

/**
 * A Redis connection from REDIS_URL (a db number in it is honoured). Blocking users (workers) need
 * `maxRetriesPerRequest: null`; producers should fail fast instead of queueing commands forever.
 */
export function connectRedis(cfg: Pick<Config, 'REDIS_URL'>, purpose: 'blocking' | 'commands'): Redis {
  return new Redis(cfg.REDIS_URL, {
    maxRetriesPerRequest: purpose === 'blocking' ? null : 3,
    lazyConnect: false,
  });
}

export function createConversationQueue(cfg: Config, connection: Redis): Queue<ConversationJobData> {
  return new Queue<ConversationJobData>(QUEUE_NAME, {
    connection,
    prefix: cfg.QUEUE_PREFIX,
    defaultJobOptions: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  });
}
