/**
 * A message flood from one user: the first USER_MESSAGES_PER_MINUTE are taken, exactly one "slow
 * down" answer is sent, the rest are neither queued nor answered; other users and /cancel still work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, type Bench } from '../helpers/harness.js';

const promptOf = (r: { body: unknown }) => (r.body as { new_message: { parts: { text: string }[] } }).new_message.parts[0]!.text;

describe('abuse: a flood from one user', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('abuse', { sim: { turnMs: 150, editTurnMs: 60, initialCredits: 1_000_000 }, env: { USER_MESSAGES_PER_MINUTE: '4', MAX_QUEUED_PER_USER: '10', AUTO_EXPORT: 'false' } });
  });
  afterAll(async () => b?.close());

  it('40 messages at once: 4 queued, one "slow down", 35 dropped unqueued', async () => {
    // The rate counts per minute window: start well inside one, so the whole test fits in it.
    if (Date.now() % 60_000 > 35_000) await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 100));
    const flood = Array.from({ length: 40 }, (_, i) => b.send('ab1', `flood number ${i}`, { userId: 'flooder' }));
    const outcomes = (await Promise.all(flood)).map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'queued')).toHaveLength(4);
    expect(outcomes.filter((o) => o === 'answered')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ignored')).toHaveLength(35);
    expect(b.outbox.textsIn('ab1').filter((t) => /Slow down/.test(t))).toHaveLength(1);

    // The flooder's /cancel still works, and another user in the same chat is not affected.
    expect((await b.send('ab1', '/cancel', { userId: 'flooder', command: { name: 'cancel', args: '' } })).outcome).toBe('answered');
    expect((await b.send('ab1', 'flood number from a friend', { userId: 'friend' })).outcome).toBe('queued');

    // Nothing else was queued: once idle, Nemo saw at most the 4 + 1 taken turns (some were cancelled).
    await b.runtime.waitIdle(200);
    const sent = b.sim.requestsTo('run_sse').map(promptOf).filter((p) => p.startsWith('flood number'));
    expect(sent.length).toBeLessThanOrEqual(5);
    expect(sent).toContain('flood number from a friend');
    // Still one notice: more messages in the same window stay quiet.
    expect((await b.send('ab1', 'flood number 41', { userId: 'flooder' })).outcome).toBe('ignored');
    expect(b.outbox.textsIn('ab1').filter((t) => /Slow down|already have/.test(t))).toHaveLength(1);
  }, 120_000);
});
