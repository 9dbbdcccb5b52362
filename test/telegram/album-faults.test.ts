/**
 * Album flush failures (real Redis): the core refusing an album for a while makes the buffer retry
 * with back-off until it is taken once, its parts then gone; a process that dies mid-flush leaves the
 * album claimed, and another process flushes it once the claim runs out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { AlbumBuffer } from '../../adapters/telegram/album-buffer.js';
import type { AlbumPart } from '../../adapters/telegram/normalize.js';
import type { IncomingMessage } from '../../src/core/message.js';
import { captureLogger, deleteKeys, newRedis, uniquePrefix, until } from './helpers.js';
import { waitFor } from '../helpers/child.js';

const prefix = uniquePrefix('tg-album-faults');
let redis: Redis;
beforeAll(() => {
  redis = newRedis();
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

function part(group: string, n: number, text = ''): AlbumPart {
  const message: IncomingMessage = {
    platform: 'telegram', conversationKey: 'telegram:42', chatId: '42', userId: '7', userName: 'Ann', messageId: String(100 + n), text,
    attachments: [{ name: `p${n}.jpg`, source: { kind: 'platform', ref: `file-${group}-${n}` } }], isDirect: true, mentionsBot: false, receivedAt: Date.now(),
  };
  return { message, addressed: true };
}

describe('album flush failures', () => {
  it('an album the core refuses twice is retried with back-off and handed over once, then cleaned up', async () => {
    const got: IncomingMessage[] = [];
    let refusals = 2;
    const logs = captureLogger();
    const buffer = new AlbumBuffer({
      redis, prefix, logger: logs.logger, quietMs: 50, sweepMs: 50,
      onAlbum: async (msg) => {
        if (refusals-- > 0) throw new Error('core unavailable (test)');
        got.push(msg);
      },
    });
    buffer.start();
    try {
      for (let n = 1; n <= 3; n++) await buffer.add('g1', part('g1', n, n === 1 ? 'make a slideshow' : ''));
      await until(() => got.length === 1, 15_000, 'the album after two refusals');
      expect(got[0]!.attachments).toHaveLength(3);
      expect(got[0]!.messageId).toBe('album-g1');
      expect(logs.lines().filter((l) => /could not hand an album/.test(String(l.msg)))).toHaveLength(2);
      await waitFor(async () => (await redis.exists(`${prefix}:telegram:album:g1`)) === 0, 5_000, 'its parts to be deleted');
      expect(await redis.zscore(`${prefix}:telegram:albums`, 'g1')).toBeNull();
    } finally {
      await buffer.stop();
    }
  }, 30_000);

  it('a process that dies mid-flush leaves the album to another process after the claim runs out', async () => {
    let entered!: () => void;
    const inFlush = new Promise<void>((r) => (entered = r));
    const dying = new AlbumBuffer({ redis, prefix, logger: captureLogger().logger, quietMs: 50, sweepMs: 50, claimMs: 1_000, onAlbum: () => (entered(), new Promise<void>(() => undefined)) });
    dying.start();
    await dying.add('g2', part('g2', 1, 'animate these'));
    await dying.add('g2', part('g2', 2));
    await inFlush;
    dying.kill(); // hangs inside onAlbum, as a killed process would never finish
    const got: IncomingMessage[] = [];
    const healthy = new AlbumBuffer({ redis, prefix, logger: captureLogger().logger, quietMs: 50, sweepMs: 50, claimMs: 1_000, onAlbum: async (m) => void got.push(m) });
    healthy.start();
    try {
      await until(() => got.length === 1, 15_000, 'the other process to flush the album');
      expect(got[0]!.attachments.map((a) => a.name)).toEqual(['p1.jpg', 'p2.jpg']);
    } finally {
      await healthy.stop();
    }
  }, 30_000);
});
