/**
 * Shared pieces of the Telegram tests: config, a recording ingress, a log capture and Redis cleanup.
 */
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/log.js';
import type { ConversationIngress, IncomingMessage, IngressResult } from '../../src/core/message.js';

export const TOKEN = '123456789:AAF-test-telegram-token-value-xyz';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(name: string): string {
  return `tgtest-${name}-${randomBytes(4).toString('hex')}`;
}

export function testConfig(env: Record<string, string>): Config {
  return loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, REDIS_URL, LOG_LEVEL: 'debug', ...env });
}

/** An ingress that records what it is given; `hold()` makes the next calls hang until released. */
export class RecordingIngress implements ConversationIngress {
  readonly messages: IncomingMessage[] = [];
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;
  failNext = 0;
  /** Called when a message arrives (before the gate), e.g. to kill the bot at that moment. */
  onArrive: ((msg: IncomingMessage) => void) | undefined;
  arrivals = 0;

  async accept(msg: IncomingMessage): Promise<IngressResult> {
    this.arrivals++;
    this.onArrive?.(msg);
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('ingress unavailable (test)');
    }
    this.messages.push(msg);
    return { outcome: 'queued', jobId: `job-${this.messages.length}` };
  }

  hold(): void {
    this.gate = new Promise((r) => (this.release = r));
  }

  /** Hang forever (a process that died in the middle of accept). */
  hang(): void {
    this.gate = new Promise(() => undefined);
  }

  open(): void {
    this.gate = undefined;
    this.release?.();
  }

  async waitFor(count: number, timeoutMs = 5_000): Promise<IncomingMessage[]> {
    const until = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > until) throw new Error(`ingress: expected ${count} messages, got ${this.messages.length}`);
      await sleep(20);
    }
    return this.messages;
  }
}

/** A debug logger whose output is kept in memory. */
export function captureLogger(): { logger: Logger; text: () => string; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void chunks.push(s) } });
  return {
    logger,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export function newRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
