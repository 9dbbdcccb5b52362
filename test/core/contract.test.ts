/**
 * Issue 9, items 4, 5, 6 and the strict simulator's backend behaviours, end to end: a platform message
 * through ingress, the queue and the simulator to what the user sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, type Bench } from '../helpers/harness.js';
import { sleep } from '../helpers/common.js';

const videos = (b: Bench, chat: string) => b.outbox.in(chat).filter((m) => m.kind === 'video');
const stopped = (b: Bench, chat: string, n = 1) => b.outbox.waitFor(() => b.outbox.in(chat).filter((m) => /❌ Stopped|✅ Done/.test(m.edits.at(-1) ?? '')).length >= n);

describe('the Nemo contract end to end', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('contract', { sim: { initialCredits: 1000 } });
  });
  afterAll(async () => b?.close());

  it('1002 during an export resets the session: the user is told once, and the next turn works on a new project', async () => {
    await b.send('p1', 'make a video of a harbour');
    await b.outbox.waitFor(() => videos(b, 'p1').length === 1);
    const old = b.sim.requestsTo('run_sse').at(-1)!.sessionId!;
    b.sim.dropSession(old);
    await b.send('p1', 'export');
    await b.outbox.waitFor(() => b.outbox.in('p1').find((m) => m.text.includes('started a new one')));
    const after = b.sim.requests.length;
    await b.send('p1', 'make a video of a lighthouse');
    await b.outbox.waitFor(() => videos(b, 'p1').length === 2);
    const later = b.sim.requests.slice(after);
    expect(later.filter((r) => r.sessionId === old)).toEqual([]); // never hit the lost session again
    expect(b.sim.requestsTo('create_session').length).toBe(2);
    expect(b.outbox.textsIn('p1').filter((t) => t.includes('started a new one'))).toHaveLength(1);
  });

  it('1002 while recovering a dropped turn resets the session too', async () => {
    await b.send('p2', 'hello');
    await stopped(b, 'p2');
    const sid = b.sim.requestsTo('run_sse').at(-1)!.sessionId!;
    b.sim.fault({ endpoint: 'run_sse', kind: 'drop', afterEvents: 1 });
    await b.send('p2', 'make a video of a forest');
    await b.outbox.waitFor(() => b.sim.requestsTo('run_sse').filter((r) => r.sessionId === sid).length === 2);
    b.sim.dropSession(sid);
    await b.outbox.waitFor(() => b.outbox.in('p2').find((m) => m.text.includes('started a new one')));
    const after = b.sim.requests.length;
    await b.send('p2', 'make a video of a river');
    await b.outbox.waitFor(() => videos(b, 'p2').length === 1);
    expect(b.sim.requests.slice(after).filter((r) => r.sessionId === sid)).toEqual([]);
  });

  it('2001 for an anonymous user whose answers carried no user id: the bind id is read from the state, and the registration link shown', async () => {
    const s = await startBench('contract-2001', { sim: { initialCredits: 0 } });
    try {
      // Neither the token nor the session answer carries a user id (the official examples' shape), and
      // the turn's own state read fails: only a state read at the moment of the 2001 can find the id.
      expect(s.sim.options.returnUserId).toBe(false);
      s.sim.fault({ endpoint: 'state', kind: 'error', status: 500 });
      await s.send('c1', 'make a video of a dog');
      const msg = await s.outbox.waitFor(() => s.outbox.in('c1').find((m) => m.text.startsWith('💳')));
      const session = [...s.sim.sessions.values()][0]!;
      expect(msg.text).toContain(`/register?bind=${session.userId}`);
      expect(msg.text).not.toMatch(/Top up/);
    } finally {
      await s.close();
    }
  });

  it('2001 in the middle of a stream is out-of-credits, with the registration link (not a generic error)', async () => {
    const s = await startBench('contract-mid', { sim: { chargeMidStream: true, initialCredits: 0, streamErrorForm: 'system' } });
    try {
      await s.send('m1', 'make a video of a volcano');
      const msg = await s.outbox.waitFor(() => s.outbox.in('m1').find((m) => m.text.startsWith('💳')));
      expect(msg.text).toMatch(/Out of free credits.*\/register\?bind=anon_/);
      expect(s.sim.requestsTo('run_sse')).toHaveLength(1); // never re-sent
    } finally {
      await s.close();
    }
  });

  it('402 on export for the free plan says it is the plan (with the registration link), not the credits', async () => {
    const s = await startBench('contract-402', { sim: { freePlanExportBlocked: true, initialCredits: 1000 } });
    try {
      await s.send('f1', 'make a video of a desert');
      const msg = await s.outbox.waitFor(() => s.outbox.in('f1').find((m) => m.text.startsWith('🔒')));
      expect(msg.text).toMatch(/free plan.*not your credits.*\/register\?bind=anon_/);
      expect(videos(s, 'f1')).toHaveLength(0);
    } finally {
      await s.close();
    }
  });

  it('429 on the free token: exactly one retry after NEMO_RATE_LIMIT_RETRY_MS, then a clear "quota used up" answer', async () => {
    const s = await startBench('contract-429', { sim: { anonymousTokensPerAddress: 0 }, env: { NEMO_RATE_LIMIT_RETRY_MS: '400' } });
    try {
      await s.send('q1', 'make a video of a city');
      const msg = await s.outbox.waitFor(() => s.outbox.in('q1').find((m) => m.text.startsWith('🚦')));
      expect(msg.text).toMatch(/free trial .* used up/);
      expect(msg.text).not.toMatch(/minute/);
      await sleep(1500); // a queue retry would come back here
      const posts = s.sim.requestsTo('anonymous_token');
      expect(posts).toHaveLength(2);
      expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(400);
      expect(posts[0]!.headers['x-client-id']).toBe(posts[1]!.headers['x-client-id']); // same client id
      expect(s.sim.requestsTo('run_sse')).toHaveLength(0);
    } finally {
      await s.close();
    }
  });
});
