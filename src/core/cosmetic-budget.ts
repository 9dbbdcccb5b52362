/**
 * A per-process budget for optional chat updates: typing / uploading indicators, elapsed-time
 * refreshes and places in line.
 *
 * Why: with thousands of turns in flight, "a typing indicator every 4.5 s per chat" alone would be
 * thousands of platform calls a second, far over any bot's rate limit, and would crowd out what
 * matters. Essential messages (acknowledgements, stage changes, results, failures) never ask this
 * budget; optional ones are simply skipped when it is spent.
 */
export class CosmeticBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** @param perSecond optional updates allowed per second per platform (bursts up to the same number). */
  constructor(private readonly perSecond: number) {}

  /** Take one token for `platform`; false means skip the optional update. */
  take(platform: string): boolean {
    if (this.perSecond <= 0) return false;
    const now = Date.now();
    const b = this.buckets.get(platform) ?? { tokens: this.perSecond, at: now };
    b.tokens = Math.min(this.perSecond, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(platform, b);
    return ok;
  }
}
