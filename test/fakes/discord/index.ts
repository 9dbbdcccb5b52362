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
import { MessageStore, type PushMessageInput } from './messages.js';
import { buttonPayload, modalSubmitPayload, slashCommandPayload, type ButtonInput, type FakeFile, type ModalSubmitInput, type SlashInput } from './interactions.js';
import { buildRoutes } from './routes.js';
import {
  channelJSON,
  fakeBotToken,
  rolesJSON,
  snowflake,
  FakeWorld,
  type FakeChannel,
  type FakeGuild,
  type FakePermission,
  type FakeUser,
  type StoredInteraction,
  type StoredMessage,
} from './state.js';

export type { PushMessageInput };
export type { RecordedCall, FaultSpec, GatewaySession, StoredMessage, FakeUser, FakePermission, FakeFile, SlashInput, ButtonInput };

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


export interface PushedInteraction {
  id: string;
  token: string;
  createdAt: number;
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
      messageContentAllowed: opts.messageContentAllowed ?? true,
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

  /** A role in the guild (no permissions of its own), announced with GUILD_ROLE_CREATE; returns its id. */
  addRole(name: string): string {
    const id = snowflake();
    (this.guild.roles ??= []).push({ id, name });
    this.gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: this.guild.id, role: rolesJSON(this.guild).at(-1) }, { guildId: this.guild.id, intent: 1 });
    return id;
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
    return this.store.fromUser({ ...input, author: input.author ?? this.alice });
  }

  /** A user runs a slash command (type 2, options resolved like Discord: attachments in `resolved`). */
  pushSlashCommand(input: SlashInput): PushedInteraction {
    return this.pushInteraction(slashCommandPayload(this.world, { ...input, user: input.user ?? this.alice }));
  }

  /** A user submits a modal the bot showed. */
  pushModalSubmit(input: ModalSubmitInput): PushedInteraction {
    return this.pushInteraction(modalSubmitPayload(this.world, { ...input, user: input.user ?? this.alice }));
  }

  /** A user presses a button under a message. */
  pushButton(input: ButtonInput): PushedInteraction {
    return this.pushInteraction(buttonPayload(this.world, { ...input, user: input.user ?? this.alice }));
  }

  private pushInteraction({ ix, payload }: { ix: StoredInteraction; payload: Record<string, unknown> }): PushedInteraction {
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
