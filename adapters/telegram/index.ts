/**
 * Telegram adapter: turns Telegram updates into `IncomingMessage`s for the core and posts the core's
 * replies back through the Bot API.
 *
 * - `startTelegramBot` — bot processes: long polling behind a Redis lease (one poller per token),
 *   or a webhook server when TELEGRAM_WEBHOOK_URL is set.
 * - `createTelegramOutbox` — any process (bot or worker): sending, editing, uploading videos.
 * - `normalizeUpdate` & co — the pure parts, exported for tests.
 */
export { createTelegramOutbox, type TelegramOutboxOptions } from './outbox.js';
export { startTelegramBot, ALLOWED_UPDATES, type TelegramBot, type TelegramBotOptions } from './bot.js';
export { normalizeUpdate, mergeAlbum, attachmentsOf, largestPhoto, type BotIdentity, type Normalized, type AlbumPart } from './normalize.js';
export { parseCommand, commandMenu, type ParsedCommand } from './commands.js';
export { encodeButtonData, inlineKeyboard } from './keyboard.js';
export { TelegramApiError } from './errors.js';
export { secretMatches, SECRET_HEADER } from './webhook.js';
