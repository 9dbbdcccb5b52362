/**
 * Small HTTP helpers for the simulator: body reading, the two response envelopes, business errors in
 * either error style, and the hostile bodies (garbage, flood) the fault injector sends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EndpointName, SimOptions } from './types.js';

/** JSON bodies larger than this are refused with 413 (drafts are small; uploads use busboy). */
export const MAX_JSON_BODY = 32 * 1024 * 1024;
/** A 'flood' fault stops by itself after this many bytes. */
export const FLOOD_LIMIT = 64 * 1024 * 1024;

export function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export function bearerToken(headers: Record<string, string>): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers['authorization'] ?? '');
  return m?.[1];
}

export type BodyResult = { ok: true; raw: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/** Read a whole (small) body. Stops collecting (but keeps draining) past `limit`. */
export function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? { ok: false, reason: 'too-large' } : { ok: true, raw: Buffer.concat(chunks) }));
    req.on('error', () => resolve({ ok: false, reason: 'aborted' }));
    req.on('aborted', () => resolve({ ok: false, reason: 'aborted' }));
  });
}

/** Parse JSON, returning the raw text (cut to 2000 chars) when it is not JSON, undefined when empty. */
export function parseJsonLoose(raw: Buffer): { value: unknown; valid: boolean } {
  if (raw.length === 0) return { value: undefined, valid: true };
  const text = raw.toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, valid: true };
  } catch {
    return { value: text.slice(0, 2000), valid: false };
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

export const isRenderEndpoint = (e: EndpointName | 'unknown'): boolean =>
  e === 'render_start' || e === 'render_poll' || e === 'render_download' || e === 'render_cancel';

/** The HTTP status a business code travels with under errorStyle 'http'. */
export function statusForCode(code: number): number {
  switch (code) {
    case 1001: return 401;
    case 1002: return 404;
    case 2001: return 200; // the skills see 2001 in the body of a 200 (see run_sse)
    case 4001: return 400;
    case 4002: return 413;
    default: return code >= 400 && code < 600 ? code : 400;
  }
}

export interface ErrorSpec {
  status?: number;
  code?: number;
  message: string;
}

/**
 * Send an error in the endpoint's envelope: `{code,message}` for the business API,
 * `{success:false,error,code?}` for the render proxy. With errorStyle 'code200' a business code
 * travels in an HTTP 200; a bare HTTP status (400, 402, 429, 5xx) is always a real status.
 */
export function sendError(res: ServerResponse, opts: SimOptions, endpoint: EndpointName | 'unknown', e: ErrorSpec): void {
  let status: number;
  if (e.code !== undefined && opts.errorStyle === 'code200') status = 200;
  else status = e.status ?? (e.code !== undefined ? statusForCode(e.code) : 500);
  const code = e.code ?? status;
  if (isRenderEndpoint(endpoint)) sendJson(res, status, { success: false, error: e.message, code });
  else sendJson(res, status, { code, message: e.message });
}

/** FastAPI/ADK style `{"detail": …}` (run_sse's unknown session, unknown routes). */
export function sendDetail(res: ServerResponse, status: number, detail: string): void {
  sendJson(res, status, { detail });
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Resolve after `ms`, or early (false) when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal that fires when the client goes away (response closed before it finished) or the sim closes. */
export function clientGoneSignal(res: ServerResponse, closing: AbortSignal): AbortSignal {
  const ac = new AbortController();
  res.on('close', () => ac.abort());
  return AbortSignal.any([ac.signal, closing]);
}

/** Write `chunk` honouring backpressure; false when the socket is gone. */
export async function writeAsync(res: ServerResponse, chunk: string | Buffer, signal: AbortSignal): Promise<boolean> {
  if (res.destroyed || res.writableEnded || signal.aborted) return false;
  if (res.write(chunk)) return true;
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      signal.removeEventListener('abort', onClose);
      resolve(ok);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
    signal.addEventListener('abort', onClose, { once: true });
  });
}

/** Write `prefix` then endless filler until FLOOD_LIMIT or the client hangs up, then end. */
export async function flood(res: ServerResponse, prefix: string, fill: string, signal: AbortSignal): Promise<void> {
  const chunk = fill.repeat(Math.ceil((64 * 1024) / fill.length));
  let sent = 0;
  if (!(await writeAsync(res, prefix, signal))) return;
  while (sent < FLOOD_LIMIT) {
    if (!(await writeAsync(res, chunk, signal))) return;
    sent += chunk.length;
  }
  if (!res.destroyed) res.end();
}

/** Hold the request open without answering until the client or the sim gives up, then drop it. */
export async function stallForever(res: ServerResponse, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  res.destroy();
}

/**
 * End the TCP connection mid-response: what was written so far still reaches the client (socket.end
 * flushes), but the response never completes (no final chunk / short body), so the client sees a
 * premature close. The socket is destroyed shortly after in case the client keeps it half-open.
 */
export function cutConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return void res.destroy();
  socket.end();
  setTimeout(() => socket.destroy(), 50).unref();
}

/** Cut the connection now, whatever was sent so far. */
export function dropConnection(req: IncomingMessage, res: ServerResponse): void {
  req.socket.destroy();
  res.destroy();
}
