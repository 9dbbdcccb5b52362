/**
 * Discord events → `IncomingMessage`, as pure functions over plain "facts".
 *
 * Why facts instead of discord.js objects: the rules (which messages are for the bot, what the
 * prompt is, which ids deduplicate) are the part worth testing exhaustively, and discord.js
 * structures cannot be built without a client. gateway.ts extracts facts from discord.js objects in
 * a few lines; everything that decides lives here.
 *
 * The adapter only decides *whether a message is addressed to the bot*; whether its files are
 * acceptable, what to answer and in which language is the core's business.
 */
import { conversationKey, type Attachment, type IncomingMessage } from '../../src/core/message.js';
import type { InteractionMeta } from './interaction-reply.js';
import { decodeButtonId } from './payload.js';

export interface AttachmentFacts {
  name: string;
  /** The full signed CDN URL (`?ex=…&is=…&hm=…`): without its query it does not download. */
  url: string;
  contentType?: string;
  size?: number;
}

export interface MessageFacts {
  id: string;
  channelId: string;
  /** Parent channel of a thread (so threads under a listed channel are listed too). */
  parentChannelId?: string;
  guildId?: string;
  authorId: string;
  authorName: string;
  authorIsBot: boolean;
  /** System messages (joins, pins, boosts) and webhook posts are never prompts. */
  isSystem: boolean;
  webhookId?: string;
  content: string;
  mentionedUserIds: readonly string[];
  mentionedRoleIds: readonly string[];
  /** Author of the message this one replies to. */
  repliedUserId?: string;
  attachments: readonly AttachmentFacts[];
  guildLocale?: string;
}

export interface NormalizeContext {
  botUserId: string;
  /** The bot's managed role in this guild: people often pick it instead of the bot in autocomplete. */
  botRoleId?: string;
  /** DISCORD_CHANNEL_IDS: every message there is for the bot. */
  listedChannelIds: ReadonlySet<string>;
  now?: () => number;
}

/** Remove the bot's user and role mentions (and the spaces after them) from `content`. */
export function stripBotMention(content: string, botUserId: string, botRoleId?: string): string {
  let out = content.replace(new RegExp(`<@!?${botUserId}>[ \\t]*`, 'g'), '');
  if (botRoleId) out = out.replace(new RegExp(`<@&${botRoleId}>[ \\t]*`, 'g'), '');
  return out.trim();
}

function toAttachment(a: AttachmentFacts): Attachment {
  const att: Attachment = { name: a.name, source: { kind: 'url', url: a.url } };
  if (a.contentType) att.mimeType = a.contentType;
  if (typeof a.size === 'number') att.sizeBytes = a.size;
  return att;
}

/**
 * Is this message for the bot? DMs always; in guilds when the bot (or its role) is mentioned, when
 * the message replies to the bot, or in a listed channel (or a thread of one). Bots, including this
 * one, system messages and webhooks are ignored so two bots can never talk to each other forever.
 */
export function isForBot(m: MessageFacts, ctx: NormalizeContext): boolean {
  if (m.authorIsBot || m.authorId === ctx.botUserId || m.isSystem || m.webhookId) return false;
  if (!m.guildId) return true;
  if (mentionsBot(m, ctx)) return true;
  if (m.repliedUserId === ctx.botUserId) return true;
  return ctx.listedChannelIds.has(m.channelId) || (m.parentChannelId !== undefined && ctx.listedChannelIds.has(m.parentChannelId));
}

function mentionsBot(m: MessageFacts, ctx: NormalizeContext): boolean {
  return m.mentionedUserIds.includes(ctx.botUserId) || (ctx.botRoleId !== undefined && m.mentionedRoleIds.includes(ctx.botRoleId));
}

/**
 * A gateway message → `IncomingMessage`, or `null` when it is not for the bot. A message that is
 * for the bot but arrives empty (no text, no files, no mention) is also dropped: without the
 * Message Content intent Discord blanks messages in listed channels, and answering those would
 * mean answering every chat line.
 */
export function normalizeMessage(m: MessageFacts, ctx: NormalizeContext): IncomingMessage | null {
  if (!isForBot(m, ctx)) return null;
  const mentioned = mentionsBot(m, ctx);
  const text = stripBotMention(m.content, ctx.botUserId, ctx.botRoleId);
  const attachments = m.attachments.map(toAttachment);
  if (!text && attachments.length === 0 && !mentioned && m.guildId) return null;
  const msg: IncomingMessage = {
    platform: 'discord',
    conversationKey: conversationKey('discord', m.channelId),
    chatId: m.channelId,
    userId: m.authorId,
    userName: m.authorName,
    messageId: m.id,
    text,
    attachments,
    replyToMessageId: m.id,
    isDirect: !m.guildId,
    mentionsBot: mentioned || m.repliedUserId === ctx.botUserId,
    receivedAt: (ctx.now ?? Date.now)(),
  };
  if (m.guildLocale) msg.locale = m.guildLocale;
  return msg;
}

/** Facts common to slash commands and buttons. */
export interface InteractionFacts {
  id: string;
  token: string;
  applicationId: string;
  channelId: string;
  guildId?: string;
  userId: string;
  userName: string;
  /** The user's client locale (always sent with interactions). */
  locale?: string;
  guildLocale?: string;
}

export interface SlashCommandFacts extends InteractionFacts {
  commandName: string;
  /** The command was deferred ephemerally (a private command): its answer is shown only to its user. */
  deferredEphemeral?: boolean;
  prompt?: string;
  attachment?: AttachmentFacts;
}

export interface ButtonFacts extends InteractionFacts {
  customId: string;
  /** The message carrying the button. */
  messageId: string;
}

function interactionBase(f: InteractionFacts, kind: InteractionMeta['interactionKind'], now: number, deferredEphemeral = false) {
  const meta: InteractionMeta = {
    interactionId: f.id,
    interactionToken: f.token,
    applicationId: f.applicationId,
    interactionKind: kind,
    ...(deferredEphemeral ? { deferred: 'ephemeral' as const } : {}),
  };
  const locale = f.locale ?? f.guildLocale;
  return {
    platform: 'discord' as const,
    conversationKey: conversationKey('discord', f.channelId),
    chatId: f.channelId,
    userId: f.userId,
    userName: f.userName,
    // Interaction ids are snowflakes like message ids; the prefix keeps the two id spaces apart.
    messageId: `ix-${f.id}`,
    isDirect: !f.guildId,
    mentionsBot: true,
    platformMeta: { ...meta } as Record<string, string>,
    receivedAt: now,
    ...(locale ? { locale } : {}),
  };
}

/** A slash command → `IncomingMessage` with `command` (and the attachment option as an attachment). */
export function normalizeSlashCommand(f: SlashCommandFacts, now: number = Date.now()): IncomingMessage {
  const prompt = (f.prompt ?? '').trim();
  return {
    ...interactionBase(f, 'command', now, f.deferredEphemeral),
    text: prompt,
    attachments: f.attachment ? [toAttachment(f.attachment)] : [],
    command: { name: f.commandName.toLowerCase(), args: prompt },
  };
}

/** A submitted Remix form (modal) → a `/video` command with the edited prompt. */
export function normalizeModalSubmit(f: InteractionFacts & { prompt: string }, now: number = Date.now()): IncomingMessage {
  const prompt = f.prompt.trim();
  return {
    ...interactionBase(f, 'command', now),
    text: prompt,
    attachments: [],
    command: { name: 'video', args: prompt },
  };
}

/** A pressed `nb:` button → `IncomingMessage` with `button`; `null` for components that are not ours. */
export function normalizeButton(f: ButtonFacts, now: number = Date.now()): IncomingMessage | null {
  const id = decodeButtonId(f.customId);
  if (!id) return null;
  return {
    ...interactionBase(f, 'component', now),
    text: '',
    attachments: [],
    replyToMessageId: f.messageId,
    button: { id },
  };
}
