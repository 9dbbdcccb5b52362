/**
 * The small JSON endpoints of the business API (`{code:0,data}` envelope): anonymous token, create
 * session, claim token, credits and state.
 */
import { requireAuth, sendSessionNotFound, violate, type Call, type SimContext } from './context.js';
import { stateBody } from './draft.js';
import { isRecord, sendError, sendJson } from './http.js';
import { randomId } from './store.js';

/** POST /api/auth/anonymous-token: needs X-Client-Id; one live token per client id (else 429). */
export function handleAnonymousToken(ctx: SimContext, call: Call): void {
  const clientId = (call.rec.headers['x-client-id'] ?? '').trim();
  if (!clientId || clientId.length > 64) {
    violate(ctx, call, 'client-id', clientId ? 'X-Client-Id longer than 64 characters' : 'anonymous-token without X-Client-Id');
    sendJson(call.res, 400, { code: 400, message: clientId ? 'X-Client-Id too long (max 64)' : 'X-Client-Id header is required' });
    return;
  }
  const acc = ctx.store.issueAnonymous(clientId, call.req.socket.remoteAddress ?? 'unknown');
  if (acc === 'address-quota') {
    const n = ctx.opts.anonymousTokensPerAddress;
    sendJson(call.res, 429, { code: 429, message: `Too many requests: anonymous token quota for this IP exhausted (${n} per 7 days)` }, { 'retry-after': '30' });
    return;
  }
  if (acc === 'rate-limited') {
    sendJson(call.res, 429, { code: 429, message: 'Too many requests: one anonymous token per client id per 7 days' }, { 'retry-after': '30' });
    return;
  }
  const data: Record<string, unknown> = {
    token: acc.token,
    expires_at: new Date(acc.expiresAt).toISOString(),
    credits: acc.available,
  };
  if (ctx.opts.returnUserId) data['user_id'] = acc.userId;
  sendJson(call.res, 200, { code: 0, data });
}

const LANGUAGE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/;

/** POST /api/tasks/me/with-session/nemo_agent: body `{task_name, language}` (the skill sends both; a missing or malformed one is a violation → 422). */
export function handleCreateSession(ctx: SimContext, call: Call): void {
  const acc = requireAuth(ctx, call);
  if (!acc) return;
  if (!call.bodyValid) {
    sendError(call.res, ctx.opts, call.endpoint, { status: 400, message: 'Invalid JSON body' });
    return;
  }
  const body = isRecord(call.body) ? call.body : {};
  if (typeof body['task_name'] !== 'string' || body['task_name'].trim() === '') {
    violate(ctx, call, 'session-task-name', 'create-session without task_name');
    return sendJson(call.res, 422, { detail: [{ loc: ['body', 'task_name'], msg: 'field required', type: 'value_error.missing' }] });
  }
  if (typeof body['language'] !== 'string' || !LANGUAGE.test(body['language'])) {
    violate(ctx, call, 'session-language', `create-session language ${JSON.stringify(body['language'])}`);
    return sendJson(call.res, 422, { detail: [{ loc: ['body', 'language'], msg: 'a language code such as "en" or "zh-CN" is required', type: 'value_error' }] });
  }
  const s = ctx.store.createSession(acc, {
    language: typeof body['language'] === 'string' ? body['language'] : undefined,
    taskName: typeof body['task_name'] === 'string' ? body['task_name'] : undefined,
  });
  call.rec.sessionId = s.id;
  const data: Record<string, unknown> = { task_id: s.taskId, session_id: s.id };
  if (ctx.opts.returnUserId) data['user_id'] = acc.userId;
  sendJson(call.res, 200, { code: 0, data });
}

/** POST /api/auth/claim-token: `{task_id, session_id}` of an owned session → a 7-day `clm_…` token. */
export function handleClaimToken(ctx: SimContext, call: Call): void {
  const acc = requireAuth(ctx, call);
  if (!acc) return;
  const body = isRecord(call.body) ? call.body : {};
  const sid = typeof body['session_id'] === 'string' ? body['session_id'] : undefined;
  const s = ctx.store.ownedSession(acc, sid);
  if (!s || (body['task_id'] !== undefined && body['task_id'] !== s.taskId)) return sendSessionNotFound(ctx, call);
  sendJson(call.res, 200, { code: 0, data: { claim_token: `clm_${randomId(16)}`, expires_in: 604800 } });
}

/** GET /api/credits/balance/simple: total = available + frozen (frozen = credits of running turns). */
export function handleCredits(ctx: SimContext, call: Call): void {
  const acc = requireAuth(ctx, call);
  if (!acc) return;
  sendJson(call.res, 200, { code: 0, data: { available: acc.available, frozen: acc.frozen, total: acc.available + acc.frozen } });
}

/** GET /api/state/nemo_agent/me/{sid}/latest */
export function handleState(ctx: SimContext, call: Call): void {
  const acc = requireAuth(ctx, call);
  if (!acc) return;
  const s = ctx.store.ownedSession(acc, call.params[0]);
  if (!s) return sendSessionNotFound(ctx, call);
  const body = stateBody(s, ctx.fixture) as { data: Record<string, unknown> };
  if (ctx.opts.stateUserId) body.data['user_id'] = acc.userId;
  sendJson(call.res, 200, body);
}
