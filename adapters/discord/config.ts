/**
 * Discord's section of the configuration (composed with the core's in src/platforms/config.ts).
 * Its secrets are listed in platform.ts.
 */
import { z } from 'zod';
import { bool, httpUrl, int, megabytes, optionalString, type ConfigSection } from '../../src/config.js';

const fields = {
  DISCORD_TOKEN: optionalString().describe('Bot token from the Discord developer portal. Discord is enabled when set.'),
  DISCORD_APPLICATION_ID: optionalString().describe('Application id (read from the API when unset).'),
  DISCORD_API_URL: httpUrl('https://discord.com/api').describe('Discord REST API base (discord.js REST `api` option).'),
  DISCORD_ADMIN_ROLE_IDS: optionalString().describe('Comma-separated role ids whose members may use /admin, besides members with Manage Server.'),
  DISCORD_GUILD_ID: optionalString().describe('Register slash commands to this guild (instant); globally when unset.'),
  DISCORD_CHANNEL_IDS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .describe('Comma-separated channel ids where every message is for the bot.'),
  DISCORD_MESSAGE_CONTENT: bool(false).describe('Request the privileged Message Content intent (needed for DISCORD_CHANNEL_IDS without mentions).'),
  DISCORD_MAX_UPLOAD_MB: megabytes(10).describe('Upload limit when a guild\'s own limit is unknown (10 MiB default).'),
  DISCORD_SHARD_LEASE_MS: int(10_000, 500).describe('Lease that lets one bot process hold each gateway shard; another takes over this soon after the holder dies.'),
} as const;

// The Discord variables join the one Config type (src/config.ts, PlatformConfig).
declare module '../../src/config.js' {
  interface PlatformConfig extends z.output<z.ZodObject<typeof fields>> {}
}

export const discordConfig: ConfigSection = { fields };
