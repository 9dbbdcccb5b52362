/**
 * The outboxes of the enabled platforms (src/platforms/registry.ts): what a process needs to post (no
 * gateway connection). Shared by the main thread and the worker thread, which each build their own.
 */
import type { Config } from './config.js';
import type { OutboxRegistry } from './core/outbox.js';
import type { Logger } from './log.js';
import { enabledPlatforms } from './platforms/registry.js';

export function createOutboxes(config: Config, log: Logger): OutboxRegistry {
  const outboxes: OutboxRegistry = {};
  for (const p of enabledPlatforms(config)) outboxes[p.id] = p.createOutbox({ config, logger: log });
  return outboxes;
}
