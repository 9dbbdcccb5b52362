/**
 * Fair shares, end to end from a platform message to what the user sees: per-user and
 * per-conversation caps at the front door, and the shared token's turn gate served round-robin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, type Bench } from '../helpers/harness.js';

const promptOf = (r: { body: unknown }) => (r.body as { new_message: { parts: { text: string }[] } }).new_message.parts[0]!.text;

describe('caps on queued jobs', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('caps', { sim: { turnMs: 400, editTurnMs: 200, initialCredits: 1_000_000 }, env: { MAX_QUEUED_PER_USER: '2', MAX_QUEUED_PER_CONVERSATION: '3' } });
  });
  afterAll(async () => b?.close());

  it('a user over the cap is told how many they have waiting, and nothing is queued', async () => {
    const r1 = await b.send('cap1', 'make a video of a red kite', { userId: 'alice' });
    const r2 = await b.send('cap1', 'make a video of a blue kite', { userId: 'alice' });
    const r3 = await b.send('cap1', 'make a video of a green kite', { userId: 'alice' });
    expect([r1.outcome, r2.outcome]).toEqual(['queued', 'queued']);
    expect(r3.outcome).toBe('answered');
    expect(b.outbox.textsIn('cap1').some((t) => /You already have 2 waiting/.test(t))).toBe(true);
    // Both queued jobs finish; the refused one never reaches Nemo.
    await b.outbox.waitFor(() => b.outbox.in('cap1').filter((m) => m.kind === 'video').length === 2);
    await b.outbox.waitFor(() => b.outbox.in('cap1').filter((m) => m.edits.at(-1)?.includes('Done')).length === 2);
    const prompts = b.sim.requestsTo('run_sse').map(promptOf);
    expect(prompts.filter((p) => p.includes('kite'))).toHaveLength(2);
    expect(prompts.some((p) => p.includes('green kite'))).toBe(false);
    // Once the line is empty the same user may queue again.
    expect((await b.send('cap1', 'make a video of a yellow kite', { userId: 'alice' })).outcome).toBe('queued');
    await b.outbox.waitFor(() => b.outbox.in('cap1').filter((m) => m.kind === 'video').length === 3);
  });

  it('a conversation over its cap refuses further jobs, whoever sends them', async () => {
    const users = ['u-a', 'u-b', 'u-c', 'u-d'];
    const results = [];
    for (const u of users) results.push(await b.send('cap2', `make a video of a lighthouse for ${u}`, { userId: u }));
    expect(results.map((r) => r.outcome)).toEqual(['queued', 'queued', 'queued', 'answered']);
    expect(b.outbox.textsIn('cap2').some((t) => /This chat already has 3 jobs waiting/.test(t))).toBe(true);
    await b.outbox.waitFor(() => b.outbox.in('cap2').filter((m) => m.kind === 'video').length === 3, 30_000);
    expect(b.sim.requestsTo('run_sse').map(promptOf).some((p) => p.includes('for u-d'))).toBe(false);
  });
});

describe('shared token: concurrent-turn cap served round-robin', () => {
  let b: Bench;
  const token = 'nmv_usr_gate_test_token';
  beforeAll(async () => {
    b = await startBench('gate', {
      sim: { turnMs: 500, staticTokens: { [token]: { credits: 1_000_000 } } },
      env: { NEMO_TOKEN: token, NEMO_TOKEN_MAX_TURNS: '1', COSMETIC_UPDATES_PER_SEC: '1000', MAX_QUEUED_PER_USER: '10' },
    });
  });
  afterAll(async () => b?.close());

  it('a flooding channel does not delay another channel\'s first turn by more than one slot', async () => {
    let maxRunning = 0;
    const sampler = setInterval(() => {
      void b.runtime.services.gate.counts().then((c) => (maxRunning = Math.max(maxRunning, c.running)));
    }, 10);
    try {
      for (let i = 1; i <= 4; i++) expect((await b.send('flood', `make a video of flood wave ${i}`, { userId: `f${i}` })).outcome).toBe('queued');
      // The flood's first turn holds the only slot before the calm channel asks.
      await b.outbox.waitFor(() => b.sim.requestsTo('run_sse').length >= 1);
      expect((await b.send('calm', 'make a video of a calm lake', { userId: 'c1' })).outcome).toBe('queued');
      // While it waits, the calm channel sees its place.
      await b.outbox.waitFor(() => b.outbox.textsIn('calm').some((t) => /Waiting for a free studio slot \(#1 in line\)/.test(t)));
      await b.outbox.waitFor(() => b.outbox.in('calm').find((m) => m.kind === 'video'), 30_000);
      await b.outbox.waitFor(() => b.outbox.in('flood').filter((m) => m.kind === 'video').length === 4, 60_000);
    } finally {
      clearInterval(sampler);
    }
    const order = b.sim.requestsTo('run_sse').map(promptOf);
    expect(order).toHaveLength(5);
    expect(order[0]).toContain('flood wave 1');
    expect(order[1]).toContain('calm lake');
    expect(maxRunning).toBe(1);
    expect(await b.runtime.services.gate.counts()).toEqual({ running: 0, waiting: 0 });
  });
});
