/**
 * POST /run_sse: an ADK-style event stream. Each event is `data: <Event JSON>\n\n`, heartbeats are
 * interleaved during waits (rotating forms), and the turn ends by closing the stream. A turn keeps
 * running on the server when the client goes away (as the real backend does), so recovery by polling
 * state works. Stream faults (drop, stall, heartbeat-only, garbage, flood, stream-error) live here.
 */
import type { ServerResponse } from 'node:http';
import { requireAuth, SESSION_NOT_FOUND, violate, type Call, type SimContext } from './context.js';
import { cutConnection, dropConnection, flood, isRecord, sendDetail, sendError, sendJson, sleep, stallForever } from './http.js';
import type { Account } from './store.js';
import { adkEvent, buildPlan, classifyTurn, type TurnPlan } from './turns.js';
import type { Fault, HeartbeatForm, SimSession } from './types.js';

const HEARTBEAT_TEXT: Record<HeartbeatForm, string> = {
  comment: ': heartbeat\n\n',
  event: 'event: heartbeat\ndata: \n\n',
  empty: 'data: \n\n',
  json: 'data: {"type":"heartbeat"}\n\n',
};

/** Writes to one SSE response; every write is a no-op once the client is gone. */
class SseOut {
  private hb = 0;
  constructor(private readonly res: ServerResponse, private readonly forms: () => HeartbeatForm[]) {}

  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  start(): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.res.flushHeaders();
  }

  write(text: string): void {
    if (this.open) this.res.write(text);
  }

  event(e: unknown): void {
    this.write(`data: ${JSON.stringify(e)}\n\n`);
  }

  heartbeat(): void {
    const forms = this.forms();
    if (forms.length === 0) return;
    this.write(HEARTBEAT_TEXT[forms[this.hb++ % forms.length]!]);
  }

  garbage(): void {
    this.write('data: {not json\n\n');
    this.write('data: {"content": [}\n\n');
  }

  end(): void {
    if (this.open) this.res.end();
  }

  /** Cut the connection without the chunked terminator: the client sees a broken stream. */
  destroy(): void {
    cutConnection(this.res);
  }
}

/** Wait `ms`, sending a heartbeat after every full `heartbeatMs`. False when the signal fired. */
async function waitWithHeartbeats(ctx: SimContext, out: SseOut, ms: number, signal: AbortSignal): Promise<boolean> {
  const hb = ctx.opts.heartbeatMs;
  let remaining = ms;
  while (remaining > 0) {
    const slice = hb > 0 ? Math.min(hb, remaining) : remaining;
    if (!(await sleep(slice, signal))) return false;
    remaining -= slice;
    if (slice === hb) out.heartbeat();
  }
  return true;
}

interface RunMode {
  dropAfter?: number;
  garbageAfter?: number;
}

/** Run the whole plan (effects included) to the end, even if the client left; only the sim closing stops it. */
async function runPlan(ctx: SimContext, plan: TurnPlan, out: SseOut, mode: RunMode): Promise<void> {
  let emitted = 0;
  const after = (): void => {
    if (mode.garbageAfter === emitted) out.garbage();
    if (mode.dropAfter === emitted) out.destroy();
  };
  after();
  for (const step of plan.steps) {
    if (ctx.closing.aborted) return;
    if ('ev' in step) {
      out.event(step.ev());
      emitted++;
      after();
    } else if ('wait' in step) {
      if (!(await waitWithHeartbeats(ctx, out, step.wait, ctx.closing))) return;
    } else step.apply();
  }
  out.end();
}

/** Emit the first `n` events of the plan (with its waits, without its effects), for the stream faults. */
async function preview(ctx: SimContext, plan: TurnPlan, out: SseOut, n: number, signal: AbortSignal): Promise<boolean> {
  let emitted = 0;
  for (const step of plan.steps) {
    if (emitted >= n) break;
    if ('ev' in step) {
      out.event(step.ev());
      emitted++;
    } else if ('wait' in step && !(await waitWithHeartbeats(ctx, out, step.wait, signal))) return false;
  }
  return !signal.aborted;
}

function streamErrorText(ctx: SimContext, fault: Fault): string {
  const message = fault.message ?? 'Agent execution failed';
  const form = fault.form ?? ctx.opts.streamErrorForm;
  if (form === 'legacy') return `data: ${JSON.stringify({ error: message })}\n\n`;
  const e = adkEvent(`e-error`, 'system', { parts: [{ text: `Error: ${message}` }], role: 'model' });
  return `data: ${JSON.stringify(e)}\n\n`;
}

/** Text of `new_message.parts[].text`, or undefined when the body is not a RunAgentRequest. */
function messageText(body: unknown): string | undefined {
  if (!isRecord(body) || !isRecord(body['new_message'])) return undefined;
  const parts = body['new_message']['parts'];
  if (!Array.isArray(parts)) return undefined;
  return parts.map((p) => (isRecord(p) && typeof p['text'] === 'string' ? p['text'] : '')).join('\n');
}

export async function handleRunSse(ctx: SimContext, call: Call): Promise<void> {
  const { res, fault, body } = call;
  if (fault?.kind === 'error') {
    sendError(res, ctx.opts, 'run_sse', { status: fault.status, code: fault.code, message: fault.message ?? 'Internal Server Error' });
    return;
  }
  if (fault?.kind === 'not-found') return sendDetail(res, 404, SESSION_NOT_FOUND);
  if (fault?.kind === 'reset') return dropConnection(call.req, res);

  if (ctx.opts.requireSkillHeaders && !/text\/event-stream/i.test(call.rec.headers['accept'] ?? '')) {
    violate(ctx, call, 'accept-sse', `run_sse with Accept: ${call.rec.headers['accept'] ?? '(none)'}`);
    return sendDetail(res, 406, 'Not Acceptable: send Accept: text/event-stream');
  }
  const text = messageText(body);
  if (!call.bodyValid || !isRecord(body) || text === undefined || typeof body['session_id'] !== 'string') {
    return sendDetail(res, 422, 'Invalid request: expected {app_name, user_id, session_id, new_message:{parts:[{text}]}}');
  }
  const account = requireAuth(ctx, call);
  if (!account) return;
  const userId = body['user_id'];
  const session = ctx.store.ownedSession(account, body['session_id']);
  const userOk = userId === undefined || userId === 'me' || userId === account.userId;
  // ADK looks a session up by (app_name, user_id, session_id): any mismatch is "Session not found".
  if (!session || body['app_name'] !== 'nemo_agent' || !userOk) return sendDetail(res, 404, SESSION_NOT_FOUND);
  session.turns++;

  const plan = buildPlan(ctx, session, classifyTurn(ctx, session, text), text);
  const out = new SseOut(res, () => ctx.opts.heartbeatForms);
  const kind = fault?.kind;

  if (kind === 'stall' || kind === 'heartbeat-only' || kind === 'flood' || kind === 'stream-error') {
    // The backend is broken: nothing is charged and the turn has no effect.
    openStream(ctx, call, out, session);
    if (!(await preview(ctx, plan, out, fault?.afterEvents ?? 0, call.gone))) return out.destroy();
    if (kind === 'stall') return stallForever(res, call.gone);
    if (kind === 'heartbeat-only') {
      while (await sleep(Math.max(ctx.opts.heartbeatMs, 5), call.gone)) out.heartbeat();
      return out.destroy();
    }
    if (kind === 'flood') return flood(res, 'data: ', 'x', call.gone);
    out.write(streamErrorText(ctx, fault!));
    return out.end();
  }

  // A normal turn (also 'drop' and 'garbage', which damage only the wire, not the work).
  if (ctx.opts.chargeMidStream && plan.kind === 'generate' && plan.cost > 0) return midStreamCharge(ctx, call, out, session, account, plan);
  if (!charge(account, plan)) {
    sendJson(res, 200, { code: 2001, message: 'Insufficient credits' });
    return;
  }
  openStream(ctx, call, out, session);
  try {
    await runPlan(ctx, plan, out, {
      dropAfter: kind === 'drop' ? (fault?.afterEvents ?? 0) : undefined,
      garbageAfter: kind === 'garbage' ? (fault?.afterEvents ?? 0) : undefined,
    });
  } finally {
    account.frozen = Math.max(0, account.frozen - plan.cost);
  }
}

/**
 * `chargeMidStream`: the turn starts streaming and the credits are checked when the generation tool
 * starts. Without enough, the stream carries a 2001 error event (in the configured error form) and
 * closes; nothing is charged and nothing changes.
 */
async function midStreamCharge(ctx: SimContext, call: Call, out: SseOut, session: SimSession, account: Account, plan: TurnPlan): Promise<void> {
  openStream(ctx, call, out, session);
  const first = plan.steps.findIndex((st) => 'ev' in st);
  const head = plan.steps.slice(0, first + 1);
  const rest = plan.steps.slice(first + 1);
  for (const step of head) {
    if ('ev' in step) out.event(step.ev());
    else if ('apply' in step) step.apply();
  }
  if (!(await waitWithHeartbeats(ctx, out, ctx.opts.editTurnMs, ctx.closing))) return;
  if (!charge(account, plan)) {
    const message = 'Insufficient credits';
    if ((ctx.opts.streamErrorForm) === 'legacy') out.write(`data: ${JSON.stringify({ error: { code: 2001, message } })}\n\n`);
    else out.event(adkEvent('e-error', 'system', { parts: [{ text: `Error: ${message}` }], role: 'model' }, { errorCode: '2001', errorMessage: message }));
    return out.end();
  }
  try {
    await runPlan(ctx, { ...plan, steps: rest }, out, {});
  } finally {
    account.frozen = Math.max(0, account.frozen - plan.cost);
  }
}

/** Charge up front: the cost is frozen while the turn runs (total = available + frozen). */
function charge(account: Account, plan: TurnPlan): boolean {
  if (plan.cost <= 0) return true;
  if (account.available < plan.cost) return false;
  account.available -= plan.cost;
  account.frozen += plan.cost;
  return true;
}

/** Send the stream headers and count the stream as open for the session until the response closes. */
function openStream(ctx: SimContext, call: Call, out: SseOut, session: SimSession): void {
  out.start();
  ctx.store.noteStreamOpened(session);
  call.res.once('close', () => {
    session.activeTurns = Math.max(0, session.activeTurns - 1);
  });
}
