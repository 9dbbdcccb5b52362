/**
 * Redis Cluster support (REDIS_CLUSTER=true): REDIS_URL names one node, the others are discovered.
 *
 * Multi-key operations must stay inside one hash slot. The core's keys already carry the conversation,
 * user or token gate in a `{hash tag}` (src/core/keys.ts); BullMQ's keys get a per-lane tag in the
 * prefix (`<QUEUE_PREFIX>:{turn}`), so each lane queue lives in one slot and the three lanes and every
 * conversation's keys spread over the nodes. On a single Redis nothing changes (plain prefix), so
 * existing deployments keep their queues.
 */
import { Cluster, type Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Lane } from '../core/lanes.js';

/** A Cluster client, typed as the `Redis` the rest of the code uses (same command API). */
export function connectCluster(url: string, purpose: 'blocking' | 'commands', o: { autoPipelining?: boolean } = {}): Redis {
  const u = new URL(url);
  const cluster = new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    redisOptions: {
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      maxRetriesPerRequest: purpose === 'blocking' ? null : 3,
    },
    maxRedirections: 16,
    enableAutoPipelining: o.autoPipelining ?? false,
  });
  return cluster as unknown as Redis;
}

/** The BullMQ prefix of a lane's queue: hash-tagged per lane on a Cluster. */
export function bullPrefix(cfg: Pick<Config, 'QUEUE_PREFIX' | 'REDIS_CLUSTER'>, lane: Lane): string {
  return cfg.REDIS_CLUSTER ? `${cfg.QUEUE_PREFIX}:{${lane}}` : cfg.QUEUE_PREFIX;
}
