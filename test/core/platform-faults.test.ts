/**
 * A platform fault after the turn ran must not lose the turn's result: the answer is given from the
 * project state on the queue's retry, the video still comes, and the message is never sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxError } from '../../src/core/outbox.js';
import { startBench, type Bench } from '../helpers/harness.js';

describe('platform faults after a turn', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('platform-faults', { env: { JOB_LOCK_DURATION_MS: '15000' } });
  });
  afterAll(async () => b?.close());

  it('a retryable error posting the agent\'s answer is retried from the state; the video arrives once', async () => {
    // A network failure of a posting call: the platform may have posted it, so it is not blindly resent.
    const fault = new OutboxError('transient', 'sendMessage failed: Network request failed', { mayHavePosted: true });
    b.outbox.failNextSend(/clip is ready/i, fault);
    expect((await b.send('pf1', 'make a video of a paper kite')).outcome).toBe('queued');
    const video = await b.outbox.waitFor(() => b.outbox.in('pf1').find((m) => m.kind === 'video'), 40_000);
    expect(video.text).toContain('paper kite');
    await b.outbox.waitFor(() => b.outbox.in('pf1').find((m) => m.edits.at(-1)?.includes('Done')), 20_000);
    expect(b.sim.requestsTo('run_sse')).toHaveLength(1);
    expect(b.outbox.in('pf1').filter((m) => m.kind === 'video')).toHaveLength(1);
    expect(b.outbox.textsIn('pf1').some((t) => /went wrong/i.test(t))).toBe(false);
  }, 60_000);
});
