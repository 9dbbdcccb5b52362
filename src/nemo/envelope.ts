/**
 * The two response envelopes and the error table, as pure functions.
 *
 * Why separate from http.ts: this is where the contract's disagreements are settled (`code` vs
 * `success` envelopes, errors as HTTP status or as HTTP 200 with `code≠0`, the undocumented message
 * field), and it is unit-tested without a socket.
 */
import { scrub } from '../log.js';
import { NemoError, type NemoErrorKind } from './errors.js';
import type { Endpoint } from './http.js';

const AUTH_CODES = new Set([1001, 1010, 1011]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function toCode(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/** The error text of a body, wherever the backend put it (`message`, `msg`, FastAPI `detail`, `error`). */
export function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (!isRecord(body)) return undefined;
  for (const key of ['message', 'msg', 'detail', 'error', 'error_message', 'errorMessage']) {
    const v = body[key];
    if (typeof v === 'string' && v) return v;
    if (isRecord(v) || Array.isArray(v)) {
      const inner = Array.isArray(v) ? messageOf(v[0]) : messageOf(v);
      if (inner) return inner;
      return JSON.stringify(v).slice(0, 300);
    }
  }
  return undefined;
}

export type Envelope =
  | { ok: true; data: unknown }
  | { ok: false; code?: number; message?: string };

/**
 * Both envelopes: `{code, data, message|msg|detail}` and `{success, data, error}`. A body with
 * neither is taken as bare data (`body.data ?? body`), which is how the top-level render poll looks.
 */
export function unwrapEnvelope(body: unknown): Envelope {
  if (!isRecord(body)) return { ok: true, data: body };
  const code = toCode(body.code);
  if (code !== undefined) {
    return code === 0 ? { ok: true, data: body.data ?? null } : { ok: false, code, message: messageOf(body) };
  }
  if (typeof body.success === 'boolean') {
    if (body.success) return { ok: true, data: body.data ?? null };
    const err = body.error;
    return { ok: false, code: isRecord(err) ? toCode(err.code) : undefined, message: messageOf(body) };
  }
  return { ok: true, data: body.data ?? body };
}

/** Map one failure (status and/or business code) to our error kind. Codes win over statuses. */
export function classify(endpoint: Endpoint, status: number, code: number | undefined, message: string | undefined): NemoError {
  // A code that is an HTTP status (HTTP 200 + {code:402}) means the same as that status.
  const eff = status >= 400 ? status : code !== undefined && code >= 400 && code < 600 ? code : status;
  const msg = message ? scrub(message).slice(0, 300) : undefined;
  let kind: NemoErrorKind = 'backend';
  let retryable: boolean | undefined;
  if ((code !== undefined && AUTH_CODES.has(code)) || eff === 401) kind = 'auth';
  else if (code === 1002 || (eff === 404 && /session\s*not\s*found/i.test(msg ?? ''))) kind = 'session_lost';
  else if (code === 2001) kind = 'no_credits';
  else if (code === 4001 || eff === 415) kind = 'unsupported_file';
  else if (code === 4002 || eff === 413) kind = 'file_too_large';
  else if (eff === 402) kind = 'plan_blocked';
  else if (eff === 403) kind = 'forbidden';
  else if (eff === 429) kind = endpoint === 'anonymous_token' ? 'token_quota' : 'rate_limited';
  else if (eff === 400 && endpoint === 'anonymous_token') kind = 'missing_client_id';
  else if (eff === 404 && endpoint === 'render_poll') kind = 'render_not_found';
  else retryable = eff >= 500 || eff === 408;
  const what = code !== undefined ? `code ${code}` : `HTTP ${status}`;
  return new NemoError({
    kind,
    message: `Nemo ${endpoint}: ${what}${msg ? ` (${msg})` : ''}`,
    code,
    status,
    endpoint,
    retryable,
    details: msg ? { backendMessage: msg } : {},
  });
}
