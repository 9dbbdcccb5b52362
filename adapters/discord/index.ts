/**
 * Discord adapter — public entry.
 *
 * - `createDiscordOutbox`: REST-only posting (worker and bot processes).
 * - `startDiscordBot`: gateway connection(s) behind Redis shard leases (bot processes only).
 * - Pure helpers, exported for tests and for the core's documentation.
 *
 * See README.md in this folder for the Discord application setup.
 */
export { createDiscordOutbox, DISCORD_OUTBOX_LIMITS, type DiscordOutbox, type DiscordOutboxOptions } from './outbox.js';
export { startDiscordBot, resolveApplicationId, type DiscordBot, type StartDiscordBotOptions } from './bot.js';

export {
  isForBot,
  normalizeButton,
  normalizeMessage,
  normalizeSlashCommand,
  stripBotMention,
  type AttachmentFacts,
  type ButtonFacts,
  type InteractionFacts,
  type MessageFacts,
  type NormalizeContext,
  type SlashCommandFacts,
} from './normalize.js';
export {
  allowedMentions,
  buildComponents,
  buildEditBody,
  buildMessageBody,
  decodeButtonId,
  encodeButtonId,
  fitContent,
  truncate,
  DISCORD_LIMITS,
} from './payload.js';
export { buildSlashCommands, sameCommandSet, syncSlashCommands, type SlashCommandJSON } from './slash-commands.js';
export { shardLeaseKey } from './shard-lease.js';
export { ShardSupervisor } from './shard-supervisor.js';
export { UploadLimits, tierUploadBytes } from './upload-limit.js';
export { gatewayIntents, messageFacts, openShard, type ShardConnection } from './gateway.js';
export { interactionMetaOf, INTERACTION_TOKEN_TTL_MS, type InteractionMeta } from './interaction-reply.js';
export { describeDiscordError, redactRoute, missingPermissionFor, DiscordCode, type DiscordErrorSummary } from './errors.js';
export { REST_DEFAULTS } from './rest.js';
