/**
 * Albums: Telegram sends each photo/video of an album as its own update, sharing `media_group_id`,
 * with the caption on one of them. The user meant one request, so the core must get one message.
 *
 * Why in Redis and not in memory: the updates of one chat are handled one after another, so the
 * handler cannot wait for the rest of the album (the rest is a *later* update of the same chat). It
 * must return, and then its offset may be confirmed to Telegram — an in-memory buffer would lose the
 * album if the process died during the wait. Parts are therefore stored in Redis before the handler returns, and any bot process (the
 * same one, a standby that took over the poll lease, or another webhook replica that received the
 * other parts) merges and accepts the album once it has been quiet for `quietMs`.
 *
 * Keys: `<prefix>:{telegram:albums}:part:<media_group_id>` (list of parts, expires) and
 * `<prefix>:{telegram:albums}:due` (sorted set: album → time it is due). One hash tag, so the MULTI
 * over both stays legal on a Redis Cluster. Parts are read back through zod (a damaged one is skipped). A sweeper claims due albums with a
 * Lua script that moves their score `claimMs` ahead, so only one process flushes an album; if that
 * process dies before it is done the claim expires and another one flushes it. The core deduplicates
 * by `album-<media_group_id>`, so a flush repeated after a crash is harmless.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../../src/log.js';
import { Keys } from '../../src/core/keys.js';
import type { IncomingMessage } from '../../src/core/message.js';
import { incomingMessageSchema } from '../../src/core/message-schema.js';
import { z } from 'zod';
import { mergeAlbum, type AlbumPart } from './normalize.js';

export interface AlbumBufferOptions {
  redis: Redis;
  /** QUEUE_PREFIX. */
  prefix: string;
  logger: Logger;
  /** Hand a merged album to the core (ingress.accept). */
  onAlbum: (msg: IncomingMessage) => Promise<void>;
  /** Wait this long after the last part before merging. */
  quietMs?: number;
  /** How often to look for due albums. */
  sweepMs?: number;
  /** How long a flush may take before another process may try. */
  claimMs?: number;
}

export const DEFAULT_ALBUM_QUIET_MS = 700;
const PART_TTL_MS = 10 * 60_000;

/** Claim up to ARGV[3] albums due at ARGV[1] by pushing their score to ARGV[2]. */
const CLAIM_LUA = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], m) end
return due`;

export class AlbumBuffer {
  private readonly quietMs: number;
  private readonly sweepMs: number;
  private readonly claimMs: number;
  private readonly keys: Keys;
  private readonly indexKey: string;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private failures = new Map<string, number>();
  private stopped = false;

  constructor(private readonly o: AlbumBufferOptions) {
    this.quietMs = o.quietMs ?? DEFAULT_ALBUM_QUIET_MS;
    this.sweepMs = o.sweepMs ?? 150;
    this.claimMs = o.claimMs ?? 30_000;
    this.keys = new Keys(o.prefix);
    this.indexKey = this.keys.platformGroupKey('telegram', 'albums', 'due');
  }

  private partsKey(mediaGroupId: string): string {
    return this.keys.platformGroupKey('telegram', 'albums', `part:${mediaGroupId}`);
  }

  /** Store one part; resolves once it is safe in Redis (then the update may be confirmed). */
  async add(mediaGroupId: string, part: AlbumPart): Promise<void> {
    const key = this.partsKey(mediaGroupId);
    await this.o.redis
      .multi()
      .rpush(key, JSON.stringify(part))
      .pexpire(key, PART_TTL_MS)
      .zadd(this.indexKey, Date.now() + this.quietMs, mediaGroupId)
      .exec()
      .then(throwOnExecError);
  }

  start(): void {
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.sweeping = this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.o.logger.warn({ err }, 'telegram: album sweep failed'))
        .finally(() => {
          this.sweeping = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.sweepMs);
        });
    };
    this.timer = setTimeout(loop, this.sweepMs);
  }

  /** Stop sweeping and wait for a flush in progress. Albums left in Redis are flushed by others or later. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  /** Stop at once without waiting (crash simulation). */
  kill(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Flush every album that is due now; returns how many were handed to the core. */
  async sweep(): Promise<number> {
    const now = Date.now();
    const due = (await this.o.redis.eval(CLAIM_LUA, 1, this.indexKey, now, now + this.claimMs, 20)) as string[];
    let flushed = 0;
    for (const id of due) {
      if (this.stopped) break;
      if (await this.flush(id)) flushed++;
    }
    return flushed;
  }

  private async flush(mediaGroupId: string): Promise<boolean> {
    const key = this.partsKey(mediaGroupId);
    const raw = await this.o.redis.lrange(key, 0, -1);
    const parts = raw.flatMap((r) => parsePart(r));
    const merged = mergeAlbum(mediaGroupId, parts);
    try {
      if (merged) await this.o.onAlbum(merged);
      else this.o.logger.debug({ mediaGroupId, parts: parts.length }, 'telegram: album not addressed to the bot, dropped');
    } catch (err) {
      // Leave it claimed a little while, then try again (the parts expire after PART_TTL_MS).
      const n = (this.failures.get(mediaGroupId) ?? 0) + 1;
      this.failures.set(mediaGroupId, n);
      this.o.logger.error({ err, mediaGroupId, attempt: n }, 'telegram: could not hand an album to the core; will retry');
      await this.o.redis.zadd(this.indexKey, Date.now() + Math.min(30_000, 1000 * 2 ** (n - 1)), mediaGroupId);
      return false;
    }
    this.failures.delete(mediaGroupId);
    await this.o.redis.multi().zrem(this.indexKey, mediaGroupId).del(key).exec().then(throwOnExecError);
    return merged !== undefined;
  }
}

const albumPartSchema = z.object({ message: incomingMessageSchema, addressed: z.boolean() });

function parsePart(raw: string): AlbumPart[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return [];
  }
  const p = albumPartSchema.safeParse(value);
  return p.success ? [p.data] : [];
}

function throwOnExecError(res: Array<[Error | null, unknown]> | null): void {
  if (!res) throw new Error('redis transaction aborted');
  for (const [err] of res) if (err) throw err;
}
