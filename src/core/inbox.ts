/**
 * The inbox: no message the ingress cannot take yet is dropped.
 *
 * Every message is written to Redis (due after INBOX_REPLAY_AFTER_MS) before the ingress sees it and
 * removed once the ingress took it. So:
 * - a message the ingress refuses for now (it throws: Redis hiccup, a claim still pending) stays,
 *   the user is told once that it was kept, and it is retried with backoff — never given up;
 * - a bot process killed between the platform event and the enqueue leaves the message behind,
 *   and another process (or the restarted one) replays it once it is due. An event the platform
 *   redelivers until accepted (`redeliveredUntilAccepted`: Telegram updates) is written only when
 *   the ingress refuses it: the platform keeps it meanwhile. Platforms that never
 *   redeliver (a Discord gateway event) lose nothing; a redelivery is deduplicated by the ingress.
 * - while Redis itself is down the message is kept in memory (bounded) and written out when Redis
 *   is back. Only when memory is full too does `accept` throw `RetryLaterError`, after telling the
 *   user to try again, so a platform that redelivers (Telegram) does.
 *
 * Entries hold no platformMeta (an interaction token is bot-only and short-lived).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { INBOX_MEMORY_MAX, INBOX_POLL_MS, INBOX_RETRY_FIRST_MS, INBOX_RETRY_MAX_MS } from './defaults.js';
import { t } from './i18n.js';
import { targetFor } from './answer-target.js';
import { RetryLaterError } from './ingress.js';
import { jobIdFor } from './job-data.js';
import type { Keys } from './keys.js';
import type { ButtonForm, ConversationIngress, IncomingMessage, IngressResult } from './message.js';
import { incomingMessageSchema } from './message-schema.js';
import type { OutboxRegistry } from './outbox.js';
import { z } from 'zod';

export interface InboxDeps {
  inner: ConversationIngress;
  redis: Redis;
  keys: Keys;
  outboxes: OutboxRegistry;
  log: Logger;
  defaultLanguage: string;
  /** When a message left behind by a dead process is replayed. */
  replayAfterMs: number;
  memoryMax?: number;
  pollMs?: number;
}

const entrySchema = z.object({ msg: incomingMessageSchema, attempts: z.number().int().nonnegative(), told: z.boolean() });
type Entry = z.infer<typeof entrySchema>;

/** Take the due ids (pushing them `lease` ms ahead, so no other process takes them meanwhile) with their entries. */
const CLAIM_DUE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], ARGV[2], id)
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
end
return out`;

export class Inbox implements ConversationIngress {
  private readonly memory = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly d: InboxDeps) {}

  /** Forms are read-only lookups: nothing to keep, so they go straight to the ingress. */
  formFor(conversationKey: string, buttonId: string, locale?: string): Promise<ButtonForm | undefined> {
    return this.d.inner.formFor?.(conversationKey, buttonId, locale) ?? Promise.resolve(undefined);
  }

  /** Messages kept in memory while Redis is unreachable (tests, health). */
  get inMemory(): number {
    return this.memory.size;
  }

  async accept(msg: IncomingMessage): Promise<IngressResult> {
    const id = jobIdFor(msg.platform, msg.conversationKey, msg.messageId);
    const entry: Entry = { msg: stripMeta(msg), attempts: 0, told: false };
    // An event the platform redelivers until accepted needs no copy on the way in (two Redis round
    // trips less per message on the acknowledgement path); it is kept below if the ingress refuses it.
    const written = !msg.redeliveredUntilAccepted;
    if (written) {
      try {
        await this.write(id, entry, Date.now() + this.d.replayAfterMs, true);
      } catch (err) {
        return this.keepInMemory(id, msg, entry, err);
      }
    }
    try {
      const result = await this.d.inner.accept(msg);
      if (written) await this.remove(id);
      return result;
    } catch (err) {
      this.d.log.warn({ err, jobId: id }, 'inbox: the ingress could not take a message yet; kept for a retry');
      await this.tell(msg, 'inbox.kept');
      await this.write(id, { ...entry, attempts: 1, told: true }, Date.now() + backoff(1), false).catch((e: unknown) => this.keepInMemory(id, msg, { ...entry, attempts: 1, told: true }, e));
      return { outcome: 'kept', jobId: id };
    }
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      this.draining = this.drain()
        .catch((err: unknown) => this.d.log.debug({ err }, 'inbox: drain failed (retrying)'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.d.pollMs ?? INBOX_POLL_MS);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.draining;
  }

  /** One pass: write out what memory holds, then retry what is due. */
  async drain(): Promise<void> {
    for (const [id, entry] of this.memory) {
      await this.write(id, entry, Date.now(), true);
      this.memory.delete(id);
    }
    const now = Date.now();
    const claimed = (await this.d.redis.eval(CLAIM_DUE, 2, this.d.keys.inbox('due'), this.d.keys.inbox('msgs'), now, now + this.d.replayAfterMs, 20)) as string[];
    for (let i = 0; i < claimed.length && !this.stopped; i += 2) await this.retry(claimed[i]!, claimed[i + 1]!);
  }

  private async retry(id: string, raw: string): Promise<void> {
    const parsed = raw ? entrySchema.safeParse(safeJson(raw)) : undefined;
    if (!parsed?.success) {
      this.d.log.error({ jobId: id, issues: parsed?.error.issues.slice(0, 3) }, 'inbox: dropping an unreadable entry');
      await this.remove(id);
      return;
    }
    const entry = parsed.data;
    try {
      await this.d.inner.accept(entry.msg);
      await this.remove(id);
    } catch (err) {
      const attempts = entry.attempts + 1;
      this.d.log.warn({ err, jobId: id, attempts }, 'inbox: retry failed; kept');
      if (!entry.told) await this.tell(entry.msg, 'inbox.kept');
      await this.write(id, { ...entry, attempts, told: true }, Date.now() + backoff(attempts), false);
    }
  }

  /** `fresh`: keep an entry already there (a platform redelivery does not reset its attempts). */
  private async write(id: string, entry: Entry, dueAt: number, fresh: boolean): Promise<void> {
    const json = JSON.stringify(entry);
    const multi = this.d.redis.multi();
    if (fresh) multi.hsetnx(this.d.keys.inbox('msgs'), id, json);
    else multi.hset(this.d.keys.inbox('msgs'), id, json);
    await multi.zadd(this.d.keys.inbox('due'), dueAt, id).exec();
  }

  private async remove(id: string): Promise<void> {
    await this.d.redis
      .multi()
      .zrem(this.d.keys.inbox('due'), id)
      .hdel(this.d.keys.inbox('msgs'), id)
      .exec()
      // Left behind, it is replayed later and the ingress reports a duplicate: harmless.
      .catch((err: unknown) => this.d.log.debug({ err, jobId: id }, 'inbox: could not remove a taken message'));
  }

  private async keepInMemory(id: string, msg: IncomingMessage, entry: Entry, err: unknown): Promise<IngressResult> {
    const max = this.d.memoryMax ?? INBOX_MEMORY_MAX;
    if (!this.memory.has(id) && this.memory.size >= max) {
      this.d.log.error({ err, jobId: id, kept: this.memory.size }, 'inbox: Redis is unreachable and memory is full; asking for a redelivery');
      await this.tell(msg, 'inbox.full');
      throw new RetryLaterError('Redis is unreachable and the in-memory inbox is full');
    }
    this.d.log.warn({ err, jobId: id }, 'inbox: Redis is unreachable; message kept in memory');
    if (!this.memory.has(id)) {
      if (!entry.told) await this.tell(msg, 'inbox.kept');
      this.memory.set(id, { ...entry, told: true });
    }
    return { outcome: 'kept', jobId: id };
  }

  private async tell(msg: IncomingMessage, key: 'inbox.kept' | 'inbox.full'): Promise<void> {
    const target = targetFor(msg, this.d.defaultLanguage);
    try {
      await this.d.outboxes[msg.platform]?.sendText(target, t(target.lang, key), { replyTo: msg.replyToMessageId });
    } catch (err) {
      this.d.log.debug({ err }, 'inbox: could not tell the user (the message is kept anyway)');
    }
  }
}

const backoff = (attempts: number) => Math.min(INBOX_RETRY_MAX_MS, INBOX_RETRY_FIRST_MS * 2 ** (attempts - 1));

function stripMeta(msg: IncomingMessage): IncomingMessage {
  const { platformMeta: _botOnly, ...rest } = msg;
  return rest;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
