/**
 * GIVEN the long poller against the fake Bot API (real grammY, real Redis for the lease) THEN
 * updates of different chats are handled at the same time, those of one chat in order; a slow or
 * retrying chat holds up nobody else; the getUpdates offset never passes an update still in hand;
 * and a crash while one is in hand leaves it to the next poller.
 *
 * Everything is proved by the order of events (arrive / fail / accept) and by what the fake saw
 * (offsets sent, updates still unconfirmed), not by timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { User } from 'grammy/types';
import { startTelegramBot, type TelegramBot } from '../../adapters/telegram/index.js';
import { silentLogger } from '../../src/log.js';
import type { ConversationIngress, IncomingMessage, IngressResult } from '../../src/core/message.js';
import { FakeTelegram, makeUser, privateChat } from '../fakes/telegram/index.js';
import { deleteKeys, newRedis, testConfig, TOKEN, uniquePrefix, until } from './helpers.js';

/** An ingress keyed by message text: hold one until released, fail one while a condition holds. */
class ChatIngress implements ConversationIngress {
  readonly events: string[] = [];
  readonly accepted: IncomingMessage[] = [];
  private readonly gates = new Map<string, Promise<void>>();
  private readonly failing = new Map<string, () => boolean>();

  /** `text` waits in accept until the returned function is called. */
  hold(text: string): () => void {
    let release = () => {};
    this.gates.set(text, new Promise<void>((r) => (release = r)));
    return release;
  }

  /** `text` never finishes accepting (a process that died inside accept). */
  hang(text: string): void {
    this.gates.set(text, new Promise<void>(() => undefined));
  }

  /** `text` throws while `cond()` is true. */
  failWhile(text: string, cond: () => boolean): void {
    this.failing.set(text, cond);
  }

  async accept(msg: IncomingMessage): Promise<IngressResult> {
    const text = msg.text;
    this.events.push(`arrive:${text}`);
    await this.gates.get(text);
    if (this.failing.get(text)?.()) {
      this.events.push(`fail:${text}`);
      throw new Error('ingress unavailable (test)');
    }
    this.events.push(`accept:${text}`);
    this.accepted.push(msg);
    return { outcome: 'queued', jobId: `job-${this.accepted.length}` };
  }

  texts(): string[] {
    return this.accepted.map((m) => m.text);
  }

  has(event: string): boolean {
    return this.events.includes(event);
  }

  before(a: string, b: string): boolean {
    const i = this.events.indexOf(a);
    const j = this.events.indexOf(b);
    return i >= 0 && j >= 0 && i < j;
  }
}

const LEASE_MS = 1500;
let fake: FakeTelegram;
let redis: Redis;
const prefixes: string[] = [];
const bots: TelegramBot[] = [];

async function startBot(ingress: ConversationIngress, prefix: string): Promise<TelegramBot> {
  const bot = await startTelegramBot({
    config: testConfig({ TELEGRAM_API_ROOT: fake.url, QUEUE_PREFIX: prefix, TELEGRAM_POLL_LEASE_MS: String(LEASE_MS), LOG_LEVEL: 'silent' }),
    ingress,
    redis,
    logger: silentLogger,
    pollTimeoutSeconds: 2,
  });
  bots.push(bot);
  await until(() => bot.isPolling, LEASE_MS + 5_000, 'the bot to poll');
  return bot;
}

function say(user: User, text: string) {
  return fake.userText({ chat: privateChat(user), from: user, text });
}

/** Offsets sent with getUpdates so far. */
function offsetsSent(): number[] {
  return fake.callsTo('getUpdates').flatMap((c) => (typeof c.payload.offset === 'number' ? [c.payload.offset] : []));
}

beforeAll(async () => {
  fake = await FakeTelegram.start({ token: TOKEN });
  redis = newRedis();
});

afterAll(async () => {
  for (const b of bots) await b.stop().catch(() => undefined);
  await fake?.close();
  for (const p of prefixes) await deleteKeys(redis, p);
  redis.disconnect();
});

describe('concurrent long polling', () => {
  const ingress = new ChatIngress();
  const ann = makeUser('Ann', { id: 7101 });
  const ben = makeUser('Ben', { id: 7102 });
  const cat = makeUser('Cat', { id: 7103 });
  const dan = makeUser('Dan', { id: 7104 });

  let bot: TelegramBot;
  beforeAll(async () => {
    const prefix = uniquePrefix('tg-conc');
    prefixes.push(prefix);
    bot = await startBot(ingress, prefix);
  });
  // One poller per token: the next describe brings its own.
  afterAll(() => bot?.stop());

  it('a slow chat holds up neither other chats nor new updates; its own updates stay in order; the offset waits for it', async () => {
    const releaseA1 = ingress.hold('A1');
    const a1 = say(ann, 'A1');
    const a2 = say(ann, 'A2');
    const b1 = say(ben, 'B1');
    await until(() => ingress.has('accept:B1'), 5_000, 'B1 to be accepted');
    expect(ingress.before('arrive:A1', 'accept:B1')).toBe(true);
    expect(ingress.has('accept:A1')).toBe(false);
    expect(ingress.has('arrive:A2')).toBe(false); // waits behind A1 in its chat

    // An update that arrives while A1 is still in hand is fetched and handled too.
    const b2 = say(ben, 'B2');
    await until(() => ingress.has('accept:B2'), 5_000, 'B2 to be accepted while A1 is held');
    expect(ingress.has('accept:A1')).toBe(false);

    // Nothing at or after A1 was confirmed: not by the fake's bookkeeping, not by any offset sent.
    const pending = fake.pendingUpdates().map((u) => u.update_id);
    for (const u of [a1, a2, b1, b2]) expect(pending).toContain(u.update_id);
    expect(Math.max(0, ...offsetsSent())).toBeLessThanOrEqual(a1.update_id);

    releaseA1();
    await until(() => ingress.has('accept:A2'), 5_000, 'A2 to be accepted');
    expect(ingress.before('accept:A1', 'arrive:A2')).toBe(true);
    await fake.waitFor(() => fake.pendingUpdates().length === 0, 5_000, 'every update to be confirmed');
    // getUpdates returned the held updates again and again; each was still handled once.
    expect(ingress.texts().sort()).toEqual(['A1', 'A2', 'B1', 'B2']);
    expect(ingress.events.filter((e) => e.startsWith('arrive:')).sort()).toEqual(['arrive:A1', 'arrive:A2', 'arrive:B1', 'arrive:B2']);
  });

  it('a handler retrying with back-off holds up only its own chat', async () => {
    let dAccepted = false;
    ingress.failWhile('C1', () => !dAccepted);
    say(cat, 'C1');
    await until(() => ingress.has('fail:C1'), 5_000, 'C1 to fail once');
    const d1 = say(dan, 'D1');
    await until(() => ingress.has('accept:D1'), 5_000, 'D1 to be accepted during C1 retries');
    dAccepted = true;
    expect(ingress.has('accept:C1')).toBe(false);
    expect(fake.pendingUpdates().map((u) => u.update_id)).toContain(d1.update_id); // behind C1: not confirmed
    await until(() => ingress.has('accept:C1'), 10_000, 'C1 to succeed on a retry');
    expect(ingress.before('accept:D1', 'accept:C1')).toBe(true);
    await fake.waitFor(() => fake.pendingUpdates().length === 0, 5_000, 'every update to be confirmed');
    expect(ingress.texts().filter((t) => t === 'C1' || t === 'D1')).toHaveLength(2);
  });

  it('a 429 on getUpdates while an update is in hand: waits retry_after, loses and doubles nothing', async () => {
    const release = ingress.hold('H1');
    const h1 = say(cat, 'H1');
    await until(() => ingress.has('arrive:H1'), 5_000, 'H1 to be in hand');
    const before = fake.callsTo('getUpdates').length;
    fake.failNext('getUpdates', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    await fake.waitFor(() => fake.callsTo('getUpdates').slice(before).some((c) => c.errorCode === 429), 5_000, 'the 429');
    const after429 = fake.calls.length;
    const i1 = say(dan, 'I1');
    await until(() => ingress.has('accept:I1'), 5_000, 'I1 after the wait');
    // The next getUpdates came only after retry_after (1 s): the fake saw none in between.
    const next = fake.callsTo('getUpdates').find((c) => fake.calls.indexOf(c) >= after429)!;
    const the429 = fake.callsTo('getUpdates').slice(before).find((c) => c.errorCode === 429)!;
    expect(next.at - the429.at).toBeGreaterThanOrEqual(950);
    expect(fake.pendingUpdates().map((u) => u.update_id)).toContain(h1.update_id);
    release();
    await fake.waitFor(() => !fake.pendingUpdates().some((u) => u.update_id === i1.update_id), 5_000, 'all confirmed');
    expect(ingress.texts().filter((t) => t === 'H1' || t === 'I1').sort()).toEqual(['H1', 'I1']);
  });

  it('a burst over many chats is handled once per update and confirmed', async () => {
    const users = Array.from({ length: 40 }, (_, i) => makeUser(`U${i}`, { id: 7200 + i }));
    const texts: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [i, u] of users.entries()) {
        texts.push(`burst ${i}.${round}`);
        say(u, `burst ${i}.${round}`);
      }
    }
    await until(() => texts.every((t) => ingress.has(`accept:${t}`)), 15_000, 'the whole burst');
    await fake.waitFor(() => fake.pendingUpdates().length === 0, 5_000, 'every update to be confirmed');
    const got = ingress.texts().filter((t) => t.startsWith('burst '));
    expect(got).toHaveLength(texts.length);
    // Per chat, in the order sent.
    for (let i = 0; i < users.length; i++) {
      expect(got.filter((t) => t.startsWith(`burst ${i}.`))).toEqual([0, 1, 2].map((r) => `burst ${i}.${r}`));
    }
  });
});

describe('a crash with an update in hand', () => {
  it('leaves it (and everything after it) unconfirmed; the next poller gets it', async () => {
    const prefix = uniquePrefix('tg-crash');
    prefixes.push(prefix);
    const eve = makeUser('Eve', { id: 7301 });
    const fay = makeUser('Fay', { id: 7302 });
    const dying = new ChatIngress();
    dying.hang('X1');
    const first = await startBot(dying, prefix);
    const x1 = say(eve, 'X1');
    const y1 = say(fay, 'Y1');
    await until(() => dying.has('accept:Y1') && dying.has('arrive:X1'), 5_000, 'Y1 accepted with X1 in hand');
    first.kill();
    expect(fake.pendingUpdates().map((u) => u.update_id)).toEqual(expect.arrayContaining([x1.update_id, y1.update_id]));
    expect(Math.max(0, ...offsetsSent())).toBeLessThanOrEqual(x1.update_id);

    const healthy = new ChatIngress();
    await startBot(healthy, prefix);
    await until(() => healthy.has('accept:X1'), LEASE_MS + 5_000, 'X1 to be delivered again');
    await fake.waitFor(() => !fake.pendingUpdates().some((u) => u.update_id === x1.update_id), 5_000, 'X1 to be confirmed');
    expect(healthy.texts().filter((t) => t === 'X1')).toHaveLength(1);
    // Y1 came after X1, so it was redelivered too (the core's deduplication drops it in production).
    expect(healthy.texts()).toContain('Y1');
  });
});
