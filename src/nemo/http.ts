/**
 * One HTTP round trip to the Nemo backend: headers, deadline, bounded body read, envelope, error kind.
 *
 * Why a module of its own: every endpoint shares the same failure surface (two envelopes, errors as
 * HTTP status or as HTTP 200 with `code≠0`, an undocumented message field) and the same rules about
 * secrets (the Bearer token never reaches a log line). Recovery (re-auth, 429 retry) lives one level
 * up in client.ts, because it needs the credential handle; this module only says what happened
 * (the envelope and error-table rules themselves are in envelope.ts).
 */
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { registerSecret, scrub, type Logger } from '../log.js';
import { classify, messageOf, unwrapEnvelope } from './envelope.js';
import { NemoError } from './errors.js';
import type { SkillHeaders } from './types.js';

/** Endpoint labels: used in logs, in `NemoError.endpoint`, and they match the simulator's names. */
export type Endpoint =
  | 'anonymous_token'
  | 'create_session'
  | 'claim_token'
  | 'run_sse'
  | 'upload'
  | 'credits'
  | 'state'
  | 'render_start'
  | 'render_poll'
  | 'render_download'
  | 'render_cancel'
  | 'output';

export interface HttpDeps {
  apiUrl: string;
  skill: SkillHeaders;
  dispatcher: Dispatcher;
  logger: Logger;
  requestTimeoutMs: number;
  /** Largest JSON answer read into memory (a draft can be large, but not unbounded). */
  maxJsonBytes: number;
}

/** A request body that can be produced again (a re-auth retry must not reuse a consumed stream). */
export interface BodySource {
  contentType: string;
  contentLength: number;
  open(): Readable;
}

export interface ApiCall {
  endpoint: Endpoint;
  method: 'GET' | 'POST';
  path: string;
  /** Bearer token; absent only for the anonymous-token call. */
  token?: string;
  /** X-Client-Id: sent on the anonymous-token call and nowhere else. */
  clientId?: string;
  json?: unknown;
  body?: BodySource;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The attribution headers every request carries (without them the backend answers 402 on export). */
export function baseHeaders(skill: SkillHeaders, token?: string): Record<string, string> {
  const h: Record<string, string> = {
    'x-skill-source': skill.source,
    'x-skill-version': skill.version,
    'x-skill-platform': skill.platform,
  };
  if (token) {
    registerSecret(token);
    h.authorization = `Bearer ${token}`;
  }
  return h;
}

/**
 * A deadline plus the caller's signal in one AbortSignal, remembering WHY it fired so the error kind
 * is right ('cancelled' for the caller, a timeout otherwise). Always call `done()`.
 */
export function deadline(ms: number | undefined, outer?: AbortSignal) {
  const ctrl = new AbortController();
  let reason: 'cancelled' | 'timeout' | undefined;
  const onAbort = () => {
    reason ??= 'cancelled';
    ctrl.abort();
  };
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  const timer = ms && ms > 0 ? setTimeout(() => ((reason ??= 'timeout'), ctrl.abort()), ms) : undefined;
  timer?.unref?.();
  return {
    signal: ctrl.signal,
    get reason() {
      return reason;
    },
    done() {
      if (timer) clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/** Read at most `max` bytes of a body, destroying it beyond that (so a connection never leaks). */
export async function readBounded(body: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Register every token-like value of a response before anything can log it. */
export function registerTokensIn(value: unknown, depth = 0): void {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && /token/i.test(k)) registerSecret(v);
    else if (typeof v === 'object') registerTokensIn(v, depth + 1);
  }
}

/** Turn a transport failure (no HTTP answer) into a NemoError, honouring why our signal fired. */
export function transportError(endpoint: Endpoint, err: unknown, why: 'cancelled' | 'timeout' | undefined, timeoutMs?: number): NemoError {
  if (err instanceof NemoError) return err;
  if (why === 'cancelled') return new NemoError({ kind: 'cancelled', message: `Nemo ${endpoint}: cancelled`, endpoint, cause: err });
  const code = (err as { code?: string } | undefined)?.code;
  const timedOut = why === 'timeout' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
  const text = timedOut ? `timed out${timeoutMs ? ` after ${timeoutMs} ms` : ''}` : scrub(String((err as Error)?.message ?? err));
  return new NemoError({ kind: 'network', message: `Nemo ${endpoint}: ${text}`, endpoint, cause: err });
}

/** Response of a raw call: the status, headers and an unconsumed body the caller MUST consume or destroy. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & { dump?: () => Promise<void> };
}

/** Send one request through the shared dispatcher; body ownership passes to the caller. */
export async function sendRaw(
  deps: HttpDeps,
  call: ApiCall,
  signal: AbortSignal,
  extra: { headers?: Record<string, string>; headersTimeout?: number; bodyTimeout?: number } = {},
): Promise<RawResponse> {
  const headers = { ...baseHeaders(deps.skill, call.token), ...extra.headers };
  if (call.clientId) headers['x-client-id'] = call.clientId;
  let body: string | Readable | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.body) {
    headers['content-type'] = call.body.contentType;
    headers['content-length'] = String(call.body.contentLength);
    body = call.body.open();
  }
  const res = await request(deps.apiUrl + call.path, {
    dispatcher: deps.dispatcher,
    method: call.method,
    headers,
    body,
    signal,
    headersTimeout: extra.headersTimeout,
    bodyTimeout: extra.bodyTimeout,
  });
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

/** Parse a bounded JSON answer and map it: data on success, a NemoError otherwise. */
export function interpret(endpoint: Endpoint, status: number, raw: Buffer | undefined, logger: Logger): unknown {
  if (raw === undefined) {
    logger.warn({ endpoint, status }, 'nemo: response body over the size limit, discarded');
    throw new NemoError({ kind: 'bad_response', message: `Nemo ${endpoint}: response too large`, status, endpoint });
  }
  const text = raw.toString('utf8');
  let body: unknown;
  let parsed = false;
  try {
    body = text.trim() === '' ? null : JSON.parse(text);
    parsed = true;
  } catch {
    body = text;
  }
  if (parsed) registerTokensIn(body);
  if (status >= 400) {
    const env = parsed ? unwrapEnvelope(body) : undefined;
    const code = env && !env.ok ? env.code : undefined;
    throw classify(endpoint, status, code, parsed ? messageOf(body) : text.slice(0, 300));
  }
  if (!parsed) {
    logger.warn({ endpoint, status, bytes: raw.length, start: scrub(text.slice(0, 80)) }, 'nemo: response is not JSON');
    throw new NemoError({ kind: 'bad_response', message: `Nemo ${endpoint}: response is not JSON`, status, endpoint });
  }
  const env = unwrapEnvelope(body);
  if (!env.ok) throw classify(endpoint, status, env.code, env.message);
  return env.data;
}

/**
 * A JSON request/response round trip with a deadline. Returns the envelope's `data`.
 * Throws NemoError with the raw kind (auth, rate_limited, …); recovery is the caller's job.
 */
export async function callJson(deps: HttpDeps, call: ApiCall): Promise<unknown> {
  const timeoutMs = call.timeoutMs ?? deps.requestTimeoutMs;
  const dl = deadline(timeoutMs, call.signal);
  const started = Date.now();
  try {
    const res = await sendRaw(deps, call, dl.signal, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const raw = await readBounded(res.body, deps.maxJsonBytes);
    deps.logger.debug({ endpoint: call.endpoint, method: call.method, path: call.path, status: res.status, ms: Date.now() - started }, 'nemo request');
    return interpret(call.endpoint, res.status, raw, deps.logger);
  } catch (err) {
    const e = transportError(call.endpoint, err, dl.reason, timeoutMs);
    deps.logger.debug({ endpoint: call.endpoint, path: call.path, kind: e.kind, status: e.status, code: e.nemoCode, err: e }, 'nemo request failed');
    throw e;
  } finally {
    dl.done();
  }
}

/** Abortable sleep (the 429 wait must not outlive a cancelled job). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new NemoError({ kind: 'cancelled', message: 'Nemo: cancelled' }));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new NemoError({ kind: 'cancelled', message: 'Nemo: cancelled' }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
