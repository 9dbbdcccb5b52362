/**
 * The inbox: a message the ingress cannot take yet is kept, the user is told once, and it is retried
 * until it is taken — never dropped, never run twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor } from '../../src/core/job-data.js';
import { startBench, type Bench } from '../helpers/harness.js';
import { CLAIM_GRACE_MS } from '../../src/core/defaults.js';
import { waitFor } from '../helpers/child.js';

describe('inbox', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('inbox', { env: { INBOX_REPLAY_AFTER_MS: '1000' } });
  });
  afterAll(async () => b?.close());

  const inboxSize = () => b.runtime.redis.zcard(b.runtime.services.keys.inbox('due'));

  it('keeps a message the ingress refuses for now, tells the user once, and takes it on a retry', async () => {
    const before = b.sim.requestsTo('run_sse').length;
    const key = b.runtime.services.keys.seen(jobIdFor('test', 'test:i1', 'held-1'));
    // Another process claimed it a moment ago and is (maybe) still enqueueing it.
    await b.runtime.redis.set(key, `pending:${Date.now()}`);
    const r = await b.send('i1', 'hello', { messageId: 'held-1' });
    expect(r.outcome).toBe('kept');
    expect(b.outbox.textsIn('i1')).toEqual([expect.stringMatching(/kept your message/)]);
    expect(await inboxSize()).toBe(1);
    // The claimer never comes back: once its claim is stale the inbox's retry takes the message over.
    await b.runtime.redis.set(key, `pending:${Date.now() - CLAIM_GRACE_MS - 1}`);
    await b.outbox.waitFor(() => b.outbox.in('i1').find((m) => m.edits.at(-1)?.includes('Done')), 30_000);
    expect(b.outbox.textsIn('i1').filter((t) => /kept your message/.test(t))).toHaveLength(1);
    expect(b.sim.requestsTo('run_sse').length).toBe(before + 1);
    expect(await inboxSize()).toBe(0);
    // A platform redelivery afterwards is a duplicate, not a second job.
    expect((await b.send('i1', 'hello', { messageId: 'held-1' })).outcome).toBe('duplicate');
  }, 40_000);

  it('replays a message left behind by a bot process that died before queueing it', async () => {
    const before = b.sim.requestsTo('run_sse').length;
    // What a killed process leaves: the message written ahead, due for a replay, never queued.
    const msg = { platform: 'test', conversationKey: 'test:i2', chatId: 'i2', userId: 'u9', userName: 'T', messageId: 'orphan-2', text: 'hello', attachments: [], isDirect: true, mentionsBot: false, receivedAt: Date.now() };
    const id = jobIdFor('test', 'test:i2', 'orphan-2');
    const { redis, services } = b.runtime;
    await redis.hset(services.keys.inbox('msgs'), id, JSON.stringify({ msg, attempts: 0, told: false }));
    await redis.zadd(services.keys.inbox('due'), Date.now(), id);
    await b.outbox.waitFor(() => b.outbox.in('i2').find((m) => m.edits.at(-1)?.includes('Done')), 30_000);
    expect(b.sim.requestsTo('run_sse').length).toBe(before + 1);
    expect(await inboxSize()).toBe(0);
  }, 40_000);

  it('an event the platform redelivers until accepted is written only when the ingress refuses it', async () => {
    const { redis, services } = b.runtime;
    const msgsKey = services.keys.inbox('msgs');
    // Every command Redis runs, to prove the happy path never touched the inbox for this message.
    const monitor = await redis.duplicate().monitor();
    const touched: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.includes(msgsKey)) touched.push(args.join(' '));
    });
    try {
      const fast = jobIdFor('test', 'test:i3', 'tg-1');
      expect((await b.send('i3', 'hello', { messageId: 'tg-1', redeliveredUntilAccepted: true })).outcome).toBe('queued');
      await b.outbox.waitFor(() => b.outbox.in('i3').find((m) => m.edits.at(-1)?.includes('Done')), 30_000);
      // Refused for now (another process holds its claim): kept in the inbox like any other message.
      const held = jobIdFor('test', 'test:i3', 'tg-2');
      await redis.set(services.keys.seen(held), `pending:${Date.now()}`);
      expect((await b.send('i3', 'hello again', { messageId: 'tg-2', redeliveredUntilAccepted: true })).outcome).toBe('kept');
      expect(await redis.hexists(msgsKey, held)).toBe(1);
      await waitFor(async () => touched.some((c) => c.includes(held)), 5_000, 'the monitor to see the kept entry');
      expect(touched.filter((c) => c.includes(fast))).toEqual([]);
      await redis.set(services.keys.seen(held), `pending:${Date.now() - CLAIM_GRACE_MS - 1}`);
      await waitFor(async () => (await redis.hexists(msgsKey, held)) === 0, 20_000, 'the kept entry to be taken');
    } finally {
      monitor.disconnect();
    }
  }, 60_000);

  it('drops an unreadable entry with an error instead of acting on it', async () => {
    const { redis, services } = b.runtime;
    await redis.hset(services.keys.inbox('msgs'), 'bad-1', JSON.stringify({ msg: { platform: 'test' }, attempts: 0, told: false }));
    await redis.zadd(services.keys.inbox('due'), Date.now(), 'bad-1');
    await waitFor(async () => (await inboxSize()) === 0, 10_000, 'the bad entry to go');
    expect(await redis.hexists(services.keys.inbox('msgs'), 'bad-1')).toBe(0);
  });
});
