/**
 * Load, end to end, in one file so the two heavy runs never compete with each other for the CPU:
 * - a burst on default settings: N DMs with a photo pushed together into `npm start` (the full figure,
 *   N = 1000, is in bench/README.md; CI runs N = 200 with shorter turns);
 * - isolation: 500 conversations at once, each with its own anonymous token and session; every Nemo
 *   request of a conversation must carry that conversation's own token and session, and every video
 *   must land in the chat that asked for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureBurst } from '../../bench/burst.js';
import { startBench, type Bench } from '../helpers/harness.js';

const N = Number(process.env.BURST_TEST_N ?? 200);
const TURN_MS = 15_000;

describe('a burst of conversations on default settings', () => {
  it(`holds ${N} turns at once, acknowledges each promptly and delivers every video once`, async () => {
    const f = await measureBurst({ n: N, turnMs: TURN_MS });
    expect(f.crossings).toEqual([]);
    expect(f.violations).toBe(0);
    expect(f.delivered).toBe(N);
    expect(f.duplicateVideos).toBe(0);
    expect(f.runSsePerSessionMax).toBe(1);
    expect(f.peakOpenTurns).toBeGreaterThanOrEqual(Math.ceil(0.99 * N));
    expect(f.acks).toHaveLength(N);
    // The 2 s target is measured by bench/burst.ts (bench/README.md); here, with another test file
    // sharing the 2 cores, only a stuck acknowledgement (queued behind job work) must fail.
    expect(Math.max(...f.acks)).toBeLessThanOrEqual(6_000);
    expect(Math.max(...f.videoLatencies)).toBeLessThanOrEqual(TURN_MS + 30_000);
  }, 180_000);
});

const ISO_N = 500;
const promptOf = (body: unknown) => (body as { new_message?: { parts?: { text?: string }[] } }).new_message?.parts?.[0]?.text ?? '';

describe(`${ISO_N} conversations at once`, () => {
  let b: Bench;
  beforeAll(async () => {
    // Default lock timings: the harness's short ones are for crash tests, not for 500 jobs on a busy box.
    b = await startBench('isolation', { sim: { turnMs: 3_000, heartbeatMs: 500, renderStepMs: 300, anonymousTokensPerAddress: 2 * ISO_N }, env: { JOB_LOCK_DURATION_MS: '15000', JOB_STALLED_INTERVAL_MS: '5000' } });
  });
  afterAll(async () => b?.close());

  it('every Nemo request carries its own conversation\'s token and session; every video lands in its own chat', async () => {
    const chats = Array.from({ length: ISO_N }, (_, i) => `iso${i}`);
    const results = await Promise.all(chats.map((c) => b.send(c, `make a video of lantern ${c}x`, { userId: `user-${c}` })));
    expect(results.every((r) => r.outcome === 'queued')).toBe(true);
    const withVideo = () => new Set(b.outbox.messages.filter((m) => m.kind === 'video').map((m) => m.chatId));
    try {
      await b.outbox.waitFor(() => withVideo().size >= ISO_N, 150_000);
    } catch {
      const missing = chats.filter((c) => !withVideo().has(c));
      const i = chats.indexOf(missing[0]!);
      const id = results[i]!.jobId!;
      const data = await b.runtime.services.jobs.data(id);
      throw new Error(`${missing.length} chats got no video, e.g. ${missing[0]} (job ${await b.runtime.services.jobs.state(id)}, step ${data?.step}, ${JSON.stringify(data)}): ${b.outbox.textsIn(missing[0]!).map((t) => t.split('\n').at(-1)).join(' | ')}`);
    }

    // Each conversation's own token and session, from its turn.
    const own = new Map<string, { token: string; session: string }>();
    for (const r of b.sim.requestsTo('run_sse')) {
      const chat = /lantern (iso\d+)x/.exec(promptOf(r.body))?.[1];
      expect(chat, 'a turn without its tag').toBeDefined();
      expect(own.has(chat!), `${chat} sent two turns`).toBe(false);
      own.set(chat!, { token: r.token!, session: r.sessionId! });
    }
    expect(own.size).toBe(ISO_N);
    expect(new Set([...own.values()].map((o) => o.token)).size).toBe(ISO_N);
    expect(new Set([...own.values()].map((o) => o.session)).size).toBe(ISO_N);

    const chatOfToken = new Map([...own].map(([chat, o]) => [o.token, chat]));
    const renderSession = new Map([...b.sim.renders.values()].map((r) => [r.id, r.sessionId]));
    const crossings: string[] = [];
    for (const r of b.sim.requests) {
      if (!r.token) continue; // anonymous-token requests carry no token yet
      const chat = chatOfToken.get(r.token);
      if (!chat) {
        crossings.push(`${r.endpoint} with a token of no conversation`);
        continue;
      }
      const session = own.get(chat)!.session;
      if (r.sessionId && r.sessionId !== session) crossings.push(`${r.endpoint} of ${chat} named session ${r.sessionId}`);
      const renderId = /render_[A-Za-z0-9_-]+/.exec(r.path)?.[0];
      if (renderId && renderSession.get(renderId) !== session) crossings.push(`${r.endpoint} of ${chat} touched render ${renderId}`);
    }
    for (const [chat, o] of own) {
      if (b.sim.sessions.get(o.session)?.token !== o.token) crossings.push(`${chat}'s session was created by another token`);
      const videos = b.outbox.in(chat).filter((m) => m.kind === 'video');
      if (videos.length !== 1) crossings.push(`${chat} got ${videos.length} videos`);
      if (!videos.every((v) => v.text.includes(`${chat}x`))) crossings.push(`${chat} got another chat's video`);
      if (b.outbox.in(chat).some((m) => /lantern iso\d+x/.test(m.text) && !m.text.includes(`${chat}x`))) crossings.push(`${chat} saw another chat's prompt`);
    }
    expect(crossings).toEqual([]);
  }, 200_000);
});
