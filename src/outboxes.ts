/**
 * The outboxes of the configured platforms: what a process needs to post (no gateway connection).
 * Shared by the main thread and the worker thread, which each build their own.
 */
import { createDiscordOutbox } from '../adapters/discord/index.js';
import { createTelegramOutbox } from '../adapters/telegram/index.js';
import type { Config } from './config.js';
import type { OutboxRegistry } from './core/outbox.js';
import type { Logger } from './log.js';

export function createOutboxes(config: Config, log: Logger): OutboxRegistry {
  const outboxes: OutboxRegistry = {};
  if (config.TELEGRAM_BOT_TOKEN) outboxes.telegram = createTelegramOutbox({ config, logger: log });
  if (config.DISCORD_TOKEN) outboxes.discord = createDiscordOutbox({ config, logger: log });
  return outboxes;
}
