/**
 * A Redis lease per gateway shard, so several bot processes can run for availability while each
 * shard is connected by exactly one of them.
 *
 * Why: two processes identifying the same shard would both receive every message and interaction;
 * the core's deduplication would catch most of it, but both would race to acknowledge interactions
 * (one gets 40060) and Discord counts every IDENTIFY against a daily budget. So a process logs in
 * only while it holds `${QUEUE_PREFIX}:discord:shard-lease:<shardId>` (SET NX PX), renews it every
 * third of its lifetime, and destroys its client the moment a renewal fails. Standbys retry about
 * once a second, so after the holder dies the shard is back within lease + ~1 s.
 *
 * Renewal and release are compare-and-set scripts: a process whose lease already expired (e.g. after
 * a long GC pause) can never extend or delete the lease of the process that took over.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** The Redis key of one shard's lease. */
export function shardLeaseKey(queuePrefix: string, shardId: number): string {
  return `${queuePrefix}:discord:shard-lease:${shardId}`;
}

/** Reject `p` if it does not settle in `ms` (a hung Redis must not stall renewal decisions). */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class ShardLease {
  /** Unique per process and shard, so two processes can never mistake each other's lease. */
  readonly owner: string;
  /** When the lease was last confirmed by Redis (0 = not held). */
  private confirmedAt = 0;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly ttlMs: number,
    owner?: string,
    private readonly now: () => number = Date.now,
  ) {
    this.owner = owner ?? `${process.pid}-${randomUUID()}`;
  }

  /** Try to take the lease (or confirm we still hold it). */
  async tryAcquire(): Promise<boolean> {
    const started = this.now();
    const set = await withTimeout(this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX'), this.ttlMs / 3);
    if (set === 'OK') {
      this.confirmedAt = started;
      return true;
    }
    return this.renew();
  }

  /** Extend the lease if it is still ours. */
  async renew(): Promise<boolean> {
    const started = this.now();
    const res = await withTimeout(this.redis.eval(RENEW_SCRIPT, 1, this.key, this.owner, String(this.ttlMs)), this.ttlMs / 3);
    if (Number(res) === 1) {
      this.confirmedAt = started;
      return true;
    }
    this.confirmedAt = 0;
    return false;
  }

  /**
   * Whether the lease can still be trusted locally: confirmed within its lifetime (minus a margin
   * for clock drift and the time the next renewal takes). After that another process may hold it.
   */
  isFresh(): boolean {
    return this.confirmedAt > 0 && this.now() - this.confirmedAt < this.ttlMs * 0.9;
  }

  /** Give the lease back (only if still ours) so a standby takes over without waiting for expiry. */
  async release(): Promise<void> {
    this.confirmedAt = 0;
    await withTimeout(this.redis.eval(RELEASE_SCRIPT, 1, this.key, this.owner), this.ttlMs / 3);
  }
}
