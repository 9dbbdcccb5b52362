/** Telegram as a registered platform (src/platforms/registry.ts). */
import type { PlatformAdapter } from '../../src/platforms/port.js';
import { telegramConfig } from './config.js';
import { startTelegramBot } from './bot.js';
import { createTelegramOutbox } from './outbox.js';
import { TELEGRAM_TOKEN_PATTERN } from './token.js';

export const telegramPlatform: PlatformAdapter = {
  id: 'telegram',
  config: telegramConfig,
  enableHint: 'TELEGRAM_BOT_TOKEN',
  enabled: (config) => Boolean(config.TELEGRAM_BOT_TOKEN),
  tokenPatterns: [TELEGRAM_TOKEN_PATTERN],
  secrets: (config) => [config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_WEBHOOK_SECRET].filter((s): s is string => Boolean(s)),
  createOutbox: ({ config, logger }) => createTelegramOutbox({ config, logger }),
  async start({ config, logger, ingress, redis }) {
    const bot = await startTelegramBot({ config, logger, ingress, redis });
    return {
      stop: () => bot.stop(),
      // Started means ready: the token was checked, and the bot holds the connection or stands by for it.
      readiness: () => ({
        ok: true,
        detail: bot.mode === 'webhook' ? `webhook server on port ${bot.webhookPort}` : bot.isPolling ? 'long polling (holds the lease)' : 'standby (another process polls)',
      }),
    };
  },
};
