/**
 * runTurn against the simulator's /run_sse: ADK events, all four heartbeat forms, silent and question
 * turns, both stream-error forms, the three timeouts, drops, floods, garbage, cancellation, and the
 * rule that a message is never re-sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeStateChange, translateGui } from '../../src/nemo/draft.js';
import { timelineWords } from '../../src/core/i18n.js';
import { NemoClient } from '../../src/nemo/client.js';
import type { CredentialHandle, NemoSession, TurnEvent } from '../../src/nemo/types.js';
import { GENERATE_DONE_TEXT, GENERATE_START_TEXT, QUESTION_ARGS, type HeartbeatForm } from '../../nemo-sim/index.js';
import { anonHandle, clientOptions, handle, nemoError, rig, type Rig } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runTurn: turns', () => {
  let r: Rig;
  let auth: CredentialHandle;
  let session: NemoSession;
  beforeAll(async () => {
    r = await rig();
    auth = handle({ token: 'fixed-sse-turns', anonymous: false });
    r.sim.addToken('fixed-sse-turns', { credits: 10_000 });
    session = await r.client.createSession(auth);
  });
  afterAll(() => r.close());

  it('a generation: text, tool call, tool result, heartbeats; trailing "temporary issue" noise dropped', async () => {
    const events: TurnEvent[] = [];
    const t = await r.client.runTurn(auth, session.sessionId, 'generate a city timelapse video', { onEvent: (e) => events.push(e) });
    expect(t.text).toBe(`${GENERATE_START_TEXT}\n\n${GENERATE_DONE_TEXT}`);
    expect(t.silent).toBe(false);
    expect(t.toolCalls).toEqual(['generate_video_with_seedance']);
    expect(t.eventCount).toBe(5);
    expect(t.heartbeatCount).toBeGreaterThanOrEqual(4); // 300 ms turn, 50 ms heartbeats, all four forms rotating
    expect(events.filter((e) => e.type === 'tool_result').map((e) => (e as { name: string }).name)).toEqual(['generate_video_with_seedance']);
    expect(events.filter((e) => e.type === 'text')).toHaveLength(3); // the noise is an event, just not in the reply
    expect(translateGui(t.text).actions).toEqual([{ kind: 'export' }]);
  });

  it('a silent edit (no text): the state diff says what changed', async () => {
    const before = await r.client.getState(auth, session.sessionId);
    const t = await r.client.runTurn(auth, session.sessionId, 'add the title "Urban Dreams"');
    expect(t).toMatchObject({ text: '', silent: true, toolCalls: ['edit_multitrack'], eventCount: 2 });
    const after = await r.client.getState(auth, session.sessionId);
    expect(describeStateChange(before.draft, after.draft, timelineWords('en'))).toEqual(['Added Title: "Urban Dreams" (0-3s)']);
  });

  it('an edit with text; GUI wording maps to actions', async () => {
    const t = await r.client.runTurn(auth, session.sessionId, 'change the music to jazz');
    expect(t.text).toContain('Chill Jazz');
    expect(translateGui(t.text)).toMatchObject({ actions: [{ kind: 'timeline' }, { kind: 'export' }] });
  });

  it('an ask_question turn → question with options', async () => {
    const events: TurnEvent[] = [];
    const t = await r.client.runTurn(auth, session.sessionId, 'what style options do I have?', { onEvent: (e) => events.push(e) });
    expect(t.question).toEqual({
      id: expect.any(String),
      prompt: QUESTION_ARGS.question,
      options: QUESTION_ARGS.options,
      allowMultiple: false,
    });
    expect(t.text).toBe('');
    expect(t.toolCalls).toEqual(['ask_question']);
    expect(events.some((e) => e.type === 'question')).toBe(true);
  });

  it('a chat turn', async () => {
    r.sim.nextTurn('chat', session.sessionId);
    const t = await r.client.runTurn(auth, session.sessionId, 'hi');
    expect(t.text).toMatch(/ready in the timeline/);
    expect(t.toolCalls).toEqual([]);
  });

  it('garbage lines inside the stream are skipped', async () => {
    r.sim.fault({ endpoint: 'run_sse', kind: 'garbage', afterEvents: 0 });
    r.sim.nextTurn('chat', session.sessionId);
    const t = await r.client.runTurn(auth, session.sessionId, 'hi');
    expect(t.text).toMatch(/ready in the timeline/);
  });
});

describe.each(['comment', 'event', 'empty', 'json'] as HeartbeatForm[])('heartbeat form %s', (form) => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig({ heartbeatForms: [form], heartbeatMs: 40 });
  });
  afterAll(() => r.close());
  it('is counted as a heartbeat and nothing else', async () => {
    const auth = handle({ token: `fixed-hb-${form}`, anonymous: false });
    r.sim.addToken(auth.credential.token, { credits: 1000 });
    const s = await r.client.createSession(auth);
    const t = await r.client.runTurn(auth, s.sessionId, 'generate a video');
    expect(t.heartbeatCount).toBeGreaterThanOrEqual(4);
    expect(t.eventCount).toBe(5);
    expect(t.text).toBe(`${GENERATE_START_TEXT}\n\n${GENERATE_DONE_TEXT}`);
  });
});

describe('runTurn: failures (never re-sent)', () => {
  let r: Rig;
  let client: NemoClient;
  let auth: CredentialHandle;
  let session: NemoSession;
  beforeAll(async () => {
    r = await rig({ turnMs: 3_000, heartbeatMs: 50 });
    client = new NemoClient(clientOptions(r.sim, { sseTimeoutMs: 5_000, sseIdleTimeoutMs: 400, sseStallTimeoutMs: 250, sseMaxEventBytes: 64 * 1024 }));
    auth = handle({ token: 'fixed-sse-fail', anonymous: false });
    r.sim.addToken('fixed-sse-fail', { credits: 100_000 });
    session = await client.createSession(auth);
  });
  afterEach(() => r.sim.clearFaults());
  afterAll(async () => {
    await client.close();
    await r.close();
  });

  const oneTurn = async (text: string, opts: { signal?: AbortSignal; events?: TurnEvent[] } = {}) => {
    r.sim.clearRequests();
    const e = await nemoError(client.runTurn(auth, session.sessionId, text, { signal: opts.signal, onEvent: (ev) => opts.events?.push(ev) }));
    expect(r.sim.requestsTo('run_sse'), 'the message is sent exactly once').toHaveLength(1);
    return e;
  };

  for (const form of ['legacy', 'system'] as const) {
    it(`stream error, ${form} form → stream_error`, async () => {
      r.sim.fault({ endpoint: 'run_sse', kind: 'stream-error', form, message: 'Agent execution failed', afterEvents: 1 });
      const events: TurnEvent[] = [];
      const e = await oneTurn('generate a video', { events });
      expect(e).toMatchObject({ kind: 'stream_error', details: { backendMessage: 'Agent execution failed' } });
      expect(events.filter((ev) => ev.type === 'text')).toHaveLength(1);
    });
  }

  it('no bytes at all → stream_stalled', async () => {
    r.sim.fault({ endpoint: 'run_sse', kind: 'stall' });
    const t0 = Date.now();
    expect((await oneTurn('hi')).kind).toBe('stream_stalled');
    expect(Date.now() - t0).toBeLessThan(1_500);
  });

  it('no response headers at all → stream_stalled (the request never reached the agent)', async () => {
    r.sim.fault({ endpoint: 'run_sse', kind: 'delay', delayMs: 1_500 });
    const turnsBefore = r.sim.sessions.get(session.sessionId)!.turns;
    expect((await oneTurn('hi')).kind).toBe('stream_stalled');
    await sleep(50);
    expect(r.sim.sessions.get(session.sessionId)!.turns).toBe(turnsBefore);
  });

  it('only heartbeats → stream_idle', async () => {
    r.sim.fault({ endpoint: 'run_sse', kind: 'heartbeat-only', afterEvents: 1 });
    const events: TurnEvent[] = [];
    const e = await oneTurn('generate a video', { events });
    expect(e.kind).toBe('stream_idle');
    expect(events.filter((ev) => ev.type === 'heartbeat').length).toBeGreaterThan(3);
  });

  it('longer than sseTimeoutMs → stream_timeout', async () => {
    const quick = new NemoClient(clientOptions(r.sim, { sseTimeoutMs: 400, sseIdleTimeoutMs: 5_000, sseStallTimeoutMs: 5_000 }));
    try {
      r.sim.clearRequests();
      const e = await nemoError(quick.runTurn(auth, session.sessionId, 'generate a video'));
      expect(e.kind).toBe('stream_timeout');
      expect(r.sim.requestsTo('run_sse')).toHaveLength(1);
    } finally {
      await quick.close();
    }
  });

  it('connection lost mid-stream → stream_dropped (retryable, not re-sent)', async () => {
    r.sim.fault({ endpoint: 'run_sse', kind: 'drop', afterEvents: 2 });
    const events: TurnEvent[] = [];
    const e = await oneTurn('generate a video', { events });
    expect(e).toMatchObject({ kind: 'stream_dropped', retryable: true });
    expect(events.filter((ev) => ev.type !== 'heartbeat')).toHaveLength(2);
  });

  it('a never-ending data: line is cut by the buffer bound and the request aborted', async () => {
    r.sim.fault({ endpoint: 'run_sse', kind: 'flood' });
    const t0 = Date.now();
    const e = await oneTurn('hi');
    expect(e.kind).toBe('stream_error');
    expect(e.message).toMatch(/exceeded 65536 bytes/);
    expect(Date.now() - t0).toBeLessThan(2_000);
    await sleep(100);
    expect(r.sim.sessions.get(session.sessionId)!.activeTurns).toBe(0); // the sim saw the connection close
  });

  it('abort via signal → cancelled', async () => {
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 150);
    expect((await oneTurn('generate a video', { signal: ctrl.signal })).kind).toBe('cancelled');
    const pre = new AbortController();
    pre.abort();
    r.sim.clearRequests();
    expect((await nemoError(client.runTurn(auth, session.sessionId, 'x', { signal: pre.signal }))).kind).toBe('cancelled');
  });

  it('HTTP 500 before the stream → backend, not re-sent', async () => {
    r.sim.fault({ endpoint: 'run_sse', status: 500, message: 'boom' });
    expect((await oneTurn('hi')).kind).toBe('backend');
  });

  for (const form of ['legacy', 'system'] as const) {
    it(`2001 in the middle of the stream (${form} form) → no_credits with the registration link, not re-sent`, async () => {
      const mid = await rig({ chargeMidStream: true, initialCredits: 0, streamErrorForm: form, turnMs: 30, editTurnMs: 20 });
      try {
        const anon = await anonHandle(mid.client);
        const s = await mid.client.createSession(anon);
        const e = await nemoError(mid.client.runTurn(anon, s.sessionId, 'generate a video of a cat'));
        expect(e).toMatchObject({ kind: 'no_credits', nemoCode: 2001 });
        expect(e.details.registerUrl).toMatch(/\/register\?bind=anon_/);
        expect(mid.sim.requestsTo('run_sse')).toHaveLength(1);
      } finally {
        await mid.close();
      }
    });
  }

  it('429 before the stream → rate_limited, not re-sent', async () => {
    r.sim.fault({ endpoint: 'run_sse', status: 429 });
    expect((await oneTurn('hi')).kind).toBe('rate_limited');
  });

  it('backend unreachable → network', async () => {
    const dead = new NemoClient(clientOptions(r.sim, { apiUrl: 'http://127.0.0.1:9' }));
    try {
      expect((await nemoError(dead.runTurn(auth, session.sessionId, 'hi'))).kind).toBe('network');
    } finally {
      await dead.close();
    }
  });
});

describe('runTurn: 1001 before any event', () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig({ editTurnMs: 20 });
  });
  afterAll(() => r.close());

  it('re-authenticates and sends the message once more (nothing ran)', async () => {
    const auth = await anonHandle(r.client, 'cid-sse-1001');
    const s = await r.client.createSession(auth);
    r.sim.expireToken(auth.credential.token);
    r.sim.clearRequests();
    r.sim.nextTurn('chat', s.sessionId);
    const t = await r.client.runTurn(auth, s.sessionId, 'hi');
    expect(t.text).not.toBe('');
    expect(r.sim.requests.map((q) => q.endpoint)).toEqual(['run_sse', 'anonymous_token', 'run_sse']);
    expect(r.sim.requests[1]!.headers['x-client-id']).toBe('cid-sse-1001');
    expect(r.sim.sessions.get(s.sessionId)!.turns).toBe(1); // the first POST never reached the agent
    expect(auth.saved).toHaveLength(1);
  });
});
