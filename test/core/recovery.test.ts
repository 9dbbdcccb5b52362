/**
 * A lost SSE stream during a two-stage generation: the worker never re-sends the message, follows
 * the project state, and exports only once the project has settled (raw clip + music), not the raw
 * clip it sees first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, type Bench } from '../helpers/harness.js';

describe('turn recovery from project state', () => {
  let b: Bench;
  beforeAll(async () => {
    // Raw clip at 2 s, music at 4 s; state checks at 2.5 s, 5 s, 7.5 s.
    b = await startBench('recovery', {
      sim: { turnMs: 4000, generationStages: 2 },
      // A stream open longer than 3 s times out (the generation itself takes 4 s).
      env: { TURN_RECOVERY_FIRST_MS: '2500', TURN_RECOVERY_INTERVAL_MS: '2500', STILL_WORKING_INTERVAL_MS: '60000', NEMO_SSE_TIMEOUT_MS: '3000' },
    });
  });
  afterAll(async () => b?.close());

  it('exports the settled project after the stream drops, with one /run_sse POST', async () => {
    b.sim.fault({ endpoint: 'run_sse', kind: 'drop', afterEvents: 1 });
    await b.send('r1', 'make a video of a waterfall');
    const video = await b.outbox.waitFor(() => b.outbox.in('r1').find((m) => m.kind === 'video'), 30_000);
    expect(video.videoBytes!.equals(b.sim.fixture.bytes)).toBe(true);
    expect(b.sim.requestsTo('run_sse')).toHaveLength(1);
    expect(b.outbox.textsIn('r1').some((t) => t.includes('connection dropped, but the project changed'))).toBe(true);
    const draft = (b.sim.requestsTo('render_start')[0]!.body as { draft: { t: unknown[] } }).draft;
    expect(draft.t).toHaveLength(2); // video + music, not the raw clip alone
  }, 40_000);

  it('a stream that hits NEMO_SSE_TIMEOUT_MS is followed from the state, not re-sent: the work went through, the video comes', async () => {
    const turns = b.sim.requestsTo('run_sse').length;
    await b.send('r3', 'make a video of a glacier');
    const video = await b.outbox.waitFor(() => b.outbox.in('r3').find((m) => m.kind === 'video'), 30_000);
    expect(video.videoBytes!.equals(b.sim.fixture.bytes)).toBe(true);
    expect(b.sim.requestsTo('run_sse').length).toBe(turns + 1);
    expect(b.outbox.textsIn('r3').some((t) => t.includes('connection dropped, but the project changed'))).toBe(true);
  }, 40_000);

  it('gives up after 5 unchanged state checks, says so, and never re-sends', async () => {
    b.sim.nextTurn('chat'); // a chat turn leaves the project as it was
    b.sim.fault({ endpoint: 'run_sse', kind: 'drop', afterEvents: 0 });
    const turns = b.sim.requestsTo('run_sse').length;
    const states = b.sim.requestsTo('state').length;
    await b.send('r2', 'hello');
    const msg = await b.outbox.waitFor(() => b.outbox.in('r2').find((m) => m.text.includes('did not change')), 30_000);
    expect(msg.buttons?.flat().length).toBeGreaterThan(0);
    expect(b.sim.requestsTo('run_sse').length).toBe(turns + 1);
    // one baseline read before the turn, then the five recovery checks
    expect(b.sim.requestsTo('state').length - states).toBe(1 + 5);
  }, 40_000);
});
