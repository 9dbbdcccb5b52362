/** Discord as a registered platform (src/platforms/registry.ts). */
import type { PlatformAdapter } from '../../src/platforms/port.js';
import { startDiscordBot } from './bot.js';
import { createDiscordOutbox } from './outbox.js';
import { DISCORD_TOKEN_PATTERN } from './token.js';

export const discordPlatform: PlatformAdapter = {
  id: 'discord',
  enableHint: 'DISCORD_TOKEN',
  enabled: (config) => Boolean(config.DISCORD_TOKEN),
  tokenPatterns: [DISCORD_TOKEN_PATTERN],
  secrets: (config) => [config.DISCORD_TOKEN].filter((s): s is string => Boolean(s)),
  createOutbox: ({ config, logger }) => createDiscordOutbox({ config, logger }),
  start: ({ config, logger, ingress, redis }) => startDiscordBot({ config, logger, ingress, redis }),
};
