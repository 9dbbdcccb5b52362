/**
 * Logging with secrets scrubbed everywhere.
 *
 * pino's `redact` only knows object paths, but our secrets also hide inside strings: a Telegram bot
 * token is part of every Bot API URL, discord.js errors carry request URLs, and Nemo tokens can show
 * up in error text. So every string that reaches a log line (message, fields, error message, stack,
 * URL, cause chain) goes through `scrub`, which removes token-shaped substrings and every secret
 * registered at start-up.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

const REDACTED = '[redacted]';

/**
 * Token shapes we never want to see, whatever variable they came from. Platform token shapes come
 * from the platform adapters (`PlatformAdapter.tokenPatterns`, registered with the platform).
 */
const TOKEN_PATTERNS: RegExp[] = [
  /nmv_usr_[A-Za-z0-9_-]+/g, // Nemo user / anonymous tokens
  /\bclm_[A-Za-z0-9_-]{6,}/g, // Nemo claim tokens (a browser login to the project)
  /\bnemo-bot-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, // our anonymous client ids (they re-issue tokens)
  /\b(Bearer|Bot)\s+[A-Za-z0-9._~+/=-]{8,}/gi, // authorization header values
];

/**
 * Scrub every substring matching `pattern` (global) from now on. A first capture group equal to
 * `bot` is kept (`/bot<token>/` URL paths stay readable).
 */
export function registerTokenPattern(pattern: RegExp): void {
  if (!pattern.global) throw new Error('token patterns must be global (/…/g)');
  if (!TOKEN_PATTERNS.some((p) => p.source === pattern.source && p.flags === pattern.flags)) TOKEN_PATTERNS.splice(TOKEN_PATTERNS.length - 1, 0, pattern);
}

/**
 * Exact secrets. The configuration's (`pinned`) are kept for the life of the process; values met at
 * run time (per-conversation tokens, client ids, claim tokens) are mostly token-shaped, so a pattern
 * already scrubs them and they are not stored at all; any other is kept in a small LRU set. So the
 * cost of `scrub` does not grow with the number of conversations.
 */
/** Secret → its URL-encoded form when that differs (computed once, not per log line). */
const pinnedSecrets = new Map<string, string | undefined>();
const runtimeSecrets = new Map<string, string | undefined>();
const encodedForm = (v: string): string | undefined => (encodeURIComponent(v) === v ? undefined : encodeURIComponent(v));
export const MAX_RUNTIME_SECRETS = 256;

function coveredByPattern(value: string): boolean {
  return TOKEN_PATTERNS.some((re) => {
    re.lastIndex = 0;
    const m = re.exec(value);
    re.lastIndex = 0;
    return m !== null && m[0] === value;
  });
}

/** Register an exact secret value: `pinned` for configuration secrets, else a bounded run-time one. */
export function registerSecret(value: string | undefined | null, opts: { pinned?: boolean } = {}): void {
  if (!value || value.length < 6 || pinnedSecrets.has(value) || coveredByPattern(value)) return;
  runtimeSecrets.delete(value);
  if (opts.pinned) {
    pinnedSecrets.set(value, encodedForm(value));
    return;
  }
  runtimeSecrets.set(value, encodedForm(value)); // newest last: the oldest goes first
  if (runtimeSecrets.size > MAX_RUNTIME_SECRETS) runtimeSecrets.delete(runtimeSecrets.keys().next().value!);
}

/** How many exact secrets `scrub` checks (tests assert it stays bounded). */
export function secretSetSize(): number {
  return pinnedSecrets.size + runtimeSecrets.size;
}

function scrubExact(text: string, secrets: Map<string, string | undefined>): string {
  let out = text;
  for (const [secret, encoded] of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    if (encoded !== undefined && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
  }
  return out;
}

/** Remove every secret and token-shaped substring from `text`. */
export function scrub(text: string): string {
  let out = scrubExact(scrubExact(text, pinnedSecrets), runtimeSecrets);
  for (const re of TOKEN_PATTERNS) out = out.replace(re, (m, prefix?: string) => (prefix === 'bot' ? `bot${REDACTED}` : REDACTED));
  return out;
}

const SECRET_KEYS = /^(authorization|token|.*_token|.*Token|secret|.*_secret|password|cookie|x-telegram-bot-api-secret-token)$/i;

/** Deep-copy a value with secrets removed; bounded in depth so odd objects cannot hang a log call. */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, depth);
  if (depth > 6 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrubValue(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.test(k) && v ? REDACTED : scrubValue(v, depth + 1, seen);
  }
  return out;
}

/** Fields of an error we keep; everything else (request bodies, file bytes, options) is dropped. */
const ERROR_FIELDS = ['code', 'status', 'statusCode', 'method', 'url', 'kind', 'nemoCode', 'retryable', 'endpoint', 'description', 'error_code'] as const;

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  cause?: SerializedError | string;
  [field: string]: unknown;
}

/** A whitelisting error serializer: scrubbed message, stack, URL and cause chain, nothing else. */
export function serializeError(err: unknown, depth = 0): SerializedError | string {
  if (!(err instanceof Error)) return typeof err === 'object' && err !== null ? (scrubValue(err, depth + 1) as SerializedError) : scrub(String(err));
  const out: SerializedError = { type: err.name || err.constructor?.name || 'Error', message: scrub(err.message ?? '') };
  if (err.stack) out.stack = scrub(err.stack);
  const rec = err as unknown as Record<string, unknown>;
  for (const f of ERROR_FIELDS) {
    const v = rec[f];
    if (v === undefined || v === null) continue;
    out[f] = typeof v === 'string' ? scrub(v) : typeof v === 'object' ? scrubValue(v, depth + 1) : v;
  }
  if (err.cause !== undefined && depth < 5) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Where lines go (tests pass a capture stream); stdout by default. */
  destination?: DestinationStream;
}

/** Create the process logger. Every argument of every call is scrubbed before it is written. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name,
      base: { pid: process.pid },
      serializers: { err: (e: unknown) => serializeError(e), error: (e: unknown) => serializeError(e) },
      formatters: {
        log: (obj) => scrubValue(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const clean = args.map((a) => (typeof a === 'string' ? scrub(a) : a instanceof Error ? a : a)) as Parameters<typeof method>;
          return method.apply(this, clean);
        },
      },
      redact: {
        paths: ['headers.authorization', '*.headers.authorization', 'authorization', '*.authorization', 'token', '*.token'],
        censor: REDACTED,
      },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing (library defaults and tests that do not look at logs). */
export const silentLogger: Logger = pino({ level: 'silent' });
