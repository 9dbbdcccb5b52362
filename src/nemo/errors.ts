/**
 * The one error type of the Nemo client.
 *
 * Callers branch on `kind` (what happened, in our words) and show `messageKey` (an i18n key the core's
 * catalogue translates). `code` is the backend's business code when there was one, `status` the HTTP
 * status. Nothing here is user text and nothing here may contain a token.
 */
export type NemoErrorKind =
  | 'auth' // 1001/1010/1011/401 and re-auth did not help (or a fixed NEMO_TOKEN is bad)
  | 'session_lost' // 1002 or 404 "Session not found": the caller makes a new session
  | 'no_credits' // 2001
  | 'plan_blocked' // 402: export blocked by plan (NOT credits)
  | 'unsupported_file' // 4001 or refused locally before sending
  | 'file_too_large' // 4002 or refused locally before sending
  | 'rate_limited' // 429 after the single retry
  | 'token_quota' // 429 on anonymous-token: the per-client / per-address free-token quota is used up (days, not seconds)
  | 'missing_client_id' // 400 on anonymous-token after the retry
  | 'forbidden' // 403 scope problems
  | 'stream_timeout' // SSE total timeout (15 min)
  | 'stream_idle' // SSE heartbeat-only for 10 min
  | 'stream_stalled' // SSE sent no bytes at all for too long
  | 'stream_dropped' // SSE connection lost before it closed normally
  | 'stream_error' // an error event inside the stream
  | 'render_failed' // render job reported failed (after the retry)
  | 'render_timeout' // render did not finish within the polls
  | 'render_not_found' // poll of an unknown render id
  | 'download_failed' // output URL and fallback download both failed
  | 'download_too_large'
  | 'bad_response' // body did not match the contract
  | 'backend' // any other non-zero code / 5xx
  | 'network' // connection refused, reset, DNS, timeout
  | 'cancelled'; // our own AbortSignal fired

/** Whether retrying the same call later may succeed (the worker decides how and when). */
const RETRYABLE: ReadonlySet<NemoErrorKind> = new Set<NemoErrorKind>([
  'rate_limited',
  'stream_dropped',
  'stream_stalled',
  'backend',
  'network',
  'download_failed',
]);

export interface NemoErrorDetails {
  /** 2001 for an anonymous token: `<NEMO_WEB_URL>/register?bind=<anon user id>`. */
  registerUrl?: string;
  /** 2001 for a registered token: where to top up. */
  topUpUrl?: string;
  /** 4001/4002: the accepted extensions and the size limit. */
  supportedTypes?: readonly string[];
  maxUploadMb?: number;
  /** The offending file name (upload refusals). */
  fileName?: string;
  /** 429: server-suggested wait. */
  retryAfterMs?: number;
  /** 2001/402 for an anonymous token whose bind id (`anon_…`) is still unknown: the link lacks `?bind=`. */
  bindMissing?: boolean;
  /** Backend text, scrubbed (for logs, never shown raw to users). */
  backendMessage?: string;
}

export interface NemoErrorInit {
  kind: NemoErrorKind;
  message: string;
  code?: number;
  status?: number;
  endpoint?: string;
  details?: NemoErrorDetails;
  cause?: unknown;
  retryable?: boolean;
}

export class NemoError extends Error {
  override readonly name = 'NemoError';
  readonly kind: NemoErrorKind;
  /** Backend business code (`code` field), when the body had one. */
  readonly nemoCode?: number;
  /** HTTP status, when there was a response. */
  readonly status?: number;
  readonly endpoint?: string;
  readonly retryable: boolean;
  readonly details: NemoErrorDetails;

  constructor(init: NemoErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.nemoCode = init.code;
    this.status = init.status;
    this.endpoint = init.endpoint;
    this.retryable = init.retryable ?? RETRYABLE.has(init.kind);
    this.details = init.details ?? {};
  }

  /** The i18n key of the user-facing message (`error.<kind>`), resolved by the core's catalogue. */
  get messageKey(): `error.${NemoErrorKind}` {
    return `error.${this.kind}`;
  }
}

export const isNemoError = (e: unknown): e is NemoError => e instanceof NemoError;
