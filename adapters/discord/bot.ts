/**
 * Start the Discord side of a bot process: check the token, register slash commands if they
 * changed, and supervise every gateway shard behind its Redis lease.
 *
 * Why the shard count is read once here: all bot processes must agree on it, and Discord's
 * recommendation (`GET /gateway/bot`) only changes as the bot joins thousands of guilds. A process
 * started after Discord raised it would disagree; restart all bot processes after growth (README).
 */
import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Config } from '../../src/config.js';
import type { ConversationIngress } from '../../src/core/message.js';
import { registerSecret, type Logger } from '../../src/log.js';
import { describeDiscordError, httpStatusOf } from './errors.js';
import { openShard } from './gateway.js';
import { createRestClients } from './rest.js';
import { Lease } from '../../src/core/lease.js';
import { shardLeaseKey } from './shard-lease.js';
import { ShardSupervisor } from './shard-supervisor.js';
import { syncSlashCommands } from './slash-commands.js';

export interface StartDiscordBotOptions {
  config: Config;
  ingress: ConversationIngress;
  /** ioredis client used for the shard leases. */
  redis: Redis;
  logger: Logger;
}

export interface DiscordBot {
  stop(): Promise<void>;
  /** Supervisors by shard id (tests and health checks: which shards this process holds). */
  readonly shards: readonly ShardSupervisor[];
  readonly applicationId: string;
}

const applicationSchema = z.object({ id: z.string() });
const gatewayBotSchema = z.object({ shards: z.number().int().min(1) });

/** DISCORD_APPLICATION_ID, or the id of the application that owns the token. */
export async function resolveApplicationId(rest: REST, config: Config): Promise<string> {
  if (config.DISCORD_APPLICATION_ID) return config.DISCORD_APPLICATION_ID;
  try {
    return applicationSchema.parse(await rest.get(Routes.currentApplication())).id;
  } catch (err) {
    if (httpStatusOf(err) === 401) {
      throw new Error('DISCORD_TOKEN was rejected by Discord (401): copy the bot token again from the Developer Portal');
    }
    throw new Error(`could not read the Discord application id: ${describeDiscordError(err).message}`);
  }
}

/** Discord's recommended shard count (1 when it cannot be read: a single shard always works for small bots). */
async function recommendedShardCount(rest: REST, logger: Logger): Promise<number> {
  try {
    return gatewayBotSchema.parse(await rest.get(Routes.gatewayBot())).shards;
  } catch (err) {
    logger.warn({ error: describeDiscordError(err) }, 'discord: could not read the recommended shard count; using 1');
    return 1;
  }
}

function logIntentChoice(config: Config, logger: Logger): void {
  if (config.DISCORD_MESSAGE_CONTENT) {
    logger.info('discord: requesting the Message Content intent (it must be enabled in the Developer Portal)');
    return;
  }
  logger.info(
    'discord: Message Content intent not requested (DISCORD_MESSAGE_CONTENT=false): the bot reads DMs, messages that mention or reply to it, and slash commands',
  );
  if (config.DISCORD_CHANNEL_IDS.length > 0) {
    logger.warn(
      { channels: config.DISCORD_CHANNEL_IDS },
      'discord: DISCORD_CHANNEL_IDS is set, but without the Message Content intent messages there arrive empty unless they mention the bot; set DISCORD_MESSAGE_CONTENT=true and enable the intent',
    );
  }
}

/** Connect to Discord (in the background, behind the shard leases) and return a handle to stop. */
export async function startDiscordBot(opts: StartDiscordBotOptions): Promise<DiscordBot> {
  const { config, ingress, redis } = opts;
  const logger = opts.logger.child({ platform: 'discord' });
  if (!config.DISCORD_TOKEN) throw new Error('DISCORD_TOKEN is not set');
  registerSecret(config.DISCORD_TOKEN, { pinned: true });
  const { rest } = createRestClients({ config, logger });

  logIntentChoice(config, logger);
  const applicationId = await resolveApplicationId(rest, config);
  try {
    await syncSlashCommands({ rest, applicationId, guildId: config.DISCORD_GUILD_ID, logger });
  } catch (err) {
    // Messages and existing commands keep working; the next start tries again.
    logger.error({ error: describeDiscordError(err) }, 'discord: slash command registration failed');
  }

  const shardCount = await recommendedShardCount(rest, logger);
  const shards = Array.from({ length: shardCount }, (_, shardId) => {
    const supervisor = new ShardSupervisor({
      shardId,
      lease: new Lease(redis, shardLeaseKey(config.QUEUE_PREFIX, shardId), config.DISCORD_SHARD_LEASE_MS),
      open: () => openShard({ config, ingress, logger, shardId, shardCount }),
      logger,
    });
    supervisor.start();
    return supervisor;
  });
  logger.info({ shardCount, applicationId }, 'discord: bot started; waiting for shard leases');

  let stopping: Promise<void> | undefined;
  return {
    shards,
    applicationId,
    stop() {
      stopping ??= Promise.all(shards.map((s) => s.stop())).then(() => {
        logger.info('discord: bot stopped');
      });
      return stopping;
    },
  };
}
