/**
 * The fault matrix: every Nemo error code at every endpoint it can come from, broken streams, 5xx
 * bursts, slow, malformed and oversized answers, failed renders and a dead output URL. Each row is
 * its own conversation with faults scoped to it, so all rows run at once on one bench. Each row
 * asserts what the user saw (the catalogue text) and that the next request in the same conversation
 * works.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, REDIS_URL, type Bench } from '../helpers/harness.js';
import { actOk, catalogueHead, learn, scoped, seedClientId, send, waitIn, type Conv, type Row } from './matrix.js';

const ROWS: Row[] = [
  // anonymous token
  { name: 'token 400 once: a new client id is tried', prep: 'none', faults: [{ endpoint: 'anonymous_token', status: 400, scopeBy: 'client' }], act: 'chat', sees: 'ok' },
  { name: 'token 429 twice: quota used up', prep: 'none', faults: [{ endpoint: 'anonymous_token', status: 429, times: 2, scopeBy: 'client' }], act: 'chat', sees: 'error.token_quota' },
  { name: 'token 403', prep: 'none', faults: [{ endpoint: 'anonymous_token', status: 403, scopeBy: 'client' }], act: 'chat', sees: 'error.forbidden' },
  { name: 'token 500 burst (every attempt)', prep: 'none', faults: [{ endpoint: 'anonymous_token', status: 500, times: 3, scopeBy: 'client' }], act: 'chat', sees: 'error.backend' },
  { name: 'token malformed JSON', prep: 'none', faults: [{ endpoint: 'anonymous_token', kind: 'garbage', scopeBy: 'client' }], act: 'chat', sees: 'error.bad_response' },
  // create session (after /new)
  { name: 'create-session 1001: re-auth', prep: 'session', reset: true, faults: [{ endpoint: 'create_session', code: 1001, status: 401 }], act: 'chat', sees: 'ok' },
  { name: 'create-session 2001', prep: 'session', reset: true, faults: [{ endpoint: 'create_session', code: 2001, status: 402 }], act: 'chat', sees: 'error.no_credits', seesParams: { registerUrl: '' } },
  { name: 'create-session 500 once', prep: 'session', reset: true, faults: [{ endpoint: 'create_session', status: 500 }], act: 'chat', sees: 'ok' },
  { name: 'create-session 429 burst', prep: 'session', reset: true, faults: [{ endpoint: 'create_session', status: 429, times: 6 }], act: 'chat', sees: 'error.rate_limited' },
  // upload
  { name: 'upload 4001', prep: 'session', faults: [{ endpoint: 'upload', code: 4001, status: 400 }], act: 'upload', sees: 'error.unsupported_file' },
  { name: 'upload 4002', prep: 'session', faults: [{ endpoint: 'upload', code: 4002, status: 413 }], act: 'upload', sees: 'error.file_too_large' },
  { name: 'upload 1001: re-auth', prep: 'session', faults: [{ endpoint: 'upload', code: 1001, status: 401 }], act: 'upload', sees: 'ok' },
  { name: 'upload 1002: new session', prep: 'session', faults: [{ endpoint: 'upload', kind: 'not-found' }], act: 'upload', sees: 'error.session_lost' },
  { name: 'upload 429 burst', prep: 'session', faults: [{ endpoint: 'upload', status: 429, times: 6 }], act: 'upload', sees: 'error.rate_limited' },
  { name: 'upload 500 once', prep: 'session', faults: [{ endpoint: 'upload', status: 500 }], act: 'upload', sees: 'ok' },
  // run_sse
  { name: 'run_sse 1001: re-auth', prep: 'session', faults: [{ endpoint: 'run_sse', code: 1001, status: 401 }], act: 'video', sees: 'ok' },
  { name: 'run_sse 1002: new session', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'not-found' }], act: 'video', sees: 'error.session_lost' },
  { name: 'run_sse 2001', prep: 'session', faults: [{ endpoint: 'run_sse', code: 2001, status: 402 }], act: 'video', sees: 'error.no_credits', seesParams: { registerUrl: '' } },
  { name: 'run_sse 429 twice: sent again later by the queue, once', prep: 'session', faults: [{ endpoint: 'run_sse', status: 429, times: 2 }], act: 'chat', sees: 'ok', check: (b, c) => expect(b.sim.requestsTo('run_sse').filter((r) => r.token === c.token)).toHaveLength(1 + 2 + 1 + 1) },
  { name: 'run_sse 403', prep: 'session', faults: [{ endpoint: 'run_sse', status: 403 }], act: 'video', sees: 'error.forbidden' },
  { name: 'run_sse 503: never re-sent, the state decides', prep: 'session', faults: [{ endpoint: 'run_sse', status: 503 }], act: 'chat', sees: 'error.stream_dropped', check: notResent },
  { name: 'run_sse in-stream error', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'stream-error', afterEvents: 1 }], act: 'chat', sees: 'error.stream_error' },
  // dropped streams at several points
  { name: 'SSE dropped before the first event', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'drop', afterEvents: 0 }], act: 'video', sees: 'result.recovered' },
  { name: 'SSE dropped mid-text', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'drop', afterEvents: 1 }], act: 'video', sees: 'result.recovered' },
  { name: 'SSE dropped after a tool call', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'drop', afterEvents: 2 }], act: 'video', sees: 'result.recovered' },
  { name: 'SSE dropped before done', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'drop', afterEvents: 4 }], act: 'video', sees: 'result.recovered' },
  { name: 'SSE malformed event', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'garbage', afterEvents: 1 }], act: 'chat', sees: 'ok' },
  { name: 'SSE oversized event', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'flood' }], act: 'chat', sees: 'error.stream_error' },
  // streams that stall, idle, or never connect: recovered from the state, never re-sent
  { name: 'SSE stalled (no bytes)', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'stall', afterEvents: 1 }], act: 'video', sees: 'error.stream_stalled', check: notResent },
  { name: 'SSE idle (heartbeats only)', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'heartbeat-only', afterEvents: 1 }], act: 'video', sees: 'error.stream_idle', check: notResent },
  { name: 'SSE network failure (reset before any answer)', prep: 'session', faults: [{ endpoint: 'run_sse', kind: 'reset' }], act: 'video', sees: 'error.stream_dropped', check: notResent },
  // state and credits
  { name: 'state 1001: re-auth', prep: 'video', faults: [{ endpoint: 'state', code: 1001, status: 401 }], act: 'status', sees: 'ok' },
  { name: 'state 1002: a new project', prep: 'video', faults: [{ endpoint: 'state', kind: 'not-found' }], act: 'status', sees: 'error.session_lost', next: 'video' },
  { name: 'state 500 burst', prep: 'video', faults: [{ endpoint: 'state', status: 502, times: 3 }], act: 'status', sees: 'error.backend' },
  { name: 'state oversized JSON', prep: 'video', faults: [{ endpoint: 'state', kind: 'flood' }], act: 'status', sees: 'error.bad_response' },
  { name: 'credits 1001: re-auth', prep: 'session', faults: [{ endpoint: 'credits', code: 1001, status: 401 }], act: 'credits', sees: 'ok' },
  { name: 'credits malformed JSON', prep: 'session', faults: [{ endpoint: 'credits', kind: 'garbage' }], act: 'credits', sees: 'error.bad_response' },
  { name: 'credits slow answer', prep: 'session', faults: [{ endpoint: 'credits', kind: 'delay', delayMs: 1500 }], act: 'credits', sees: 'ok' },
  { name: 'credits 429 burst', prep: 'session', faults: [{ endpoint: 'credits', status: 429, times: 6 }], act: 'credits', sees: 'error.rate_limited' },
  // export: render start and poll, output URL
  { name: 'render start 402', prep: 'video', faults: [{ endpoint: 'render_start', status: 402, scopeBy: 'session' }], act: 'export', sees: 'error.plan_blocked' },
  { name: 'render start 1001: re-auth', prep: 'video', faults: [{ endpoint: 'render_start', code: 1001, status: 401, scopeBy: 'session' }], act: 'export', sees: 'ok' },
  { name: 'render start 500 once', prep: 'video', faults: [{ endpoint: 'render_start', status: 500, scopeBy: 'session' }], act: 'export', sees: 'ok' },
  { name: 'render start 404: retried once with a new id', prep: 'video', faults: [{ endpoint: 'render_start', kind: 'not-found', scopeBy: 'session' }], act: 'export', sees: 'ok' },
  { name: 'render start 1002: a new project', prep: 'video', faults: [{ endpoint: 'render_start', code: 1002, status: 404, scopeBy: 'session' }], act: 'export', sees: 'error.session_lost', next: 'video' },
  { name: 'render start 429 burst', prep: 'video', faults: [{ endpoint: 'render_start', status: 429, times: 6, scopeBy: 'session' }], act: 'export', sees: 'error.rate_limited' },
  { name: 'render poll 500 once: polled again', prep: 'video', faults: [{ endpoint: 'render_poll', status: 500, scopeBy: 'session' }], act: 'export', sees: 'ok' },
  { name: 'render poll: failed twice', prep: 'video', faults: [{ endpoint: 'render_poll', message: 'GPU node crashed', times: 2, scopeBy: 'session' }], act: 'export', sees: 'error.render_failed' },
  { name: 'render poll: unknown render', prep: 'video', faults: [{ endpoint: 'render_poll', kind: 'not-found', scopeBy: 'session' }], act: 'export', sees: 'error.render_not_found' },
  { name: 'output URL 404: fallback download', prep: 'video', faults: [{ endpoint: 'output', status: 404, scopeBy: 'session' }], act: 'export', sees: 'ok' },
  { name: 'output URL 404 and fallback 500', prep: 'video', faults: [{ endpoint: 'output', status: 404, times: 3, scopeBy: 'session' }, { endpoint: 'render_download', status: 500, times: 3, scopeBy: 'session' }], act: 'export', sees: 'error.download_failed' },
];

/** The faulted turn was posted once: the prep turn, the faulted one, the next one. */
function notResent(b: Bench, c: Conv): void {
  expect(b.sim.requestsTo('run_sse').filter((r) => r.token === c.token)).toHaveLength(3);
}

describe('fault matrix (Nemo)', () => {
  let b: Bench;
  let redis: Redis;
  beforeAll(async () => {
    b = await startBench('faults', { sim: { initialCredits: 10_000, renderStepMs: 250 }, env: { RENDER_POLL_INTERVAL_MS: '50', NEMO_SSE_STALL_TIMEOUT_MS: '1500', NEMO_SSE_IDLE_TIMEOUT_MS: '1500' } });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await b?.close();
  });

  it(`${ROWS.length} rows: each shows its catalogue text and the next request works`, { timeout: 120_000 }, async () => {
    const started = Date.now();
    const results = await Promise.allSettled(ROWS.map((row, i) => runRow(b, redis, row, i)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${ROWS[i]!.name}: ${(r.reason as Error).message.split('\n').slice(0, 12).join('\n')}`] : []));
    console.log(`fault matrix: ${ROWS.length} rows, ${ROWS.length - failed.length} passed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(failed, failed.join('\n\n')).toEqual([]);
  });
});

async function runRow(b: Bench, redis: Redis, row: Row, i: number): Promise<void> {
  const c: Conv = { chat: `fm${i}`, clientId: `fault-matrix-${i}-${Date.now()}` };
  await seedClientId(redis, b, c);
  if (row.prep !== 'none') await actOk(b, c, row.prep === 'video' ? 'video' : 'chat');
  if (row.reset) {
    await b.send(c.chat, '/new', { userId: `user-${c.chat}`, command: { name: 'new', args: '' } });
    await waitIn(b, c, () => b.outbox.textsIn(c.chat).some((x) => x.includes('Fresh project')), '/new');
  }
  await learn(redis, b, c);
  for (const f of row.faults) b.sim.fault(scoped(c, f));
  if (row.sees === 'ok') {
    await actOk(b, c, row.act);
  } else {
    const head = catalogueHead(row.sees, row.seesParams);
    await send(b, c, row.act);
    await waitIn(b, c, () => b.outbox.textsIn(c.chat).some((x) => x.includes(head)), `"${head}"`);
  }
  await actOk(b, c, row.next ?? row.act, 30_000);
  // Nothing is shown as an internal error.
  expect(b.outbox.textsIn(c.chat).filter((x) => x.includes(catalogueHead('error.internal')))).toEqual([]);
  row.check?.(b, c);
}
