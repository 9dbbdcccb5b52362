/**
 * A fake Discord on 127.0.0.1 (one port): REST under `/api/v10`, the gateway (ws) on the same port,
 * and a CDN serving attachment bytes behind signed URLs. Real discord.js and @discordjs/rest run
 * against it unmodified (`rest.api = fake.restUrl`), reach `clientReady`, receive pushed messages
 * and interactions, and post back; tests read what was posted (`calls`, `messages(channelId)`).
 *
 * Defaults: one bot (token shaped like a real one), one guild "Nemo Lab" (tier 0) with text channels
 * `general` and `video-lab` and a thread `lab-thread` under `video-lab`, a user `alice`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, type GatewaySession } from './gateway.js';
import { FakeHttp, type FaultSpec, type RecordedCall } from './http.js';
import { MessageStore } from './messages.js';
import { buildRoutes } from './routes.js';
import {
  channelJSON,
  fakeBotToken,
  fakeInteractionToken,
  messageJSON,
  snowflake,
  userJSON,
  FakeWorld,
  type FakeChannel,
  type FakeGuild,
  type FakePermission,
  type FakeUser,
  type StoredInteraction,
  type StoredMessage,
} from './state.js';

export type { RecordedCall, FaultSpec, GatewaySession, StoredMessage, FakeUser, FakePermission };

export interface FakeDiscordOptions {
  /** Recommended shard count returned by /gateway/bot (and required in IDENTIFY). */
  shards?: number;
  heartbeatIntervalMs?: number;
  /** Whether the "Developer Portal" has the Message Content intent enabled (else IDENTIFY asking for it → 4014). */
  messageContentAllowed?: boolean;
  /** First interaction response window (Discord: 3 s). */
  ackWindowMs?: number;
  /** Interaction token lifetime (Discord: 15 min). */
  interactionTokenTtlMs?: number;
  premiumTier?: number;
  preferredLocale?: string;
}

export interface FakeFile {
  name: string;
  bytes: Buffer;
  contentType: string;
}

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

export interface PushedInteraction {
  id: string;
  token: string;
  createdAt: number;
}

export interface SlashInput {
  channelId: string;
  name: string;
  user?: FakeUser;
  /** String options, or a file for attachment options (resolved like Discord does). */
  options?: Record<string, string | FakeFile>;
  locale?: string;
}

export interface ButtonInput {
  channelId: string;
  messageId: string;
  customId: string;
  user?: FakeUser;
  locale?: string;
}

export class FakeDiscord {
  readonly token: string;
  readonly world: FakeWorld;
  readonly gateway: FakeGateway;
  readonly http: FakeHttp;
  readonly store: MessageStore;
  readonly guild: FakeGuild;
  readonly alice: FakeUser;
  readonly channels: { general: string; lab: string; thread: string };
  restUrl = '';
  private server?: Server;

  constructor(readonly opts: FakeDiscordOptions = {}) {
    const botId = snowflake();
    const bot: FakeUser = { id: botId, username: 'nemo-bot', global_name: 'Nemo', discriminator: '0', avatar: null, bot: true };
    this.token = fakeBotToken(botId);
    this.world = new FakeWorld(bot, botId);
    this.alice = this.world.addUser('alice');
    const guildId = snowflake();
    const general: FakeChannel = { id: snowflake(), type: 0, name: 'general', guildId };
    const lab: FakeChannel = { id: snowflake(), type: 0, name: 'video-lab', guildId };
    const thread: FakeChannel = { id: snowflake(), type: 11, name: 'lab-thread', guildId, parentId: lab.id };
    for (const c of [general, lab, thread]) this.world.channels.set(c.id, c);
    this.guild = {
      id: guildId,
      name: 'Nemo Lab',
      premiumTier: opts.premiumTier ?? 0,
      preferredLocale: opts.preferredLocale ?? 'en-US',
      botRoleId: snowflake(),
      channelIds: [general.id, lab.id, thread.id],
    };
    this.world.guilds.set(guildId, this.guild);
    this.channels = { general: general.id, lab: lab.id, thread: thread.id };
    const shardCount = opts.shards ?? 1;
    this.gateway = new FakeGateway(this.world, {
      token: this.token,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
      shardCount,
      messageContentAllowed: opts.messageContentAllowed ?? true,
    });
    this.store = new MessageStore(this.world, this.gateway);
    const routes = buildRoutes({
      world: this.world,
      gateway: this.gateway,
      store: this.store,
      shardCount,
      ackWindowMs: opts.ackWindowMs ?? 3000,
      interactionTokenTtlMs: opts.interactionTokenTtlMs ?? 15 * 60_000,
    });
    this.http = new FakeHttp(routes, this.token);
  }

  get bot(): FakeUser {
    return this.world.bot;
  }

  get applicationId(): string {
    return this.world.applicationId;
  }

  /** Every REST/CDN call so far. */
  get calls(): RecordedCall[] {
    return this.http.calls;
  }

  async listen(): Promise<this> {
    const server = createServer((req, res) => void this.http.handle(req, res));
    server.on('upgrade', (req, socket, head) => {
      this.gateway.wss.handleUpgrade(req, socket, head, (ws) => this.gateway.wss.emit('connection', ws, req));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    this.server = server;
    this.restUrl = `http://127.0.0.1:${port}/api`;
    this.gateway.url = `ws://127.0.0.1:${port}`;
    this.world.origin = `http://127.0.0.1:${port}`;
    return this;
  }

  addUser(name: string): FakeUser {
    return this.world.addUser(name);
  }

  /** A new text channel (or thread, with `parentId`) in the guild, announced with CHANNEL_CREATE / THREAD_CREATE. */
  addChannel(name: string, opts: { parentId?: string } = {}): string {
    const c: FakeChannel = { id: snowflake(), type: opts.parentId ? 11 : 0, name, guildId: this.guild.id, parentId: opts.parentId };
    this.world.channels.set(c.id, c);
    this.guild.channelIds.push(c.id);
    this.gateway.dispatch(opts.parentId ? 'THREAD_CREATE' : 'CHANNEL_CREATE', channelJSON(c), { guildId: this.guild.id, intent: 1 });
    return c.id;
  }

  /** A DM channel between the bot and `user`. */
  dmChannel(user: FakeUser): string {
    const existing = [...this.world.channels.values()].find((c) => c.type === 1 && c.recipient?.id === user.id);
    if (existing) return existing.id;
    const c: FakeChannel = { id: snowflake(), type: 1, recipient: user };
    this.world.channels.set(c.id, c);
    return c.id;
  }

  setGuildTier(guildId: string, tier: number): void {
    const g = this.world.guilds.get(guildId);
    if (!g) throw new Error(`unknown guild ${guildId}`);
    g.premiumTier = tier;
  }

  denyPermission(channelId: string, perm: FakePermission): void {
    const set = this.world.denied.get(channelId) ?? new Set<FakePermission>();
    set.add(perm);
    this.world.denied.set(channelId, set);
  }

  /** Fail the next matching REST calls (429 with rate-limit headers, or any status; `status: 0` = delay only). */
  inject(fault: FaultSpec): void {
    this.http.inject(fault);
  }

  /** A user posts a message; returns it (as stored). */
  pushMessage(input: PushMessageInput): StoredMessage {
    const channel = this.world.channels.get(input.channelId);
    if (!channel) throw new Error(`unknown channel ${input.channelId}`);
    const author = input.author ?? this.alice;
    let content = input.content ?? '';
    if (input.mentionBot && !content.includes(`<@${this.bot.id}>`)) content = `<@${this.bot.id}> ${content}`.trim();
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
    this.store.echo(msg);
    return msg;
  }

  private interactionBase(channelId: string, user: FakeUser, type: 2 | 3, locale?: string) {
    const channel = this.world.channels.get(channelId);
    if (!channel) throw new Error(`unknown channel ${channelId}`);
    const id = snowflake();
    const ix: StoredInteraction = { id, token: fakeInteractionToken(id), type, channelId, guildId: channel.guildId, userId: user.id, createdAt: Date.now() };
    this.world.interactions.set(id, ix);
    const guild = channel.guildId ? this.world.guilds.get(channel.guildId) : undefined;
    const payload: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      type,
      token: ix.token,
      version: 1,
      channel_id: channelId,
      channel: channel.type === 1 ? { id: channel.id, type: 1, recipients: [userJSON(user)], flags: 0 } : { id: channel.id, type: channel.type, guild_id: channel.guildId, name: channel.name, parent_id: channel.parentId ?? null, flags: 0, permissions: '1071698660929' },
      locale: locale ?? 'en-US',
      app_permissions: '1071698660929',
      entitlements: [],
      authorizing_integration_owners: guild ? { '0': guild.id } : { '1': user.id },
      context: guild ? 0 : 1,
      attachment_size_limit: this.world.uploadLimit(channelId),
    };
    if (guild) {
      payload.guild_id = guild.id;
      payload.guild_locale = guild.preferredLocale;
      payload.guild = { id: guild.id, locale: guild.preferredLocale, features: [] };
      payload.member = { user: userJSON(user), roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, nick: null, avatar: null, premium_since: null, pending: false, permissions: '1071698660929' };
    } else {
      payload.user = userJSON(user);
    }
    return { ix, payload };
  }

  /** A user runs a slash command (type 2, options resolved like Discord: attachments in `resolved`). */
  pushSlashCommand(input: SlashInput): PushedInteraction {
    const user = input.user ?? this.alice;
    const { ix, payload } = this.interactionBase(input.channelId, user, 2, input.locale);
    const registered = [...this.world.commands.values()].flat().find((c) => c.name === input.name);
    const options: Array<{ name: string; type: number; value: string }> = [];
    const attachments: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(input.options ?? {})) {
      if (typeof value === 'string') {
        options.push({ name, type: 3, value });
      } else {
        const att = this.world.storeAttachment(input.channelId, value.name, value.bytes, value.contentType);
        const { bytes: _b, ...json } = att;
        attachments[att.id] = { ...json, ephemeral: true };
        options.push({ name, type: 11, value: att.id });
      }
    }
    payload.data = {
      id: (registered?.id as string | undefined) ?? snowflake(),
      name: input.name,
      type: 1,
      options,
      ...(Object.keys(attachments).length ? { resolved: { attachments } } : {}),
      ...(ix.guildId ? { guild_id: ix.guildId } : {}),
    };
    this.gateway.dispatch('INTERACTION_CREATE', payload, { guildId: ix.guildId });
    return { id: ix.id, token: ix.token, createdAt: ix.createdAt };
  }

  /** A user presses a button under a message. */
  pushButton(input: ButtonInput): PushedInteraction {
    const user = input.user ?? this.alice;
    const { ix, payload } = this.interactionBase(input.channelId, user, 3, input.locale);
    const message = this.world.messages.get(input.messageId);
    if (!message) throw new Error(`unknown message ${input.messageId}`);
    ix.originalMessageId = message.id;
    payload.message = messageJSON(message);
    payload.data = { custom_id: input.customId, component_type: 2 };
    this.gateway.dispatch('INTERACTION_CREATE', payload, { guildId: ix.guildId });
    return { id: ix.id, token: ix.token, createdAt: ix.createdAt };
  }

  interaction(id: string): StoredInteraction | undefined {
    return this.world.interactions.get(id);
  }

  /** Live (messages not deleted) messages of a channel, oldest first, with file bytes. */
  messages(channelId: string): StoredMessage[] {
    return [...this.world.messages.values()].filter((m) => m.channel_id === channelId && !m.deleted);
  }

  /** Messages the bot posted in a channel. */
  botMessages(channelId: string): StoredMessage[] {
    return this.messages(channelId).filter((m) => m.author.id === this.bot.id);
  }

  /** Identified gateway sessions that are still connected. */
  liveSessions(): GatewaySession[] {
    return this.gateway.live();
  }

  /** Poll `fn` (re-checked after every REST call and every 20 ms) until it returns a truthy value. */
  async waitFor<T>(fn: () => T | undefined | null | false, ms = 5000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`fake discord: timed out after ${ms} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, 20);
        const off = this.http.onCall(done);
        function done() {
          clearTimeout(t);
          off();
          resolve();
        }
      });
    }
  }

  async close(): Promise<void> {
    this.gateway.close();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

/** Start a fake Discord on a free loopback port. */
export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return new FakeDiscord(opts).listen();
}
