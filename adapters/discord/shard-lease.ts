/**
 * A Redis lease per gateway shard, so several bot processes can run for availability while each
 * shard is connected by exactly one of them.
 *
 * Why: two processes identifying the same shard would both receive every message and interaction;
 * the core's deduplication would catch most of it, but both would race to acknowledge interactions
 * (one gets 40060) and Discord counts every IDENTIFY against a daily budget. So a process logs in
 * only while it holds the shard's lease (`Keys.platformKey('discord', 'shard-lease:<shardId>')`),
 * renews it every third of its lifetime, and destroys its client the moment a renewal fails.
 * Standbys retry about once a second, so after the holder dies the shard is back within lease + ~1 s.
 *
 * The lease itself is the core's `Lease` (src/core/lease.ts); the loop is `ShardSupervisor`.
 */
import { Keys } from '../../src/core/keys.js';

/** The Redis key of one shard's lease. */
export function shardLeaseKey(queuePrefix: string, shardId: number): string {
  return new Keys(queuePrefix).platformKey('discord', `shard-lease:${shardId}`);
}
