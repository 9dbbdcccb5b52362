/**
 * The one Redis lease primitive (src/core/lease.ts) that guards Telegram's long poll and each Discord
 * gateway shard: one owner at a time, compare-and-set renewal and release, expiry hands it over.
 */
import { describe, expect, it } from 'vitest';
import { shardLeaseKey } from '../../adapters/discord/index.js';
import { Keys } from '../../src/core/keys.js';
import { Lease } from '../../src/core/lease.js';
import { fileRedis, sleep } from '../helpers/common.js';

const file = fileRedis('core-lease');
const { prefix } = file;

describe('Lease', () => {
  it('lets one owner hold the key; only the owner renews or releases; expiry hands it over', async () => {
    const key = shardLeaseKey(prefix, 7);
    const a = new Lease(file.redis, key, 1000, 'a');
    const b = new Lease(file.redis, key, 1000, 'b');
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(await a.renew()).toBe(true);
    expect(a.isFresh()).toBe(true);
    await b.release(); // not b's: nothing happens
    expect(await file.redis.get(key)).toBe('a');
    await sleep(1100);
    expect(await b.tryAcquire()).toBe(true);
    expect(await a.renew()).toBe(false);
    expect(a.isFresh()).toBe(false);
    await b.release();
    expect(await file.redis.exists(key)).toBe(0);
  });

  it('a forgotten lease stays in Redis until it expires (a killed process does not release it)', async () => {
    const key = new Keys(prefix).platformKey('telegram', 'poll-lease');
    const a = new Lease(file.redis, key, 600, 'a');
    expect(await a.tryAcquire()).toBe(true);
    a.forget();
    expect(a.isFresh()).toBe(false);
    expect(a.lastConfirmedAt).toBe(0);
    expect(await file.redis.get(key)).toBe('a');
    expect(await new Lease(file.redis, key, 600, 'b').tryAcquire()).toBe(false);
    await sleep(700);
    expect(await new Lease(file.redis, key, 600, 'b').tryAcquire()).toBe(true);
  });

  it('keeps the lease keys the deployed fleet already uses', () => {
    expect(shardLeaseKey('nemo', 3)).toBe('nemo:discord:shard-lease:3');
    expect(new Keys('nemo').platformKey('telegram', 'poll-lease')).toBe('nemo:telegram:poll-lease');
  });

  it('keeps an album\'s parts and its due index under one hash tag (one MULTI on a Redis Cluster)', () => {
    const k = new Keys('nemo');
    expect(k.platformGroupKey('telegram', 'albums', 'part:42')).toBe('nemo:{telegram:albums}:part:42');
    expect(k.platformGroupKey('telegram', 'albums', 'due')).toBe('nemo:{telegram:albums}:due');
  });
});
