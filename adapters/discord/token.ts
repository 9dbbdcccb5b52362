/** The shape of a Discord bot token: three dot-separated parts (scrubbed from every log line). */
export const DISCORD_TOKEN_PATTERN = /\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}\b/g;
