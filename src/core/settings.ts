/**
 * Per-server (Discord) or per-chat (Telegram) settings an admin changes with /admin, kept in Redis
 * and validated with zod on every read (a damaged value falls back to the defaults, never trusted).
 *
 * - `quotaPerDay`: generations (turns) one user may start per UTC day here (unset: no quota);
 * - `concurrency`: jobs one conversation may have waiting or running (unset: MAX_QUEUED_PER_CONVERSATION);
 * - `channels`: the only channels / chats where the bot takes work (empty: everywhere);
 * - `language`: the bot's default language here (`en` | `zh`; a conversation's /lang wins);
 * - `blocked`: words or /patterns/ refused before anything reaches Nemo;
 * - `paused`: new work is refused, and queued jobs not yet started hold (pause-hold.ts), until an admin resumes.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { t } from './i18n.js';
import type { Keys } from './keys.js';
import { uiLanguage } from './language.js';
import { readStoredJson } from './stored-json.js';

export const settingsSchema = z.object({
  quotaPerDay: z.number().int().min(0).optional(),
  concurrency: z.number().int().min(1).optional(),
  channels: z.array(z.string().min(1)).max(200).default([]),
  language: z.enum(['en', 'zh']).optional(),
  blocked: z.array(z.string().min(1).max(200)).max(200).default([]),
  paused: z.boolean().default(false),
});
export type Settings = z.infer<typeof settingsSchema>;

export class SettingsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async get(scope: string): Promise<Settings> {
    // Unset or damaged: the defaults.
    return readStoredJson(await this.redis.get(this.keys.settings(scope)), settingsSchema) ?? settingsSchema.parse({});
  }

  async update(scope: string, change: (s: Settings) => Settings): Promise<Settings> {
    const next = settingsSchema.parse(change(await this.get(scope)));
    await this.redis.set(this.keys.settings(scope), JSON.stringify(next));
    return next;
  }

  /**
   * Count one generation against the user's daily quota: the counter's key, or undefined (and not
   * counted) when the quota is used up. The key lets a job cancelled before it starts give it back.
   */
  async takeQuota(scope: string, userId: string, perDay: number, now = Date.now()): Promise<string | undefined> {
    const key = this.keys.quota(scope, userId, new Date(now).toISOString().slice(0, 10));
    const used = await this.redis.incr(key);
    if (used === 1) await this.redis.expire(key, 2 * 24 * 3600);
    if (used <= perDay) return key;
    await this.redis.decr(key);
    return undefined;
  }

  /** A per-conversation language override (/lang), or undefined. */
  async conversationLanguage(conv: string): Promise<'en' | 'zh' | undefined> {
    const v = await this.redis.get(this.keys.conversationLanguage(conv));
    return v === 'en' || v === 'zh' ? v : undefined;
  }

  async setConversationLanguage(conv: string, lang: 'en' | 'zh' | undefined): Promise<void> {
    if (lang) await this.redis.set(this.keys.conversationLanguage(conv), lang);
    else await this.redis.del(this.keys.conversationLanguage(conv));
  }
}

/** `/lang en|zh|auto`: set (or clear) the conversation's language; the answer is in the new language. */
export async function setConversationLanguage(store: SettingsStore, msg: { conversationKey: string; text: string; locale?: string }, args: string, lang: string): Promise<string> {
  const choice = args.trim().toLowerCase();
  if (choice !== 'en' && choice !== 'zh' && choice !== 'auto') return t(lang, 'lang.usage');
  await store.setConversationLanguage(msg.conversationKey, choice === 'auto' ? undefined : choice);
  if (choice === 'auto') return t(uiLanguage(msg.text, msg.locale), 'lang.auto');
  return t(choice, 'lang.set', { language: t(choice, `lang.name.${choice}`) });
}

/** The first blocked word or pattern `text` contains (case-insensitive), or undefined. */
export function blockedBy(text: string, blocked: readonly string[]): string | undefined {
  const lower = text.toLowerCase();
  return blocked.find((b) => {
    const re = /^\/(.+)\/$/.exec(b);
    if (re) {
      try {
        return new RegExp(re[1]!, 'iu').test(text);
      } catch {
        return false;
      }
    }
    return lower.includes(b.toLowerCase());
  });
}

/** Give back one generation a job took from a daily quota (never below zero; a counter already expired stays gone). */
export async function giveBackQuota(redis: Redis, quotaKey: string): Promise<void> {
  await redis.eval(`if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then return redis.call('DECR', KEYS[1]) end return 0`, 1, quotaKey);
}
