/**
 * What every endpoint handler gets: the shared simulator state (`SimContext`) and the one request
 * being answered (`Call`), plus the auth check all authenticated endpoints share.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fixture } from './fixture.js';
import { sendError } from './http.js';
import type { Account, SimStore } from './store.js';
import type { EndpointName, Fault, SimOptions, SimRequest } from './types.js';

export interface SimContext {
  opts: SimOptions;
  store: SimStore;
  fixture: Fixture;
  /** http://host:port of this sim, for the URLs it hands out. */
  baseUrl(): string;
  /** Fires when the sim closes: long waits and turns stop. */
  closing: AbortSignal;
}

export interface Call {
  endpoint: EndpointName;
  req: IncomingMessage;
  res: ServerResponse;
  rec: SimRequest;
  /** The fault consumed by this call, if any (already past 'delay'). */
  fault?: Fault;
  /** Parsed JSON body (undefined for GET / multipart). */
  body: unknown;
  /** False when a body was sent but was not JSON. */
  bodyValid: boolean;
  /** Decoded path parameters (session id or render id). */
  params: string[];
  /** Fires when the client hangs up or the sim closes. */
  gone: AbortSignal;
}

/** Bearer check shared by every endpoint except anonymous-token and the output URL: 1001 on failure. */
export function requireAuth(ctx: SimContext, call: Call): Account | undefined {
  const auth = ctx.store.authenticate(call.rec.token);
  if (auth.ok) return auth.account;
  if (auth.reason === 'missing') violate(ctx, call, 'bearer', 'authenticated endpoint called without Authorization: Bearer');
  const message = auth.reason === 'expired' ? 'Token expired' : auth.reason === 'missing' ? 'Missing Authorization header' : 'Invalid token';
  sendError(call.res, ctx.opts, call.endpoint, { code: 1001, message });
  return undefined;
}

/** Record a contract violation by the client (the caller then fails the request as the backend would). */
export function violate(ctx: SimContext, call: Pick<Call, 'rec'>, rule: string, detail: string): void {
  ctx.store.violations.push({ seq: call.rec.seq, endpoint: call.rec.endpoint, rule, detail, at: Date.now() });
}

export const SESSION_NOT_FOUND = 'Session not found';

/** 1002 in the endpoint's envelope (business API: `{code:1002,message}`, 404 under errorStyle http). */
export function sendSessionNotFound(ctx: SimContext, call: Call): void {
  sendError(call.res, ctx.opts, call.endpoint, { code: 1002, message: SESSION_NOT_FOUND });
}
