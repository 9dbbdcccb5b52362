/**
 * Keeps one shard connected by exactly one process: wait for the lease, connect, renew, and tear the
 * client down as soon as the lease cannot be confirmed.
 *
 * Life cycle per shard: standby (try the lease about once a second) → holder (client logging in or
 * ready, lease renewed every third of its lifetime) → back to standby when the lease is lost, the
 * client dies, or login fails (then with a growing pause, so a wrong token does not hammer Discord).
 */
import type { Logger } from '../../src/log.js';
import { describeDiscordError } from './errors.js';
import type { ShardConnection } from './gateway.js';
import type { Lease } from '../../src/core/lease.js';

export interface ShardSupervisorOptions {
  shardId: number;
  lease: Lease;
  /** Start a client for this shard (called only while the lease is held). */
  open: () => ShardConnection;
  logger: Logger;
  /** Pause between lease attempts while standing by (default min(1 s, lease/3)). */
  standbyRetryMs?: number;
}

type Outcome = 'lease-lost' | 'stopped' | 'closed';

const MAX_BACKOFF_MS = 60_000;

export class ShardSupervisor {
  private stopping = false;
  private wake: () => void = () => {};
  private loop?: Promise<void>;
  private failures = 0;
  /** The live client, if this process holds the shard (exposed for tests and health checks). */
  connection?: ShardConnection;

  constructor(private readonly opts: ShardSupervisorOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Disconnect, give the lease back, and stop trying. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
  }

  private get standbyMs(): number {
    return this.opts.standbyRetryMs ?? Math.min(1000, Math.floor(this.opts.lease.ttlMs / 3));
  }

  /** Sleep that `stop()` cuts short. */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const { lease, logger, shardId } = this.opts;
    while (!this.stopping) {
      let held = false;
      try {
        held = await lease.tryAcquire();
      } catch (err) {
        logger.warn({ shardId, error: describeDiscordError(err) }, 'discord: shard lease check failed');
      }
      if (!held) {
        await this.pause(this.standbyMs);
        continue;
      }
      if (this.stopping) break;
      logger.info({ shardId, lease: lease.key }, 'discord: shard lease acquired; connecting');
      const outcome = await this.holdWhileConnected();
      if (outcome === 'closed' && !this.stopping) {
        this.failures += 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(this.failures, 6));
        await this.pause(backoff);
      }
    }
    try {
      await lease.release();
    } catch {
      // it expires on its own
    }
  }

  private async holdWhileConnected(): Promise<Outcome> {
    const { lease, logger, shardId } = this.opts;
    let leaseLost: () => void = () => {};
    const lost = new Promise<Outcome>((resolve) => (leaseLost = () => resolve('lease-lost')));
    let renewing = false;
    const renewTimer = setInterval(async () => {
      if (renewing) return;
      renewing = true;
      try {
        if (!(await lease.renew())) leaseLost();
      } catch (err) {
        // Redis unreachable: keep the shard only while the last confirmation is recent enough.
        if (!lease.isFresh()) leaseLost();
        else logger.warn({ shardId, error: describeDiscordError(err) }, 'discord: shard lease renewal failed; retrying');
      } finally {
        renewing = false;
      }
    }, Math.max(50, Math.floor(lease.ttlMs / 3)));

    const stopped = new Promise<Outcome>((resolve) => {
      this.wake = () => resolve('stopped');
      if (this.stopping) resolve('stopped');
    });
    const conn = this.opts.open();
    this.connection = conn;
    conn.ready.then(
      () => (this.failures = 0),
      () => {},
    );
    const outcome = await Promise.race([lost, stopped, conn.closed.then((): Outcome => 'closed')]);
    clearInterval(renewTimer);
    this.connection = undefined;
    await conn.destroy();
    if (outcome === 'lease-lost') {
      logger.warn({ shardId }, 'discord: shard lease lost; client destroyed, standing by');
    } else {
      try {
        await lease.release();
      } catch {
        // it expires on its own
      }
      if (outcome === 'closed') logger.warn({ shardId }, 'discord: shard client closed; lease released');
    }
    return outcome;
  }
}
