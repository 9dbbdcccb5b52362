/**
 * A Redis lease: one key held by one process at a time, for work that must run exactly once across
 * a fleet (a platform's long poll, a gateway shard).
 *
 * Taking it is `SET key owner NX PX ttl`; renewal and release are compare-and-set scripts, so a
 * process whose lease already expired (e.g. after a long GC pause) can never extend or delete the
 * lease of the process that took over. Every Redis call is bounded by a third of the lease time: a
 * hung Redis must not stall the holder's decision to stop.
 *
 * This is the primitive; the loops around it (renew every third of the lifetime, retry about once a
 * second while standing by, stop the moment a renewal fails) live with the work they guard.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

const RENEW_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Reject `p` if it does not settle in `ms`. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class Lease {
  /** Unique per process and lease, so two processes can never mistake each other's lease. */
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
    this.owner = owner ?? `${hostname()}:${process.pid}:${randomUUID()}`;
  }

  private get callTimeoutMs(): number {
    return Math.max(50, Math.floor(this.ttlMs / 3));
  }

  /** Try to take the lease (or confirm we still hold it). */
  async tryAcquire(): Promise<boolean> {
    const started = this.now();
    const set = await withTimeout(this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX'), this.callTimeoutMs);
    if (set === 'OK') {
      this.confirmedAt = started;
      return true;
    }
    return this.renew();
  }

  /** Extend the lease if it is still ours. Throws when Redis fails or does not answer in time. */
  async renew(): Promise<boolean> {
    const started = this.now();
    const res = await withTimeout(this.redis.eval(RENEW_SCRIPT, 1, this.key, this.owner, String(this.ttlMs)), this.callTimeoutMs);
    if (Number(res) === 1) {
      this.confirmedAt = started;
      return true;
    }
    this.confirmedAt = 0;
    return false;
  }

  /** When Redis last confirmed the lease (0 = not held). */
  get lastConfirmedAt(): number {
    return this.confirmedAt;
  }

  /**
   * Whether the lease can still be trusted locally: confirmed within its lifetime (minus a margin
   * for clock drift and the time the next renewal takes). After that another process may hold it.
   */
  isFresh(): boolean {
    return this.confirmedAt > 0 && this.now() - this.confirmedAt < this.ttlMs * 0.9;
  }

  /** Forget the lease locally without touching Redis (a process that "dies": the key runs out). */
  forget(): void {
    this.confirmedAt = 0;
  }

  /** Give the lease back (only if still ours) so a standby takes over without waiting for expiry. */
  async release(): Promise<void> {
    this.confirmedAt = 0;
    await withTimeout(this.redis.eval(RELEASE_SCRIPT, 1, this.key, this.owner), this.callTimeoutMs);
  }
}
