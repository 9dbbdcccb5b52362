/**
 * A per-user message rate at the front door (abuse): at most USER_MESSAGES_PER_MINUTE messages of one
 * user are taken per minute window; the rest are dropped without being queued. Refusal notices of a
 * user (slow down, too many waiting) are sent at most once per window, so a flood gets one answer.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

const WINDOW_MS = 60_000;

/** Count one message in the window; returns the count so far. */
const HIT = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n`;

export class UserRate {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly perMinute: number,
  ) {}

  /** Whether this message of the user is within the rate (it is counted either way). */
  async take(platform: string, userId: string): Promise<boolean> {
    const key = this.keys.userRate(platform, userId, window(), 'n');
    return Number(await this.redis.eval(HIT, 1, key, WINDOW_MS * 2)) <= this.perMinute;
  }

  /** True for the first refusal notice of the user in this window: only that one is sent. */
  async firstNotice(platform: string, userId: string): Promise<boolean> {
    const key = this.keys.userRate(platform, userId, window(), 'told');
    return (await this.redis.set(key, '1', 'PX', WINDOW_MS * 2, 'NX')) === 'OK';
  }
}

const window = () => Math.floor(Date.now() / WINDOW_MS);
