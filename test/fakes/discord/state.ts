/**
 * The fake Discord's world: users, guilds, channels, messages, interactions and commands, plus the
 * JSON shapes Discord sends for them (what discord.js parses).
 *
 * Only fields discord.js reads or our adapter checks are modelled; shapes follow
 * discord-api-types v10 so discord.js builds real `Message`/`Guild`/`Interaction` objects.
 */
import { createHmac, randomBytes } from 'node:crypto';

const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;

/** A fresh snowflake (time-ordered, unique within the process). */
export function snowflake(at = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

/** A bot token shaped like a real one: base64(user id) . 6 chars . 38 chars. */
export function fakeBotToken(userId: string): string {
  const b64 = (buf: Buffer) => buf.toString('base64url');
  return `${b64(Buffer.from(userId))}.${b64(randomBytes(5)).slice(0, 6)}.${b64(randomBytes(29)).slice(0, 38)}`;
}

/** An interaction token shaped like a real one (long, base64 of "interaction:<id>:<random>"). */
export function fakeInteractionToken(interactionId: string): string {
  return Buffer.from(`interaction:${interactionId}:${randomBytes(48).toString('hex')}`).toString('base64url');
}

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
  /** Guild role ids of this member (interactions and messages carry them). */
  roles?: string[];
  /** The member's resolved permissions in interactions (default: the usual member set). */
  permissions?: string;
}

export interface FakeChannel {
  id: string;
  /** 0 guild text, 1 DM, 11 public thread. */
  type: 0 | 1 | 11;
  name?: string;
  guildId?: string;
  parentId?: string;
  /** DM recipient. */
  recipient?: FakeUser;
}

export interface FakeGuild {
  id: string;
  name: string;
  premiumTier: number;
  preferredLocale: string;
  botRoleId: string;
  channelIds: string[];
  /** Roles an admin created (besides @everyone and the bot's own). */
  roles?: Array<{ id: string; name: string }>;
}

export interface StoredFile {
  field: string;
  name: string;
  contentType: string;
  bytes: Buffer;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type: string;
  bytes: Buffer;
}

export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeUser;
  content: string;
  components: unknown[];
  attachments: StoredAttachment[];
  mentions: FakeUser[];
  mention_roles: string[];
  flags: number;
  type: number;
  timestamp: string;
  edited_timestamp: string | null;
  message_reference?: { message_id: string; channel_id: string; guild_id?: string };
  referenced_message?: StoredMessage | null;
  webhook_id?: string;
  /** An ephemeral message (flags 64) is shown only to the user of its interaction. */
  forUserId?: string;
  /** Edits applied (content after each edit), for assertions. */
  edits: string[];
  deleted: boolean;
  createdAt: number;
}

export interface StoredInteraction {
  id: string;
  token: string;
  type: 2 | 3 | 5;
  channelId: string;
  guildId?: string;
  userId: string;
  createdAt: number;
  answered?: { type: number; at: number };
  /** The message `@original` refers to (deferred reply, or the message carrying the button). */
  originalMessageId?: string;
  /** The modal shown in answer (callback type 9): its custom_id, title and components. */
  modal?: { custom_id: string; title: string; components: Array<{ type: number; components: Array<{ type: number; custom_id: string; label?: string; value?: string }> }> };
}

/** Permission names the fake can deny per channel (as Discord answers 50013 / 50001). */
export type FakePermission = 'SEND_MESSAGES' | 'ATTACH_FILES' | 'VIEW_CHANNEL';

export class FakeWorld {
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, FakeGuild>();
  readonly channels = new Map<string, FakeChannel>();
  readonly messages = new Map<string, StoredMessage>();
  readonly interactions = new Map<string, StoredInteraction>();
  readonly commands = new Map<string, Array<Record<string, unknown>>>();
  readonly denied = new Map<string, Set<FakePermission>>();
  /** CDN files by path (/cdn/attachments/<channel>/<id>/<name>). */
  readonly cdn = new Map<string, { bytes: Buffer; contentType: string; ex: string; is: string; hm: string }>();
  private readonly cdnSecret = randomBytes(16);
  origin = 'http://127.0.0.1';

  constructor(readonly bot: FakeUser, readonly applicationId: string) {
    this.users.set(bot.id, bot);
  }

  addUser(username: string): FakeUser {
    const user: FakeUser = { id: snowflake(), username, global_name: username[0]!.toUpperCase() + username.slice(1), discriminator: '0', avatar: null };
    this.users.set(user.id, user);
    return user;
  }

  /** Store bytes on the fake CDN and return an attachment with a signed URL (ex/is/hm like Discord's). */
  storeAttachment(channelId: string, filename: string, bytes: Buffer, contentType: string): StoredAttachment {
    const id = snowflake();
    const path = `/cdn/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
    const now = Math.floor(Date.now() / 1000);
    const ex = (now + 86400).toString(16);
    const is = now.toString(16);
    const hm = createHmac('sha256', this.cdnSecret).update(`${path}|${ex}|${is}`).digest('hex');
    this.cdn.set(path, { bytes, contentType, ex, is, hm });
    const url = `${this.origin}${path}?ex=${ex}&is=${is}&hm=${hm}&`;
    return { id, filename, size: bytes.length, url, proxy_url: url, content_type: contentType, bytes };
  }

  /** Guild upload limit per file, by boost tier. */
  uploadLimit(channelId: string): number {
    const guildId = this.channels.get(channelId)?.guildId;
    const tier = guildId ? (this.guilds.get(guildId)?.premiumTier ?? 0) : 0;
    return (tier === 3 ? 100 : tier === 2 ? 50 : 10) * 1024 * 1024;
  }

  isDenied(channelId: string, perm: FakePermission): boolean {
    return this.denied.get(channelId)?.has(perm) ?? false;
  }
}

/** User JSON. */
export function userJSON(u: FakeUser) {
  return { id: u.id, username: u.username, global_name: u.global_name, discriminator: u.discriminator, avatar: u.avatar, bot: u.bot ?? false, public_flags: 0, flags: 0 };
}

/** Channel JSON as GET /channels/:id and GUILD_CREATE send it. */
export function channelJSON(c: FakeChannel) {
  if (c.type === 1) return { id: c.id, type: 1, recipients: c.recipient ? [userJSON(c.recipient)] : [], last_message_id: null, flags: 0 };
  const base = { id: c.id, type: c.type, guild_id: c.guildId, name: c.name ?? 'channel', position: 0, permission_overwrites: [], nsfw: false, parent_id: c.parentId ?? null, flags: 0, last_message_id: null, rate_limit_per_user: 0, topic: null };
  if (c.type === 11) return { ...base, owner_id: '1', thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false }, message_count: 0, member_count: 1 };
  return base;
}

/** Message JSON (without test-only fields). */
export function messageJSON(m: StoredMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: m.id,
    channel_id: m.channel_id,
    author: userJSON(m.author),
    content: m.content,
    timestamp: m.timestamp,
    edited_timestamp: m.edited_timestamp,
    tts: false,
    mention_everyone: false,
    mentions: m.mentions.map(userJSON),
    mention_roles: m.mention_roles,
    attachments: m.attachments.map(({ bytes: _bytes, ...a }) => a),
    embeds: [],
    pinned: false,
    type: m.type,
    flags: m.flags,
    components: m.components,
  };
  if (m.guild_id) out.guild_id = m.guild_id;
  if (m.webhook_id) out.webhook_id = m.webhook_id;
  if (m.message_reference) out.message_reference = m.message_reference;
  if (m.referenced_message !== undefined) out.referenced_message = m.referenced_message ? messageJSON(m.referenced_message) : null;
  return out;
}

/** The everyone + bot roles of a guild. */
export function rolesJSON(g: FakeGuild) {
  const role = (id: string, name: string, managed: boolean, permissions: string) => ({
    id, name, color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null }, hoist: false, icon: null, unicode_emoji: null, position: managed ? 1 : 0, permissions, managed, mentionable: false, flags: 0,
    ...(managed ? { tags: { bot_id: '0' } } : {}),
  });
  return [role(g.id, '@everyone', false, '1071698660929'), role(g.botRoleId, 'Nemo', true, '1071698660929'), ...(g.roles ?? []).map((r) => role(r.id, r.name, false, '0'))];
}

/** GUILD_CREATE payload for a guild. */
export function guildCreateJSON(world: FakeWorld, g: FakeGuild) {
  const roles = rolesJSON(g).map((r) => (r.tags ? { ...r, tags: { bot_id: world.bot.id } } : r));
  const channels = g.channelIds.map((id) => world.channels.get(id)!).filter((c) => c.type === 0).map(channelJSON);
  const threads = g.channelIds.map((id) => world.channels.get(id)!).filter((c) => c.type === 11).map(channelJSON);
  return {
    id: g.id, name: g.name, icon: null, splash: null, discovery_splash: null, owner_id: snowflake(), afk_channel_id: null, afk_timeout: 300,
    verification_level: 0, default_message_notifications: 0, explicit_content_filter: 0, roles, emojis: [], stickers: [], features: [],
    mfa_level: 0, application_id: null, system_channel_id: null, system_channel_flags: 0, rules_channel_id: null, vanity_url_code: null,
    description: null, banner: null, premium_tier: g.premiumTier, premium_subscription_count: 0, preferred_locale: g.preferredLocale,
    public_updates_channel_id: null, nsfw_level: 0, premium_progress_bar_enabled: false, safety_alerts_channel_id: null,
    joined_at: new Date().toISOString(), large: false, unavailable: false, member_count: 2, voice_states: [], presences: [],
    members: [{ user: userJSON(world.bot), roles: [g.botRoleId], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, nick: null, avatar: null, premium_since: null, pending: false }],
    channels, threads, stage_instances: [], guild_scheduled_events: [], soundboard_sounds: [],
  };
}

/** GET /guilds/:id payload. */
export function guildJSON(world: FakeWorld, g: FakeGuild) {
  const full = guildCreateJSON(world, g) as Record<string, unknown>;
  for (const k of ['joined_at', 'large', 'unavailable', 'member_count', 'voice_states', 'presences', 'members', 'channels', 'threads', 'stage_instances', 'guild_scheduled_events', 'soundboard_sounds']) delete full[k];
  return full;
}
