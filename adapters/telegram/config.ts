/**
 * Telegram's section of the configuration (composed with the core's in src/platforms/config.ts).
 * Its secrets are listed in platform.ts.
 */
import { z } from 'zod';
import { httpUrl, int, megabytes, optionalHttpUrl, optionalString, type ConfigSection } from '../../src/config.js';

const fields = {
  TELEGRAM_BOT_TOKEN: optionalString().describe('Bot token from @BotFather. Telegram is enabled when set.'),
  TELEGRAM_API_ROOT: httpUrl('https://api.telegram.org').describe('Bot API root, no trailing slash (a local Bot API server or a test fake).'),
  TELEGRAM_WEBHOOK_URL: optionalHttpUrl().describe('Public HTTPS URL for webhook mode; long polling when unset.'),
  TELEGRAM_WEBHOOK_SECRET: optionalString().describe('Secret checked in the X-Telegram-Bot-Api-Secret-Token header (webhook mode).'),
  TELEGRAM_WEBHOOK_PORT: int(8080, 0).describe('Port the webhook HTTP server listens on (webhook mode).'),
  TELEGRAM_MAX_UPLOAD_MB: megabytes(50).describe('Largest video sent as a file (50 on the cloud Bot API, up to 2000 with a local server); larger ones go as a link.'),
  TELEGRAM_UPLOAD_TIMEOUT_MS: int(60_000, 100).describe('Deadline of a video upload to Telegram, plus one second per 256 KiB of video; a hung upload ends then (and is not repeated: it may have arrived).'),
  TELEGRAM_MAX_DOWNLOAD_MB: megabytes(20).describe('Largest user file the bot can fetch (20 on the cloud Bot API).'),
  TELEGRAM_POLL_LEASE_MS: int(10_000, 500).describe('Lease that lets only one bot process long-poll; another takes over this soon after the holder dies.'),
} as const;

// The Telegram variables join the one Config type (src/config.ts, PlatformConfig).
declare module '../../src/config.js' {
  interface PlatformConfig extends z.output<z.ZodObject<typeof fields>> {}
}

export const telegramConfig: ConfigSection = {
  fields,
  check: (cfg) => (cfg.TELEGRAM_WEBHOOK_URL && !cfg.TELEGRAM_WEBHOOK_SECRET ? ['TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set'] : []),
};
