/**
 * One turn per conversation at a time, answers in order; conversations in parallel and isolated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor } from '../../src/core/job-data.js';
import { startBench, type Bench } from '../helpers/harness.js';

describe('ordering and isolation', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('ordering', { sim: { turnMs: 500, editTurnMs: 300 } });
  });
  afterAll(async () => b?.close());

  it('queues a second message while a turn runs and answers both in order', async () => {
    const [r1, r2] = await Promise.all([b.send('o1', 'make a video of a city at night'), b.send('o1', 'hello there')]);
    expect(r1.outcome).toBe('queued');
    expect(r2.outcome).toBe('queued');
    const positions = [r1.position, r2.position].sort();
    expect(positions).toEqual([1, 2]);
    // the one in line says so in its acknowledgement
    const second = r1.position === 2 ? 'make a video' : 'hello there';
    expect(b.outbox.in('o1').find((m) => m.text.includes(second))!.text).toMatch(/#2 in line/);
    await b.outbox.waitFor(() => b.outbox.in('o1').find((m) => m.kind === 'video'));
    await b.outbox.waitFor(() => b.sim.requestsTo('run_sse').length === 2 && b.outbox.in('o1').filter((m) => m.edits.at(-1)?.includes('Done')).length === 2);
    expect(b.sim.maxConcurrentTurnsPerSession).toBe(1);
    const turns = b.sim.requestsTo('run_sse').map((r) => (r.body as { new_message: { parts: { text: string }[] } }).new_message.parts[0]!.text);
    const firstText = r1.position === 1 ? 'make a video of a city at night' : 'hello there';
    expect(turns[0]).toBe(firstText);
  });

  it('runs two conversations in parallel, each with its own session and video', async () => {
    // Long turns, so "in parallel" is checkable: the second stream opens while the first still runs.
    b.sim.options.turnMs = 3000;
    await Promise.all([b.send('p1', 'generate a video of the sea'), b.send('p2', 'generate a video of a forest')]);
    const [s1, s2] = await b.outbox.waitFor(() => {
      const turns = b.sim.requestsTo('run_sse').filter((r) => /the sea|a forest/.test(JSON.stringify(r.body)));
      return turns.length === 2 && turns;
    });
    b.sim.options.turnMs = 500;
    // A turn streams for at least turnMs at the simulator: one opened less than that after the other
    // means both were running at once (one after the other would be 3000 ms or more apart).
    expect(Math.abs(s2!.at - s1!.at)).toBeLessThan(3000);
    const v1 = await b.outbox.waitFor(() => b.outbox.in('p1').find((m) => m.kind === 'video'));
    const v2 = await b.outbox.waitFor(() => b.outbox.in('p2').find((m) => m.kind === 'video'));
    expect(v1.text).toContain('sea');
    expect(v2.text).toContain('forest');
    expect(b.outbox.in('p1').some((m) => m.text.includes('forest'))).toBe(false);
    const sessions = new Set(b.sim.requestsTo('run_sse').slice(-2).map((r) => r.sessionId));
    expect(sessions.size).toBe(2);
  });

  it('processes the same platform message once', async () => {
    const before = b.sim.requestsTo('run_sse').length;
    const msg = { messageId: 'dup-1' };
    const [a, c] = await Promise.all([b.send('d1', 'hello', msg), b.send('d1', 'hello', msg)]);
    expect([a.outcome, c.outcome].sort()).toEqual(['duplicate', 'queued']);
    await b.outbox.waitFor(() => b.outbox.in('d1').find((m) => m.edits.at(-1)?.includes('Done')));
    expect(b.sim.requestsTo('run_sse').length).toBe(before + 1);
  });

  it('a message claimed by a process that died before enqueueing is not lost', async () => {
    const key = b.runtime.services.keys.seen(jobIdFor('test', 'test:d2', 'orphan-1'));
    // The claim is old: the claimer died; the redelivered message is taken over and answered.
    await b.runtime.redis.set(key, `pending:${Date.now() - 60_000}`);
    const r = await b.send('d2', 'hello', { messageId: 'orphan-1' });
    expect(r.outcome).toBe('queued');
    await b.outbox.waitFor(() => b.outbox.in('d2').find((m) => m.edits.at(-1)?.includes('Done')));
    expect((await b.send('d2', 'hello', { messageId: 'orphan-1' })).outcome).toBe('duplicate');
  });

  it('/cancel stops a running turn: the card says cancelled and no video comes', async () => {
    b.sim.options.turnMs = 4000;
    await b.send('x1', 'make a video of a slow sunset');
    await b.outbox.waitFor(() => b.sim.requestsTo('run_sse').some((r) => (r.body as { new_message: { parts: { text: string }[] } }).new_message.parts[0]!.text.includes('slow sunset')));
    const r = await b.send('x1', '/cancel', { command: { name: 'cancel', args: '' } });
    b.sim.options.turnMs = 500;
    expect(r.outcome).toBe('answered');
    expect(b.outbox.in('x1').at(-1)!.text).toMatch(/Cancelled 1 job/);
    await b.outbox.waitFor(() => b.outbox.in('x1')[0]!.edits.at(-1)?.includes('Cancelled'));
    await new Promise((res) => setTimeout(res, 5000));
    expect(b.outbox.in('x1').some((m) => m.kind === 'video')).toBe(false);
    // the conversation is free again
    await b.send('x1', 'hello');
    await b.outbox.waitFor(() => b.outbox.in('x1').filter((m) => m.edits.at(-1)?.includes('Done')).length === 1);
  }, 30_000);

  it('waiting jobs see their place in line move up', async () => {
    await b.send('w1', 'make a video of a tram');
    await b.send('w1', 'hello one');
    await b.send('w1', 'hello two');
    const third = b.outbox.in('w1').find((m) => m.text.includes('hello two'))!;
    expect(third.text).toMatch(/#3 in line/);
    await b.outbox.waitFor(() => third.edits.some((e) => /#2 in line/.test(e)), 20_000);
    await b.outbox.waitFor(() => third.edits.at(-1)?.includes('Done'), 20_000);
  }, 40_000);

  it('/cancel between render polls also cancels the render at Nemo', async () => {
    b.sim.options.renderStepMs = 3000;
    await b.send('x2', 'make a video of a harbour');
    await b.outbox.waitFor(() => b.outbox.in('x2')[0]?.edits.some((e) => e.includes('Rendering the MP4 (')));
    const r = await b.send('x2', '/cancel', { command: { name: 'cancel', args: '' } });
    b.sim.options.renderStepMs = 80;
    expect(r.outcome).toBe('answered');
    await b.outbox.waitFor(() => b.sim.requestsTo('render_cancel').length === 1, 10_000);
    await b.outbox.waitFor(() => b.outbox.in('x2')[0]!.edits.at(-1)?.includes('Cancelled'));
    await new Promise((res) => setTimeout(res, 1500));
    expect(b.outbox.in('x2').some((m) => m.kind === 'video')).toBe(false);
  }, 30_000);
});
