/**
 * Waiting-time estimates: how long recent turns and exports took (a rolling list in Redis, shared
 * by every process), and when a job waiting at place N in its line should start.
 *
 * The estimate is deliberately simple: the mean of the last DURATION_SAMPLES durations times the
 * jobs ahead. Without any sample there is no estimate (the card shows only the place).
 */
import type { Redis } from 'ioredis';
import { cardText, t } from './i18n.js';
import type { Keys } from './keys.js';
import type { Outbox } from './outbox.js';

export const DURATION_SAMPLES = 50;

export async function recordDuration(redis: Redis, keys: Keys, ms: number): Promise<void> {
  if (!(ms > 0)) return;
  await redis.multi().lpush(keys.durations(), String(Math.round(ms))).ltrim(keys.durations(), 0, DURATION_SAMPLES - 1).exec();
}

/** Mean duration of recent jobs, or undefined before the first one finished. */
export async function meanDuration(redis: Redis, keys: Keys): Promise<number | undefined> {
  const values = (await redis.lrange(keys.durations(), 0, DURATION_SAMPLES - 1)).map(Number).filter((n) => n > 0);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** When a job at `position` (1 = running now) should start, as epoch ms; undefined without samples. */
export async function startEstimate(redis: Redis, keys: Keys, position: number, now = Date.now()): Promise<number | undefined> {
  if (position <= 1) return undefined;
  const mean = await meanDuration(redis, keys);
  return mean === undefined ? undefined : now + mean * (position - 1);
}

/** The ETA line of a waiting card, in the platform's own way when it has one (a live relative time). */
export function etaLine(outbox: Pick<Outbox, 'relativeTime'>, lang: string, at: number | undefined, now = Date.now()): string {
  if (at === undefined) return '';
  const eta = outbox.relativeTime?.(at) ?? t(lang, 'eta.minutes', { minutes: Math.max(1, Math.round((at - now) / 60_000)) });
  return t(lang, 'ack.eta', { eta });
}

/** The text of a waiting job's card: what was understood, its place and, when known, its ETA. */
export async function waitingText(redis: Redis, keys: Keys, outbox: Pick<Outbox, 'relativeTime'>, header: string, lang: string, position: number): Promise<string> {
  const eta = etaLine(outbox, lang, await startEstimate(redis, keys, position));
  return cardText(lang, header, [t(lang, 'ack.position', { position }), eta].filter(Boolean).join('\n'));
}
