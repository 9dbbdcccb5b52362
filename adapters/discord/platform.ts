/** Discord as a registered platform (src/platforms/registry.ts). */
import type { PlatformAdapter } from '../../src/platforms/port.js';
import { discordConfig } from './config.js';
import { startDiscordBot } from './bot.js';
import { createDiscordOutbox } from './outbox.js';
import { DISCORD_TOKEN_PATTERN } from './token.js';

export const discordPlatform: PlatformAdapter = {
  id: 'discord',
  config: discordConfig,
  enableHint: 'DISCORD_TOKEN',
  enabled: (config) => Boolean(config.DISCORD_TOKEN),
  tokenPatterns: [DISCORD_TOKEN_PATTERN],
  secrets: (config) => [config.DISCORD_TOKEN].filter((s): s is string => Boolean(s)),
  createOutbox: ({ config, logger }) => createDiscordOutbox({ config, logger }),
  async start({ config, logger, ingress, redis }) {
    const bot = await startDiscordBot({ config, logger, ingress, redis });
    return {
      stop: () => bot.stop(),
      // Started means ready: the token was checked, and the bot holds its shards or stands by for them.
      readiness: () => {
        const held = bot.shards.flatMap((s, i) => (s.connection ? [i] : []));
        return { ok: true, detail: held.length ? `holds shard(s) ${held.join(', ')} of ${bot.shards.length}` : `standby for ${bot.shards.length} shard(s)` };
      },
    };
  },
};
