/**
 * What a deployment needs to know about its Redis, read once with a short timeout: does it answer,
 * which version, does it evict keys (any `maxmemory-policy` but `noeviction` can drop queued jobs and
 * BullMQ locks), and does it persist (AOF, RDB snapshots, or nothing). Used by the start-up checks
 * and by `nemo-bot doctor`.
 */
import { Redis } from 'ioredis';

export interface RedisFacts {
  reachable: boolean;
  /** Why it is not reachable (connection refused, auth failed, timeout…). */
  error?: string;
  version?: string;
  /** undefined when CONFIG GET is not allowed (managed Redis often renames it). */
  maxmemoryPolicy?: string;
  appendonly?: boolean;
  /** The `save` schedule ('' = no RDB snapshots). */
  save?: string;
  /** Cluster mode enabled on this node. */
  cluster?: boolean;
}

/** REDIS_URL without its password, for messages. */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

export async function readRedisFacts(url: string, timeoutMs = 3_000): Promise<RedisFacts> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // The socket error (ECONNREFUSED, ENOTFOUND…) says more than connect()'s "Connection is closed".
  let socketError: unknown;
  redis.on('error', (err) => (socketError ??= err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    return { reachable: false, error: describe(socketError ?? err) };
  }
  const facts: RedisFacts = { reachable: true };
  try {
    const info = await redis.info('server');
    facts.version = /redis_version:([^\r\n]+)/.exec(info)?.[1];
    const clusterInfo = await redis.info('cluster').catch(() => '');
    facts.cluster = /cluster_enabled:1/.test(clusterInfo);
    const config = async (name: string): Promise<string | undefined> => {
      const r = (await redis.call('CONFIG', 'GET', name)) as string[];
      return r.length >= 2 ? r[1] : undefined;
    };
    try {
      facts.maxmemoryPolicy = await config('maxmemory-policy');
      const aof = await config('appendonly');
      facts.appendonly = aof === undefined ? undefined : aof === 'yes';
      facts.save = await config('save');
    } catch {
      // CONFIG disabled: policy and persistence stay unknown.
    }
  } finally {
    redis.disconnect();
  }
  return facts;
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code) return e.code;
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/redis:\/\/[^\s]*/g, (u) => safeRedisUrl(u));
}
