/**
 * Readiness of the platform connections in a bot process. A started adapter is ready: it has checked
 * its token, and it either holds the connection (Telegram long poll or webhook, Discord shards) or
 * stands by to take it over within seconds when the holder dies. The detail says which.
 */
import type { DiscordBot } from '../../adapters/discord/index.js';
import type { TelegramBot } from '../../adapters/telegram/index.js';
import type { ReadinessCheck } from './readiness.js';

export const platformCheck = {
  telegram(bot: TelegramBot): ReadinessCheck {
    return {
      name: 'telegram',
      run: () => ({
        ok: true,
        detail: bot.mode === 'webhook' ? `webhook server on port ${bot.webhookPort}` : bot.isPolling ? 'long polling (holds the lease)' : 'standby (another process polls)',
      }),
    };
  },
  discord(bot: DiscordBot): ReadinessCheck {
    return {
      name: 'discord',
      run: () => {
        const held = bot.shards.flatMap((s, i) => (s.connection ? [i] : []));
        return { ok: true, detail: held.length ? `holds shard(s) ${held.join(', ')} of ${bot.shards.length}` : `standby for ${bot.shards.length} shard(s)` };
      },
    };
  },
};
