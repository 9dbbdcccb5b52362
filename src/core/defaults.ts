/**
 * Named defaults that are not configuration: fixed timings, retry counts and retention, in one place
 * (the configurable ones, with their defaults, are the schema in src/config.ts).
 */

const DAY_S = 24 * 3600;

// ---- queue -------------------------------------------------------------------------------------
/** Attempts of every job: transient failures are retried this often before the user is told. */
export const JOB_ATTEMPTS = 3;
/** First retry delay of a failed job (exponential: 5 s, 10 s). */
export const JOB_BACKOFF_MS = 5_000;
/** How long finished jobs are kept (for /cancel, dedupe of hand-overs and debugging). */
export const KEEP_COMPLETED = { age: 7 * DAY_S, count: 10_000 } as const;
export const KEEP_FAILED = { age: 30 * DAY_S } as const;
/** How long a job waiting for its conversation's turn sleeps before checking again by itself. */
export const PARK_MS = 60_000;
/** How often a job held by an admin's pause checks (one settings read) whether the queue was resumed. */
export const PAUSE_RECHECK_MS = 3_000;

/** How long a /cancel flag on a job is kept (its worker sees it when it next runs the job). */
export const CANCEL_FLAG_TTL_S = DAY_S;
/** How long "this conversation is connecting" is remembered (the next answer then says "ready"). */
export const CONNECTING_TTL_S = DAY_S;

// ---- ingress -----------------------------------------------------------------------------------
/** How long a claim without its job counts as "another process is enqueueing it right now". */
export const CLAIM_GRACE_MS = 10_000;
/** How long a platform message id is remembered as taken (dedupe of redeliveries). */
export const SEEN_TTL_S = 7 * DAY_S;

/** First retry of a message kept in the inbox; it doubles up to INBOX_RETRY_MAX_MS (never given up). */
export const INBOX_RETRY_FIRST_MS = 1_000;
export const INBOX_RETRY_MAX_MS = 60_000;
/** How often each process looks for inbox messages that are due. */
export const INBOX_POLL_MS = 500;
/** Messages kept in memory while Redis is unreachable (beyond this the platform must redeliver). */
export const INBOX_MEMORY_MAX = 1_000;

// ---- turns, renders, delivery ------------------------------------------------------------------
/** How long the project before a turn is kept (a turn, its recovery and its export fit well within). */
export const BASELINE_TTL_S = 2 * DAY_S;
/** A silent edit is re-checked this many times (SILENT_TURN_RECHECK_MS, doubling). */
export const SILENT_RECHECKS = 4;
/** First render poll delay; it doubles (5 s, 10 s, 20 s) up to RENDER_POLL_INTERVAL_MS. */
export const RENDER_POLL_FIRST_MS = 5_000;
/** A rate-limited video upload is waited out this often (its retryAfterMs each) before the job fails. */
export const MAX_DELIVER_RATE_LIMIT_WAITS = 3;
/** How long the thumbnail of a project's input image is kept for its videos (a few kB each). */
export const INPUT_THUMBNAIL_TTL_S = 7 * DAY_S;
/** How long the "video posted" record of a job is kept (exactly-once delivery). */
export const DELIVERED_TTL_S = 30 * DAY_S;

// ---- buttons and the shared token's gate ---------------------------------------------------------
/** How long a button under a message keeps working. */
export const BUTTON_TTL_S = 30 * DAY_S;
/** How long "this user can be written to privately" is remembered after their last direct message. */
export const REACHABLE_TTL_S = 180 * DAY_S;
/** How long a holder's slot at the turn gate survives without renewal (a crashed worker's slots return after this). */
export const GATE_HOLD_LEASE_MS = 60_000;
/** A gate waiter that has not re-checked for this long is forgotten (its job is gone). */
export const GATE_WAITER_TTL_MS = 150_000;
