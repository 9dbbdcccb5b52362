/**
 * Redis (with AOF) killed and restarted under the bot: mid-turn and mid-render the job completes,
 * the message reaches /run_sse once, no render is started twice, the video is posted once; a
 * message that arrives while Redis is down is kept (the user is told) and answered once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, type Bench } from '../helpers/harness.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';

const promptOf = (r: { body: unknown }) => (r.body as { new_message: { parts: { text: string }[] } }).new_message.parts[0]!.text;

describe('Redis restart (AOF)', () => {
  let redis: OwnRedis;
  let b: Bench;
  beforeAll(async () => {
    redis = await startOwnRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
    b = await startBench('redis-restart', { sim: { turnMs: 1500, renderStepMs: 400 }, env: { REDIS_URL: redis.url, INBOX_REPLAY_AFTER_MS: '2000' } });
  }, 30_000);
  afterAll(async () => {
    await b?.close();
    await redis?.stop();
  });

  const restart = async (downMs: number) => {
    await redis.down();
    await new Promise((r) => setTimeout(r, downMs));
    await redis.up();
  };
  const videosIn = (chat: string) => b.outbox.in(chat).filter((m) => m.kind === 'video');

  it('mid-turn: the job completes, the message was sent once, one video', async () => {
    await b.send('rr1', 'make a video of a lighthouse in a storm');
    await b.outbox.waitFor(() => b.sim.requestsTo('run_sse').some((r) => promptOf(r).includes('lighthouse')), 20_000);
    await restart(1000);
    await b.outbox.waitFor(() => b.outbox.in('rr1')[0]?.edits.at(-1)?.includes('Done'), 60_000);
    await b.runtime.waitIdle(200);
    expect(videosIn('rr1')).toHaveLength(1);
    expect(b.sim.requestsTo('run_sse').filter((r) => promptOf(r).includes('lighthouse'))).toHaveLength(1);
  }, 90_000);

  it('mid-render: the render is polled to its end, not started twice; one video', async () => {
    const starts = b.sim.requestsTo('render_start').length;
    // The project of the first test: export it again.
    await b.send('rr1', 'export');
    await b.outbox.waitFor(() => b.sim.requestsTo('render_start').length > starts, 20_000);
    await restart(1000);
    await b.outbox.waitFor(() => videosIn('rr1').length === 2, 60_000);
    await b.runtime.waitIdle(200);
    expect(videosIn('rr1')).toHaveLength(2);
    // Found by this test: the job's lock expired while Redis was down and the run reported
    // "Something went wrong" although the job resumed; a run that lost its hold now hands it back.
    expect(b.outbox.textsIn('rr1').join('\n')).not.toMatch(/went wrong/);
    expect(b.sim.requestsTo('render_poll').at(-1)!.at).toBeGreaterThan(b.sim.requestsTo('render_start').at(-1)!.at);
    const ids = b.sim.requestsTo('render_start').slice(starts).map((r) => (r.body as { id: string }).id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 90_000);

  it('a message sent while Redis is down is kept, the user is told, and it is answered once Redis is back', async () => {
    await redis.down();
    try {
      const r = await b.send('rr3', 'make a video of a kite festival');
      expect(r.outcome).toBe('kept');
      expect(b.outbox.textsIn('rr3')).toEqual([expect.stringMatching(/kept your message/)]);
      expect(b.runtime.inbox.inMemory).toBe(1);
    } finally {
      await redis.up();
    }
    await b.outbox.waitFor(() => videosIn('rr3').length === 1, 60_000);
    await b.runtime.waitIdle(200);
    expect(videosIn('rr3')).toHaveLength(1);
    expect(b.sim.requestsTo('run_sse').filter((r) => promptOf(r).includes('kite festival'))).toHaveLength(1);
    expect(b.runtime.inbox.inMemory).toBe(0);
  }, 90_000);
});
