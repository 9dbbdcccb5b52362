/**
 * Shared pieces of the Discord tests: config for a fake, a recording ingress, log capture and
 * Redis prefix cleanup.
 */
import { Redis } from 'ioredis';
import { type Config } from '../../src/config.js';
import { loadConfig } from '../../src/platforms/config.js';
import type { ConversationIngress, IncomingMessage, IngressResult } from '../../src/core/message.js';
import type { Logger } from '../../src/log.js';
import { captureLogs, dropPrefix, REDIS_URL, sleep, uniquePrefix, until } from '../helpers/common.js';

export { dropPrefix, REDIS_URL, sleep, uniquePrefix, until };
import type { FakeDiscord } from '../fakes/discord/index.js';
import { startDiscordBot, type DiscordBot } from '../../adapters/discord/index.js';


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
  const c = captureLogs(level);
  return { logger: c.logger, lines: c.raw, text: c.text };
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
