/**
 * The fault matrix's machinery: one conversation per row, faults scoped to that conversation (so
 * rows run side by side on one bench), and the two checks every row makes: what the user saw, and
 * that the next request in the same conversation works.
 */
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { t, type MessageKey } from '../../src/core/i18n.js';
import { Keys } from '../../src/core/keys.js';
import { conversationKey, type IncomingMessage } from '../../src/core/message.js';
import type { Fault } from '../../nemo-sim/index.js';
import { REDIS_URL, type Bench } from '../helpers/harness.js';

/** One conversation of the matrix, with what the simulator knows it by. */
export interface Conv {
  chat: string;
  clientId: string;
  token?: string;
  sessionId?: string;
}

export type Act = 'chat' | 'video' | 'export' | 'credits' | 'status' | 'upload';

export interface Row {
  name: string;
  /** 'none': the fault meets the conversation's first message; 'session': a chat turn ran first; 'video': a video was made first. */
  prep: 'none' | 'session' | 'video';
  faults: Array<Omit<Fault, 'scope'> & { scopeBy?: 'token' | 'session' | 'client' }>;
  act: Act;
  /** Send /new after the prep, so the act meets session creation. */
  reset?: boolean;
  /** The catalogue message the user must see, or 'ok' when the fault is absorbed and the act succeeds. */
  sees: MessageKey | 'ok';
  /** Placeholders that decide the variant of `sees` ('' = any value). */
  seesParams?: Record<string, string>;
  /** The request that must work afterwards (default: the same act). */
  next?: Act;
  /** Extra checks on the simulator after the row. */
  check?: (b: Bench, c: Conv) => void;
}

/** The part of a catalogue text before its first missing placeholder: what a row looks for. */
export function catalogueHead(key: MessageKey, params: Record<string, string> = {}): string {
  const mark = '\u0001';
  const filled = t('en', key, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v || mark])));
  return filled.split(/\u0001|undefined/)[0]!.trim();
}

const ACT_TEXT: Record<Act, string> = {
  chat: 'hello there',
  video: 'make a video of a lighthouse',
  export: 'export',
  credits: '/credits',
  status: '/status',
  upload: 'animate this image',
};

const FIXTURE = new URL('../fixtures/input.png', import.meta.url).pathname;

export function actMessage(act: Act): Partial<IncomingMessage> & { text: string } {
  if (act === 'credits' || act === 'status') return { text: ACT_TEXT[act], command: { name: act, args: '' } };
  if (act === 'upload') return { text: ACT_TEXT.upload, attachments: [{ name: 'input.png', sizeBytes: 1000, source: { kind: 'path', path: FIXTURE } }] };
  return { text: ACT_TEXT[act] };
}

/** What success looks like for each act, counted in the chat (so "one more than before" is the test). */
export function successCount(b: Bench, chat: string, act: Act): number {
  const msgs = b.outbox.in(chat);
  if (act === 'video' || act === 'export' || act === 'upload') return msgs.filter((m) => m.kind === 'video').length;
  if (act === 'credits') return b.outbox.textsIn(chat).filter((x) => /Credits: \d+ available/.test(x)).length;
  if (act === 'status') return b.outbox.textsIn(chat).filter((x) => /Timeline|no tracks|Open in the web editor/.test(x)).length;
  return msgs.filter((m) => /✅ Done/.test(m.edits.at(-1) ?? '')).length;
}

/** Jobs in the chat that reached an end (done or stopped), or a direct answer. */
export function endedCount(b: Bench, chat: string): number {
  return b.outbox.in(chat).filter((m) => /✅ Done|❌ Stopped|🛑 Cancelled/.test(m.edits.at(-1) ?? '') || /Credits: \d+|Timeline|no tracks/.test(m.text + (m.edits.at(-1) ?? ''))).length;
}

export async function send(b: Bench, c: Conv, act: Act): Promise<void> {
  const m = actMessage(act);
  const res = await b.send(c.chat, m.text, { ...m, userId: `user-${c.chat}` });
  expect(['queued', 'answered']).toContain(res.outcome);
}

/** Run `act` and wait for it to succeed (one more success than before). */
export async function actOk(b: Bench, c: Conv, act: Act, timeoutMs = 25_000): Promise<void> {
  const before = successCount(b, c.chat, act);
  await send(b, c, act);
  await waitIn(b, c, () => successCount(b, c.chat, act) > before, `${act} to succeed`, timeoutMs);
}

/** Wait for a condition; on timeout, fail with what this conversation saw. */
export async function waitIn(b: Bench, c: Conv, fn: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; ${c.chat} saw:\n${b.outbox.in(c.chat).map((m) => `[${m.kind}] ${(m.edits.at(-1) ?? m.text).replace(/\n/g, ' | ')}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Give the conversation a fixed X-Client-Id before its first message, so faults can target its token request. */
export async function seedClientId(redis: Redis, b: Bench, c: Conv): Promise<void> {
  const keys = new Keys(b.config.QUEUE_PREFIX);
  await redis.hset(keys.credential(conversationKey('test', c.chat)), 'clientId', c.clientId);
}

/** The conversation's token and session, as the bot stored them. */
export async function learn(redis: Redis, b: Bench, c: Conv): Promise<void> {
  const keys = new Keys(b.config.QUEUE_PREFIX);
  const conv = conversationKey('test', c.chat);
  c.token = (await redis.hget(keys.credential(conv), 'token')) ?? undefined;
  c.sessionId = (await redis.hget(keys.session(conv), 'sessionId')) ?? undefined;
}

export function scoped(c: Conv, f: Row['faults'][number]): Fault {
  const { scopeBy = 'token', ...fault } = f;
  const scope = scopeBy === 'client' ? { clientId: c.clientId } : scopeBy === 'session' ? { sessionId: c.sessionId } : { token: c.token };
  if (Object.values(scope)[0] === undefined) throw new Error(`row needs a ${scopeBy} for its fault`);
  return { ...fault, scope };
}
