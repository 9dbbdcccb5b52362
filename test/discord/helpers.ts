/**
 * Shared pieces of the Discord tests: config for a fake, a recording ingress, log capture and
 * Redis prefix cleanup.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config.js';
import type { ConversationIngress, IncomingMessage, IngressResult } from '../../src/core/message.js';
import { createLogger, type Logger } from '../../src/log.js';
import type { FakeDiscord } from '../fakes/discord/index.js';
import { startDiscordBot, type DiscordBot } from '../../adapters/discord/index.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(name: string): string {
  return `t-dc-${name}-${randomBytes(3).toString('hex')}`;
}

/** Config pointing at the fake; `extra` overrides any variable. */
export function discordConfig(fake: FakeDiscord, prefix: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    DISCORD_TOKEN: fake.token,
    DISCORD_API_URL: fake.restUrl,
    DISCORD_SHARD_LEASE_MS: '1500',
    LOG_LEVEL: 'silent',
    ...extra,
  });
}

/** An ingress that records every message (and can be made slow or failing). */
export class RecordingIngress implements ConversationIngress {
  readonly received: IncomingMessage[] = [];
  result: IngressResult = { outcome: 'queued', jobId: 'job-1', position: 1 };
  onAccept?: (msg: IncomingMessage) => Promise<void> | void;

  async accept(msg: IncomingMessage): Promise<IngressResult> {
    this.received.push(msg);
    await this.onAccept?.(msg);
    return this.result;
  }
}

/** A logger whose lines are kept in memory (as text) for assertions. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, text: () => lines.join('') };
}

/** Delete every key of a test prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
  r.disconnect();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Wait until `fn` returns a truthy value (polling). */
export async function until<T>(fn: () => T | undefined | null | false, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

export interface RunningBot {
  bot: DiscordBot;
  ingress: RecordingIngress;
  redis: Redis;
  config: Config;
  logs: ReturnType<typeof captureLogger>;
  stop(): Promise<void>;
}

/** Start the real adapter against the fake and wait until its shard is ready. */
export async function startTestBot(fake: FakeDiscord, name: string, extra: Record<string, string> = {}): Promise<RunningBot> {
  const prefix = uniquePrefix(name);
  const config = discordConfig(fake, prefix, extra);
  const redis = new Redis(config.REDIS_URL);
  const ingress = new RecordingIngress();
  const logs = captureLogger();
  const bot = await startDiscordBot({ config, ingress, redis, logger: logs.logger });
  const conn = await until(() => bot.shards[0]?.connection, 10_000, 'the shard connection');
  await conn.ready;
  return {
    bot,
    ingress,
    redis,
    config,
    logs,
    async stop() {
      await bot.stop();
      await redis.quit();
      await dropPrefix(prefix);
    },
  };
}
