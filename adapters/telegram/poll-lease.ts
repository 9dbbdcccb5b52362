/**
 * The long-poll lease: only one process per bot token may call getUpdates.
 *
 * Telegram answers a second concurrent poller with 409 Conflict, and two pollers would also split
 * the update stream between them. Every bot process therefore competes for one Redis key
 * (`SET key id NX PX leaseMs`); the holder renews it every `leaseMs / 3` and polls, the others retry
 * about once a second. When the holder dies its key expires and a standby takes over within
 * `leaseMs` plus one retry. The holder gives up polling as soon as it cannot prove it still holds
 * the key: on a failed renewal, or when renewals keep erroring for 2/3 of the lease (after that,
 * another process may already have it).
 */
import type { Redis } from 'ioredis';
import { Lease } from '../../src/core/lease.js';
import type { Logger } from '../../src/log.js';

export interface LeaseEvents {
  /** We now hold the lease: start polling. */
  onAcquired(): void;
  /** We no longer hold it (or cannot be sure): stop polling now. */
  onLost(): void;
}

/** The loop around the core `Lease` (src/core/lease.ts) that keeps one long poller per bot token. */
export class PollLease {
  private readonly lease: Lease;
  private holding = false;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly renewEveryMs: number;
  private readonly retryEveryMs: number;

  constructor(
    redis: Redis,
    readonly key: string,
    private readonly leaseMs: number,
    private readonly logger: Logger,
    private readonly events: LeaseEvents,
  ) {
    this.lease = new Lease(redis, key, leaseMs);
    this.renewEveryMs = Math.max(50, Math.floor(leaseMs / 3));
    this.retryEveryMs = Math.min(1_000, this.renewEveryMs);
  }

  get holderId(): string {
    return this.lease.owner;
  }

  get held(): boolean {
    return this.holding;
  }

  start(): void {
    this.running = true;
    void this.tick();
  }

  /** Stop competing and give the lease back so a standby can take over at once. */
  async release(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    if (!this.holding) return;
    this.holding = false;
    try {
      await this.lease.release();
    } catch (err) {
      this.logger.warn({ err }, 'telegram: could not release the poll lease; it expires by itself');
    }
  }

  /** Stop without releasing, as if the process died: the lease runs out on its own. */
  kill(): void {
    this.running = false;
    this.holding = false;
    this.lease.forget();
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    if (!this.holding) {
      try {
        const ok = await this.lease.tryAcquire();
        if (ok && this.running) {
          this.holding = true;
          this.logger.info({ holder: this.holderId }, 'telegram: took the poll lease; this process long-polls');
          this.events.onAcquired();
          return this.schedule(this.renewEveryMs);
        }
      } catch (err) {
        this.logger.warn({ err }, 'telegram: could not try the poll lease');
      }
      return this.schedule(this.retryEveryMs);
    }
    try {
      const renewed = await this.lease.renew();
      if (!this.running) return;
      if (renewed) {
        return this.schedule(this.renewEveryMs);
      }
      this.lose('the lease was taken over or expired');
    } catch (err) {
      if (!this.running) return;
      if (Date.now() - this.lease.lastConfirmedAt < (this.leaseMs * 2) / 3) {
        this.logger.warn({ err }, 'telegram: poll lease renewal failed; retrying');
        return this.schedule(Math.min(this.renewEveryMs, 500));
      }
      this.lose('renewals kept failing');
    }
    this.schedule(this.retryEveryMs);
  }

  private lose(why: string): void {
    this.holding = false;
    this.logger.warn({ holder: this.holderId, why }, 'telegram: lost the poll lease; stopping long polling');
    this.events.onLost();
  }
}
