/**
 * Redis outages while leases are being renewed (a private redis-server with AOF, killed and
 * restarted): the Telegram poll lease and a Discord shard lease ride out a short outage, give the
 * work up when the lease can no longer be trusted and take it back once Redis returns; the turn
 * gate's slot renewal resumes after an outage, so a running turn keeps its slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { PollLease } from '../../adapters/telegram/poll-lease.js';
import { ShardSupervisor } from '../../adapters/discord/shard-supervisor.js';
import type { ShardConnection } from '../../adapters/discord/gateway.js';
import { Lease } from '../../src/core/lease.js';
import { Keys } from '../../src/core/keys.js';
import { TurnGate } from '../../src/core/turn-gate.js';
import { silentLogger } from '../../src/log.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { sleep, until } from '../helpers/common.js';

const LEASE_MS = 1500;
let server: OwnRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startOwnRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
}, 20_000);
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

/** Redis away for `ms`, then back (same data, AOF). */
async function outage(ms: number): Promise<void> {
  await server.down();
  await sleep(ms);
  await server.up();
}

describe('Redis outage during lease renewal', () => {
  it('Telegram poll lease: keeps polling through a short outage; stops on a long one; takes the lease back after', async () => {
    const events: string[] = [];
    const lease = new PollLease(redis, 'outage:poll-lease', LEASE_MS, silentLogger, { onAcquired: () => events.push('acquired'), onLost: () => events.push('lost') });
    lease.start();
    try {
      await until(() => events.includes('acquired'), 10_000, 'the lease');
      // Shorter than 2/3 of the lease: the renewals in between fail, the holder keeps going.
      await outage(300);
      await sleep(LEASE_MS); // renewals after the outage succeed
      expect(events).toEqual(['acquired']);
      expect(lease.held).toBe(true);
      // Longer than the lease: the holder cannot prove it still holds it, so it stops polling.
      await server.down();
      await until(() => events.includes('lost'), 10_000, 'the holder to give up');
      expect(lease.held).toBe(false);
      await sleep(LEASE_MS);
      await server.up();
      await until(() => events.filter((e) => e === 'acquired').length === 2, 15_000, 'the lease to be taken back');
      expect(events).toEqual(['acquired', 'lost', 'acquired']);
    } finally {
      await lease.release();
    }
  }, 40_000);

  it('Discord shard lease: the client survives a short outage, is destroyed on a long one, reconnects after', async () => {
    let opened = 0;
    let destroyed = 0;
    const open = (): ShardConnection => {
      opened++;
      return { client: undefined as never, ready: Promise.resolve(), closed: new Promise<string>(() => undefined), destroy: async () => void destroyed++ };
    };
    const sup = new ShardSupervisor({ shardId: 0, lease: new Lease(redis, 'outage:shard-0', LEASE_MS), open, logger: silentLogger, standbyRetryMs: 200 });
    sup.start();
    try {
      await until(() => opened === 1, 10_000, 'the shard to connect');
      await outage(300);
      await sleep(LEASE_MS);
      expect([opened, destroyed]).toEqual([1, 0]);
      await server.down();
      await until(() => destroyed === 1, 10_000, 'the client to be destroyed');
      await sleep(LEASE_MS);
      await server.up();
      await until(() => opened === 2, 15_000, 'the shard to reconnect');
      expect(destroyed).toBe(1);
    } finally {
      await sup.stop();
    }
  }, 40_000);

  it('turn gate: a running turn keeps its slot through an outage that swallowed a renewal', async () => {
    const holdMs = 900;
    const gate = new TurnGate(redis, new Keys('outage'), 'nmv_usr_outage_token', 1, holdMs);
    try {
      expect(await gate.acquire('job-a')).toEqual({ run: true });
      await outage(500); // at least one renewal (every 300 ms) fails meanwhile
      await sleep(holdMs * 1.5); // well past the slot's lease as of before the outage
      expect(await gate.acquire('job-b')).toMatchObject({ run: false, position: 1 });
      await gate.release('job-a');
      expect(await gate.acquire('job-b')).toEqual({ run: true });
      await gate.release('job-b');
    } finally {
      gate.stop();
    }
  }, 30_000);
});
