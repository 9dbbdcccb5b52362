/**
 * One gateway shard: a discord.js client that turns messages and interactions into
 * `IncomingMessage`s and hands them to the core.
 *
 * Why the order inside the interaction handlers matters: Discord invalidates an interaction that is
 * not answered within 3 s, and `ingress.accept` talks to Redis (and may be slow under load). So the
 * interaction is deferred *first* ("thinking…" for commands, a silent deferred update for buttons)
 * and only then accepted. A failed defer still reaches the core, without the interaction data, so
 * the acknowledgement goes to the channel instead of a dead token. Nothing before the defer awaits
 * Redis, the queue or another interaction: each event is handled on its own, and the interaction
 * callback goes through @discordjs/rest's burst handler (no global limit, no per-route queue), so a
 * burst of a thousand interactions is deferred as fast as the network allows.
 *
 * Messages and interactions of one channel reach the core in the order Discord sent them (the core
 * numbers the channel's line in join order) — an interaction's defer goes out at once, only its hand-
 * over to the core waits its turn; different channels are handled at the same time, so a slow channel
 * holds up nobody else (keyed-chain.ts).
 */
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Options,
  Partials,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { Config } from '../../src/config.js';
import { COMMANDS } from '../../src/core/commands.js';
import type { ConversationIngress, IncomingMessage } from '../../src/core/message.js';
import type { Logger } from '../../src/log.js';
import { KeyedChain } from '../shared/keyed-chain.js';
import { describeDiscordError } from './errors.js';
import { decodeFormButtonId } from './payload.js';
import { FORM_INPUT_ID, openForm } from './forms.js';
import { adminRoleIds, interactionIsAdmin, messageIsAdmin, withAdminFacts } from './admin.js';
import {
  normalizeButton,
  normalizeMessage,
  normalizeModalSubmit,
  normalizeSlashCommand,
  type AttachmentFacts,
  type InteractionFacts,
  type MessageFacts,
} from './normalize.js';

/** Gateway close codes that need a human (and what to do). */
const FATAL_CLOSE_HINTS: Record<number, string> = {
  4004: 'DISCORD_TOKEN was rejected: copy the bot token again from the Developer Portal (Bot → Reset Token)',
  4014: 'the Message Content intent is not enabled for this app: enable it in the Developer Portal (Bot → Privileged Gateway Intents) or set DISCORD_MESSAGE_CONTENT=false',
  4013: 'invalid intents requested',
};

/** Intents: guild list, guild and DM messages; Message Content only on request (it is privileged). */
export function gatewayIntents(messageContent: boolean): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
  if (messageContent) intents.push(GatewayIntentBits.MessageContent);
  return intents;
}

/** discord.js Message → facts for normalize.ts. */
export function messageFacts(m: Message): MessageFacts {
  const channel = m.channel as Message['channel'] | null;
  return {
    id: m.id,
    channelId: m.channelId,
    parentChannelId: channel?.isThread() ? (channel.parentId ?? undefined) : undefined,
    guildId: m.guildId ?? undefined,
    authorId: m.author.id,
    authorName: m.member?.displayName ?? m.author.globalName ?? m.author.username,
    authorIsBot: m.author.bot,
    isSystem: m.system,
    webhookId: m.webhookId ?? undefined,
    content: m.content,
    mentionedUserIds: [...m.mentions.users.keys()],
    mentionedRoleIds: [...m.mentions.roles.keys()],
    repliedUserId: m.mentions.repliedUser?.id,
    attachments: [...m.attachments.values()].map((a) => ({
      name: a.name,
      url: a.url,
      contentType: a.contentType ?? undefined,
      size: a.size,
    })),
    guildLocale: m.guild?.preferredLocale,
  };
}

function interactionFacts(i: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction): InteractionFacts {
  const member = i.member;
  const displayName = member && 'displayName' in member ? member.displayName : undefined;
  return {
    id: i.id,
    token: i.token,
    applicationId: i.applicationId,
    channelId: i.channelId ?? '',
    guildId: i.guildId ?? undefined,
    userId: i.user.id,
    userName: displayName ?? i.user.globalName ?? i.user.username,
    locale: i.locale,
    guildLocale: i.guildLocale ?? undefined,
  };
}

export interface ShardConnection {
  client: Client;
  /** Resolves once the shard is ready (rejects if login fails). */
  ready: Promise<void>;
  /** Resolves when this client cannot continue (login failed, session dead, fatal close code). */
  closed: Promise<string>;
  destroy(): Promise<void>;
}

export interface OpenShardOptions {
  config: Config;
  ingress: ConversationIngress;
  logger: Logger;
  shardId: number;
  shardCount: number;
}

/** Create a client for one shard and start logging in (returns at once). */
export function openShard(opts: OpenShardOptions): ShardConnection {
  const { config, ingress, shardId } = opts;
  const adminRoles = adminRoleIds(config.DISCORD_ADMIN_ROLE_IDS);
  const logger = opts.logger.child({ shardId });
  const listed = new Set(config.DISCORD_CHANNEL_IDS);
  const client = new Client({
    intents: gatewayIntents(config.DISCORD_MESSAGE_CONTENT),
    // DMs arrive for channels discord.js has never seen; without this partial they are dropped.
    partials: [Partials.Channel],
    shards: [shardId],
    shardCount: opts.shardCount,
    rest: { api: config.DISCORD_API_URL },
    allowedMentions: { parse: [] },
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 25 }),
  });

  let closeReason: (reason: string) => void = () => {};
  const closed = new Promise<string>((resolve) => (closeReason = resolve));

  const accept = async (msg: IncomingMessage) => {
    const res = await ingress.accept(msg);
    logger.debug({ chatId: msg.chatId, messageId: msg.messageId, outcome: res.outcome }, 'discord: message accepted');
    return res;
  };

  /** Per-channel order in which messages and interactions reach the core. */
  const channels = new KeyedChain();

  const onMessage = async (m: Message) => {
    const botUserId = client.user?.id;
    if (!botUserId) return;
    const msg = normalizeMessage(messageFacts(m), {
      botUserId,
      botRoleId: m.guild?.members.me?.roles.botRole?.id,
      listedChannelIds: listed,
    });
    if (!msg) return;
    withAdminFacts(msg, m.guildId, messageIsAdmin(m, adminRoles));
    await channels.run(msg.chatId, async () => {
      try {
        await accept(msg);
      } catch (err) {
        logger.error({ chatId: msg.chatId, error: describeDiscordError(err) }, 'discord: ingress failed for a message');
      }
    });
  };

  /** Acknowledge within Discord's 3 s; false (logged) when the interaction could not be deferred. */
  const deferInTime = async (defer: () => Promise<unknown>, what: string): Promise<boolean> => {
    try {
      await defer();
      return true;
    } catch (err) {
      logger.warn({ error: describeDiscordError(err) }, `discord: could not defer ${what} in time`);
      return false;
    }
  };

  /** The command's text: `/video`'s prompt, or the argument of a command that takes one (`/show <id>`). */
  const commandText = (i: ChatInputCommandInteraction): string | undefined => {
    const argument = COMMANDS.find((c) => c.name === i.commandName)?.argument;
    return i.options.getString(argument?.name ?? 'prompt') ?? undefined;
  };

  const onSlash = async (i: ChatInputCommandInteraction) => {
    const receivedAt = Date.now();
    // The defer starts now, outside the channel's order; the core hears of it in the channel's order.
    // A private command (/login, /admin) is answered ephemerally: only its user sees the answer.
    const ephemeral = COMMANDS.find((c) => c.name === i.commandName)?.private === true;
    const deferring = deferInTime(() => i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {}), 'a slash command');
    const image = i.options.getAttachment('image');
    const attachment: AttachmentFacts | undefined = image
      ? { name: image.name, url: image.url, contentType: image.contentType ?? undefined, size: image.size }
      : undefined;
    const msg = withAdminFacts(
      normalizeSlashCommand({ ...interactionFacts(i), commandName: i.commandName, prompt: commandText(i), attachment, deferredEphemeral: ephemeral }, receivedAt),
      i.guildId,
      interactionIsAdmin(i, adminRoles),
    );
    await acceptDeferred(i, msg, deferring, 'a slash command');
  };

  /** Hand a deferred command (or form) to the core in the channel's order; never leave "thinking…" behind. */
  const acceptDeferred = (i: ChatInputCommandInteraction | ModalSubmitInteraction, msg: IncomingMessage, deferring: Promise<boolean>, what: string) =>
    channels.run(msg.chatId, async () => {
      const deferred = await deferring;
      if (!deferred) delete msg.platformMeta;
      try {
        const res = await accept(msg);
        // Nobody will answer an ignored command: do not leave "thinking…" on screen for 15 minutes.
        if (res.outcome === 'ignored' && deferred) await i.deleteReply().catch(() => {});
      } catch (err) {
        logger.error({ chatId: msg.chatId, error: describeDiscordError(err) }, `discord: ingress failed for ${what}`);
        if (deferred) await i.deleteReply().catch(() => {});
      }
    });

  const onButton = async (i: ButtonInteraction) => {
    const receivedAt = Date.now();
    const facts = { ...interactionFacts(i), customId: i.customId, messageId: i.message.id };
    const msg = normalizeButton(facts, receivedAt);
    if (!msg) return; // not one of ours
    withAdminFacts(msg, i.guildId, interactionIsAdmin(i, adminRoles));
    if (await openForm(i, msg, ingress, logger)) return;
    const deferring = deferInTime(() => i.deferUpdate(), 'a button press');
    await channels.run(msg.chatId, async () => {
      if (!(await deferring)) delete msg.platformMeta;
      try {
        await accept(msg);
      } catch (err) {
        logger.error({ chatId: msg.chatId, error: describeDiscordError(err) }, 'discord: ingress failed for a button');
      }
    });
  };

  const onModal = async (i: ModalSubmitInteraction) => {
    if (!decodeFormButtonId(i.customId)) return; // not one of ours
    const receivedAt = Date.now();
    const deferring = deferInTime(() => i.deferReply(), 'a form');
    const msg = withAdminFacts(normalizeModalSubmit({ ...interactionFacts(i), prompt: i.fields.getTextInputValue(FORM_INPUT_ID) }, receivedAt), i.guildId, interactionIsAdmin(i, adminRoles));
    await acceptDeferred(i, msg, deferring, 'a form');
  };

  client.on(Events.MessageCreate, (m) => void onMessage(m));
  client.on(Events.InteractionCreate, (i: Interaction) => {
    if (i.isChatInputCommand()) void onSlash(i);
    else if (i.isButton()) void onButton(i);
    else if (i.isModalSubmit()) void onModal(i);
  });
  client.on(Events.Error, (err) => logger.error({ error: describeDiscordError(err) }, 'discord: client error'));
  client.on(Events.Warn, (text) => logger.warn({ text }, 'discord: client warning'));
  client.on(Events.ShardDisconnect, (event) => {
    const hint = FATAL_CLOSE_HINTS[event.code];
    logger.error({ closeCode: event.code }, `discord: gateway closed for good${hint ? `: ${hint}` : ''}`);
    closeReason(`gateway closed (${event.code})`);
  });
  client.on(Events.Invalidated, () => closeReason('session invalidated'));

  const ready = new Promise<void>((resolve, reject) => {
    client.once(Events.ClientReady, (c) => {
      logger.info({ user: c.user.tag, guilds: c.guilds.cache.size }, 'discord: shard ready');
      resolve();
    });
    client.login(config.DISCORD_TOKEN).catch((err: unknown) => {
      logger.error({ error: describeDiscordError(err) }, 'discord: login failed');
      closeReason('login failed');
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
  ready.catch(() => {}); // observed through `closed`

  let destroyed: Promise<void> | undefined;
  return {
    client,
    ready,
    closed,
    destroy() {
      destroyed ??= client.destroy().catch((err: unknown) => {
        logger.warn({ error: describeDiscordError(err) }, 'discord: error while destroying the client');
      });
      return destroyed;
    },
  };
}
