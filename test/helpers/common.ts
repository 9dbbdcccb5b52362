/**
 * Small pieces every test file uses: the Redis URL, a key prefix per file and its cleanup, polling
 * waits, and a logger whose output stays in memory.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createLogger, type Logger } from '../../src/log.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A QUEUE_PREFIX of its own, so test files sharing one Redis never collide. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${randomBytes(3).toString('hex')}`;
}

/** Delete every key of a test prefix. */
export async function dropPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const r = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
  r.disconnect();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until `fn` returns something truthy, and return it. */
export async function until<T>(fn: () => T | undefined | null | false, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** A logger whose lines are kept in memory. */
export function captureLogs(level = 'debug'): { logger: Logger; raw: string[]; text(): string; records(): Array<Record<string, unknown>> } {
  const raw: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void raw.push(line) } });
  return {
    logger,
    raw,
    text: () => raw.join(''),
    records: () =>
      raw
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/**
 * A Redis connection and key prefix of this test file's own: connected before its tests, its keys
 * dropped and the connection closed after them. Read `redis` inside tests or hooks, not at import.
 */
export function fileRedis(name: string): { readonly prefix: string; readonly redis: Redis } {
  const prefix = uniquePrefix(name);
  let redis: Redis | undefined;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await dropPrefix(prefix);
    await redis?.quit();
  });
  return {
    prefix,
    get redis() {
      if (!redis) throw new Error('fileRedis: the connection opens in beforeAll');
      return redis;
    },
  };
}
