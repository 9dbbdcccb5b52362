/**
 * Creating and editing messages in the fake, with Discord's checks: payload shape (zod), empty
 * messages, permissions (50001 / 50013), per-file upload limit by boost tier (40005), replies to
 * missing messages, and mentions filtered by `allowed_mentions`. Every created message is also
 * dispatched as MESSAGE_CREATE, like Discord echoes the bot's own messages.
 */
import { noteChat } from '../../helpers/chat-capture.js';
import { discordError, type Reply } from './http.js';
import type { FakeGateway } from './gateway.js';
import { Intent } from './gateway.js';
import { messageBodySchema, type MessageBody } from './schemas.js';
import type { FakeFile } from './interactions.js';
import { messageJSON, snowflake, type FakeUser, type FakeWorld, type StoredFile, type StoredMessage } from './state.js';

/** A message a user posts (`FakeDiscord.pushMessage`). */
export interface PushMessageInput {
  channelId: string;
  author?: FakeUser;
  content?: string;
  /** Prepend `<@bot>` and list the bot in `mentions`. */
  mentionBot?: boolean;
  attachments?: FakeFile[];
  /** Reply to this message id (the reply pings its author only with `replyPing`). */
  replyTo?: string;
  replyPing?: boolean;
  authorIsBot?: boolean;
}

export interface CreateOptions {
  author: FakeUser;
  /** Interaction responses and follow-ups need no channel permissions. */
  viaInteraction?: boolean;
  webhookId?: string;
  flags?: number;
  /** The user of the interaction that created it (who alone sees it when it is ephemeral). */
  forUserId?: string;
}

export class MessageStore {
  constructor(
    private readonly world: FakeWorld,
    private readonly gateway: FakeGateway,
  ) {}

  /** Validate a body; a Reply on failure. */
  parse(json: unknown): MessageBody | Reply {
    const parsed = messageBodySchema.safeParse(json ?? {});
    if (!parsed.success) return discordError(400, 50035, 'Invalid Form Body', parsed.error.issues);
    return parsed.data;
  }

  /** Users pinged by `content` under `allowed_mentions` (Discord's default parses everything). */
  private mentions(content: string, body: MessageBody): FakeUser[] {
    const ids = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!);
    const am = body.allowed_mentions;
    const allowed = (id: string) => !am || am.parse?.includes('users') || am.users?.includes(id);
    return [...new Set(ids)].filter(allowed).map((id) => this.world.users.get(id)).filter((u): u is FakeUser => Boolean(u));
  }

  create(channelId: string, json: unknown, files: StoredFile[], opts: CreateOptions): StoredMessage | Reply {
    const channel = this.world.channels.get(channelId);
    if (!channel) return discordError(404, 10003, 'Unknown Channel');
    const body = this.parse(json);
    if ('status' in body) return body;
    if (!opts.viaInteraction) {
      if (this.world.isDenied(channelId, 'VIEW_CHANNEL')) return discordError(403, 50001, 'Missing Access');
      if (this.world.isDenied(channelId, 'SEND_MESSAGES')) return discordError(403, 50013, 'Missing Permissions');
    }
    if (files.length > 0 && this.world.isDenied(channelId, 'ATTACH_FILES')) return discordError(403, 50013, 'Missing Permissions');
    const limit = this.world.uploadLimit(channelId);
    if (files.some((f) => f.bytes.length > limit)) return discordError(413, 40005, 'Request entity too large');
    const content = body.content ?? '';
    noteChat(content);
    if (!content && files.length === 0 && !(body.components?.length) && !opts.flags) {
      return discordError(400, 50006, 'Cannot send an empty message');
    }
    let referenced: StoredMessage | undefined;
    if (body.message_reference) {
      referenced = this.world.messages.get(body.message_reference.message_id);
      if (!referenced && body.message_reference.fail_if_not_exists !== false) {
        return discordError(400, 50035, 'Invalid Form Body', { message_reference: { _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }] } });
      }
    }
    const attachments = files.map((f, i) => {
      const index = /\[(\d+)\]/.exec(f.field)?.[1] ?? String(i);
      const meta = body.attachments?.find((a) => String(a.id) === index);
      return this.world.storeAttachment(channelId, meta?.filename ?? f.name, f.bytes, f.contentType);
    });
    const now = Date.now();
    const msg: StoredMessage = {
      id: snowflake(now),
      channel_id: channelId,
      guild_id: channel.guildId,
      author: opts.author,
      content,
      components: body.components ?? [],
      attachments,
      mentions: this.mentions(content, body),
      mention_roles: [],
      flags: opts.flags ?? 0,
      type: referenced ? 19 : 0,
      timestamp: new Date(now).toISOString(),
      edited_timestamp: null,
      edits: [],
      deleted: false,
      createdAt: now,
    };
    if (opts.webhookId) msg.webhook_id = opts.webhookId;
    if (opts.forUserId && msg.flags & 64) msg.forUserId = opts.forUserId;
    if (referenced) {
      msg.message_reference = { message_id: referenced.id, channel_id: referenced.channel_id, guild_id: referenced.guild_id };
      msg.referenced_message = referenced;
    }
    this.world.messages.set(msg.id, msg);
    this.echo(msg);
    return msg;
  }

  edit(messageId: string, json: unknown, files: StoredFile[], opts: { asBot: boolean }): StoredMessage | Reply {
    const msg = this.world.messages.get(messageId);
    if (!msg || msg.deleted) return discordError(404, 10008, 'Unknown Message');
    if (opts.asBot && msg.author.id !== this.world.bot.id) return discordError(403, 50005, 'Cannot edit a message authored by another user');
    const body = this.parse(json);
    if ('status' in body) return body;
    if (body.content !== undefined) msg.content = body.content;
    noteChat(body.content);
    if (body.components !== undefined) msg.components = body.components;
    if (files.length > 0) {
      if (files.some((f) => f.bytes.length > this.world.uploadLimit(msg.channel_id))) return discordError(413, 40005, 'Request entity too large');
      msg.attachments = files.map((f) => this.world.storeAttachment(msg.channel_id, f.name, f.bytes, f.contentType));
    }
    msg.flags &= ~128; // a deferred ("thinking…") message stops loading once edited
    msg.edited_timestamp = new Date().toISOString();
    msg.edits.push(msg.content);
    return msg;
  }

  /** What `userId` sees of a channel: its live messages, without other people's ephemeral ones. */
  visibleTo(channelId: string, userId: string): StoredMessage[] {
    return [...this.world.messages.values()].filter((m) => m.channel_id === channelId && !m.deleted && (!(m.flags & 64) || m.forUserId === userId));
  }

  remove(messageId: string): Reply {
    const msg = this.world.messages.get(messageId);
    if (!msg || msg.deleted) return discordError(404, 10008, 'Unknown Message');
    msg.deleted = true;
    return { status: 204 };
  }

  /** A message a user posts (echoed as MESSAGE_CREATE). */
  fromUser(input: PushMessageInput & { author: FakeUser }): StoredMessage {
    const channel = this.world.channels.get(input.channelId);
    if (!channel) throw new Error(`unknown channel ${input.channelId}`);
    const author = input.author;
    let content = input.content ?? '';
    if (input.mentionBot && !content.includes(`<@${this.world.bot.id}>`)) content = `<@${this.world.bot.id}> ${content}`.trim();
    const mentions = new Set<FakeUser>();
    for (const m of content.matchAll(/<@!?(\d+)>/g)) {
      const u = this.world.users.get(m[1]!);
      if (u) mentions.add(u);
    }
    const referenced = input.replyTo ? this.world.messages.get(input.replyTo) : undefined;
    if (referenced && input.replyPing) mentions.add(referenced.author);
    const now = Date.now();
    const msg: StoredMessage = {
      id: snowflake(now),
      channel_id: channel.id,
      guild_id: channel.guildId,
      author: input.authorIsBot ? { ...author, bot: true } : author,
      content,
      components: [],
      attachments: (input.attachments ?? []).map((f) => this.world.storeAttachment(channel.id, f.name, f.bytes, f.contentType)),
      mentions: [...mentions],
      mention_roles: [],
      flags: 0,
      type: referenced ? 19 : 0,
      timestamp: new Date(now).toISOString(),
      edited_timestamp: null,
      edits: [],
      deleted: false,
      createdAt: now,
    };
    if (referenced) {
      msg.message_reference = { message_id: referenced.id, channel_id: referenced.channel_id, guild_id: referenced.guild_id };
      msg.referenced_message = referenced;
    }
    this.world.messages.set(msg.id, msg);
    this.echo(msg);
    return msg;
  }

  /** MESSAGE_CREATE for a message, with content stripped for sessions lacking the intent. */
  echo(msg: StoredMessage): number {
    const json = messageJSON(msg);
    const isDm = !msg.guild_id;
    const mentionsBot = msg.mentions.some((u) => u.id === this.world.bot.id);
    const fromBot = msg.author.id === this.world.bot.id;
    const data = isDm ? { ...json, channel_type: 1 } : { ...json, member: { roles: [], joined_at: msg.timestamp, deaf: false, mute: false, flags: 0 } };
    return this.gateway.dispatch('MESSAGE_CREATE', data, {
      guildId: msg.guild_id,
      intent: isDm ? Intent.DirectMessages : Intent.GuildMessages,
      shape: (s) => {
        if (isDm || mentionsBot || fromBot || s.intents & Intent.MessageContent) return data;
        return { ...data, content: '', attachments: [], embeds: [], components: [] };
      },
    });
  }
}
