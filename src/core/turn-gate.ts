/**
 * The turn gate: with one shared NEMO_TOKEN, at most NEMO_TOKEN_MAX_TURNS turns run at once for
 * that token, across every worker.
 *
 * Fairness comes from the conversation line: a conversation only ever has its head job at the gate,
 * so serving the gate's waiters first come, first served is round-robin across conversations: a
 * channel that floods gets one slot, then goes to the back. Waiters park as delayed jobs (no slot,
 * no connection); a release wakes the next ones at once, and each waiter also re-checks by itself.
 *
 * Holders carry a lease that the worker process renews in one batch, so a crashed worker's slots come
 * back on their own; a waiter that stopped re-checking (its job died) is dropped the same way.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

import { GATE_HOLD_LEASE_MS as HOLD_LEASE_MS, GATE_WAITER_TTL_MS as WAITER_TTL_MS } from './defaults.js';
/** How often a parked waiter re-checks by itself (a release normally wakes it sooner). */
export const GATE_RECHECK_MS = 30_000;

// KEYS: holders (zset id → lease expiry), waiters (zset id → arrival), seen (zset id → last check)
const PURGE = `
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[5]), 'LIMIT', 0, 100)
for _, id in ipairs(stale) do redis.call('ZREM', KEYS[2], id); redis.call('ZREM', KEYS[3], id) end
`;

/** Returns 0 when admitted, else the 1-based place among those not admitted yet. */
const ACQUIRE = `${PURGE}
local cap = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  return 0
end
local free = cap - redis.call('ZCARD', KEYS[1])
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
if not rank then
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  rank = redis.call('ZRANK', KEYS[2], ARGV[1])
end
if rank < free then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[3], now, ARGV[1])
if free < 0 then free = 0 end
return rank - free + 1`;

/** Frees the slot; returns the waiters that may now run. */
const RELEASE = `${PURGE}
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
local free = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[1])
if free <= 0 then return {} end
return redis.call('ZRANGE', KEYS[2], 0, free - 1)`;

const WOULD_RUN = `
local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
if not rank then return 1 end
local free = tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[1])
if rank < free then return 1 end
return 0`;

export type GateAnswer = { run: true } | { run: false; position: number };

export class TurnGate {
  private readonly held = new Set<string>();
  private renewTimer?: NodeJS.Timeout;
  private readonly keys: [string, string, string];

  /**
   * @param token the shared NEMO_TOKEN (only its hash is used), or undefined: no gate (each
   *   conversation then has a token of its own, and its line already runs one turn at a time).
   */
  constructor(
    private readonly redis: Redis,
    keys: Keys,
    token: string | undefined,
    private readonly cap: number,
    /** How long a holder's slot survives without renewal (renewed every third of it); tests shorten it. */
    private readonly holdLeaseMs = HOLD_LEASE_MS,
  ) {
    const id = token ? createHash('sha256').update(token).digest('hex').slice(0, 16) : 'none';
    this.keys = [keys.gate(id, 'holders'), keys.gate(id, 'waiters'), keys.gate(id, 'seen')];
    this.enabled = !!token && cap > 0;
  }

  readonly enabled: boolean;

  async acquire(jobId: string): Promise<GateAnswer> {
    if (!this.enabled) return { run: true };
    const n = Number(await this.redis.eval(ACQUIRE, 3, ...this.keys, jobId, Date.now(), this.cap, this.holdLeaseMs, WAITER_TTL_MS));
    if (n === 0) {
      this.held.add(jobId);
      this.ensureRenewal();
      return { run: true };
    }
    return { run: false, position: n };
  }

  /** Whether `jobId` would be admitted now (a parked waiter's re-check after parking). */
  async wouldRun(jobId: string): Promise<boolean> {
    if (!this.enabled) return true;
    return Number(await this.redis.eval(WOULD_RUN, 2, this.keys[0], this.keys[1], jobId, this.cap)) === 1;
  }

  /** Give the slot (or the place in line) back; returns the waiters to wake. */
  async release(jobId: string): Promise<string[]> {
    if (!this.enabled) return [];
    this.held.delete(jobId);
    return (await this.redis.eval(RELEASE, 3, ...this.keys, jobId, Date.now(), this.cap, this.holdLeaseMs, WAITER_TTL_MS)) as string[];
  }

  /** Turns running and waiting at the gate now. */
  async counts(): Promise<{ running: number; waiting: number }> {
    const [running, waiting] = await Promise.all([this.redis.zcard(this.keys[0]), this.redis.zcard(this.keys[1])]);
    return { running, waiting };
  }

  /** Stop renewing (the process is going away; its slots expire unless released). */
  stop(): void {
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  /** One batched renewal for every slot this process holds, instead of a timer per turn. */
  private ensureRenewal(): void {
    if (this.renewTimer) return;
    this.renewTimer = setInterval(() => void this.renew(), this.holdLeaseMs / 3);
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    const ids = [...this.held];
    const until = Date.now() + this.holdLeaseMs;
    for (let i = 0; i < ids.length; i += 1000) {
      const args = ids.slice(i, i + 1000).flatMap((id) => [until, id]);
      await this.redis.zadd(this.keys[0], 'XX', ...(args as [number, string])).catch(() => undefined);
    }
  }
}
