/**
 * How large a video one channel accepts as an attachment.
 *
 * Why not a constant: Discord's per-file limit moved 8 → 25 → 10 MiB within two years and boosted
 * servers get more (tier 2: 50 MiB, tier 3: 100 MiB); bots that hard-coded it broke each time
 * (ux-anchors §2 item 6, §3). The worker has no gateway cache, so the limit is read over REST:
 * channel → guild → `premium_tier`, cached (a guild's tier changes rarely; a channel never moves
 * guild). Anything unknown falls back to DISCORD_MAX_UPLOAD_MB, and a channel where Discord refused
 * an upload for lack of the Attach Files permission answers 0 for a while, so the core sends a link.
 */
import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { z } from 'zod';
import type { Logger } from '../../src/log.js';
import { describeDiscordError } from './errors.js';

const MiB = 1024 * 1024;

/** Per-file upload limit of a boost tier; `undefined` when the tier grants nothing above the default. */
export function tierUploadBytes(tier: number | undefined): number | undefined {
  if (tier === 3) return 100 * MiB;
  if (tier === 2) return 50 * MiB;
  return undefined;
}

const channelSchema = z.object({ id: z.string(), guild_id: z.string().nullish() });
const guildSchema = z.object({ id: z.string(), premium_tier: z.number().int().nullish() });

export interface UploadLimitOptions {
  rest: REST;
  /** DISCORD_MAX_UPLOAD_MB in bytes. */
  defaultBytes: number;
  logger: Logger;
  /** How long a guild's tier is trusted. */
  tierTtlMs?: number;
  /** How long a channel without Attach Files is sent links only. */
  noAttachTtlMs?: number;
  now?: () => number;
}

/** Small insertion-ordered cache with a size cap, enough for per-process lookups. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly cap: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.cap) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

export class UploadLimits {
  private readonly guildOfChannel = new BoundedMap<string, string | null>(20_000);
  private readonly tierOfGuild = new BoundedMap<string, { tier: number | undefined; at: number }>(20_000);
  private readonly noAttachUntil = new BoundedMap<string, number>(5_000);
  private readonly tierTtlMs: number;
  private readonly noAttachTtlMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: UploadLimitOptions) {
    this.tierTtlMs = opts.tierTtlMs ?? 10 * 60_000;
    this.noAttachTtlMs = opts.noAttachTtlMs ?? 60 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** The largest file `channelId` accepts; DMs get the default. Never throws. */
  async forChannel(channelId: string, isDirect: boolean): Promise<number> {
    const blockedUntil = this.noAttachUntil.get(channelId);
    if (blockedUntil !== undefined) {
      if (blockedUntil > this.now()) return 0;
      this.noAttachUntil.delete(channelId);
    }
    if (isDirect) return this.opts.defaultBytes;
    try {
      const guildId = await this.guildOf(channelId);
      if (!guildId) return this.opts.defaultBytes;
      const tier = await this.tierOf(guildId);
      return Math.max(this.opts.defaultBytes, tierUploadBytes(tier) ?? 0);
    } catch (err) {
      this.opts.logger.warn({ channelId, error: describeDiscordError(err) }, 'discord: could not read the guild upload limit; using DISCORD_MAX_UPLOAD_MB');
      return this.opts.defaultBytes;
    }
  }

  /** Remember that uploads to this channel are refused (missing Attach Files). */
  markNoAttach(channelId: string): void {
    this.noAttachUntil.set(channelId, this.now() + this.noAttachTtlMs);
  }

  private async guildOf(channelId: string): Promise<string | null> {
    const cached = this.guildOfChannel.get(channelId);
    if (cached !== undefined) return cached;
    const channel = channelSchema.parse(await this.opts.rest.get(Routes.channel(channelId)));
    const guildId = channel.guild_id ?? null;
    this.guildOfChannel.set(channelId, guildId);
    return guildId;
  }

  private async tierOf(guildId: string): Promise<number | undefined> {
    const cached = this.tierOfGuild.get(guildId);
    if (cached && this.now() - cached.at < this.tierTtlMs) return cached.tier;
    const guild = guildSchema.parse(await this.opts.rest.get(Routes.guild(guildId)));
    const tier = guild.premium_tier ?? undefined;
    this.tierOfGuild.set(guildId, { tier, at: this.now() });
    return tier;
  }
}
