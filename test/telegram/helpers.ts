/**
 * Shared pieces of the Telegram tests: config, a recording ingress, a log capture and Redis cleanup.
 */
import { Redis } from 'ioredis';
import { type Config } from '../../src/config.js';
import { loadConfig } from '../../src/platforms/config.js';
import type { Logger } from '../../src/log.js';
import { captureLogs, dropPrefix, REDIS_URL, sleep, uniquePrefix, until } from '../helpers/common.js';

export { REDIS_URL, sleep, uniquePrefix, until };
import type { ConversationIngress, IncomingMessage, IngressResult } from '../../src/core/message.js';
import { freePort } from '../../adapters/console/local-redis.js';
export { freePort };

export const TOKEN = '123456789:AAF-test-telegram-token-value-xyz';

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
  const c = captureLogs('debug');
  return { logger: c.logger, text: c.text, lines: c.records };
}

export function newRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
}

/** Delete a test prefix's keys (the shared cleanup; `redis` is kept for the callers' signature). */
export async function deleteKeys(_redis: Redis, prefix: string): Promise<void> {
  await dropPrefix(prefix);
}

