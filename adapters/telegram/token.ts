/** The shape of a Telegram bot token, also inside `/bot<token>/` URL paths (scrubbed from every log line). */
export const TELEGRAM_TOKEN_PATTERN = /\b(bot)?\d{3,}:[A-Za-z0-9_-]{10,}/g;
