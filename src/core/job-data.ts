/**
 * The data of a conversation job, as stored in BullMQ.
 *
 * A job is a small state machine (its steps and transitions: job-machine.ts): each step writes its
 * outcome here (with `job.updateData`) BEFORE the slow call that follows, so a job resumed on another worker after a crash knows whether the
 * message was already sent to Nemo, which render id it started, and whether the video was posted.
 * No secrets go here: job data is stored in clear text. Read back through `parseJobData` (zod).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Attachment, Platform } from './message.js';
import { attachmentSchema } from './message-schema.js';
import type { ChatTarget } from './outbox.js';
import { sealedTokenSchema, type SealedToken } from './token-vault.js';

export const JOB_KINDS = ['turn', 'export', 'credits', 'status', 'open'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export type JobStep =
  | 'start' // nothing done yet
  | 'turn' // upload + SSE turn (or recovery from a lost stream)
  | 'export' // read state, start the render
  | 'poll' // render started; polling
  | 'download'
  | 'deliver'
  | 'done';

/** Where results go; a ChatTarget without the bot-only extras (never stored). */
export type JobTarget = Omit<ChatTarget, 'platformMeta'>;

export interface ConversationJobData {
  v: 1;
  kind: JobKind;
  conv: string;
  target: JobTarget;
  /** The platform message this job answers (reply target). */
  messageId: string;
  replyTo?: string;
  userName: string;
  prompt: string;
  attachments: Attachment[];
  /** First lines of the status card (what was understood). */
  header: string;
  createdAt: number;
  step: JobStep;
  /** Last time the user saw something new (drives "Still working..."). */
  lastNewsAt?: number;
  /** The free-token request got a 429 and its one retry (after NEMO_RATE_LIMIT_RETRY_MS) is used. */
  tokenRetried?: boolean;
  /** The server or chat whose admin settings apply (IncomingMessage.scopeId, else the conversation). */
  scope?: string;
  /** Held (not started) because an admin paused the queue here; the card says so once. */
  heldByPause?: boolean;
  // --- account (account.ts): decided once, when the job first runs ---------------------------
  /** `personal`: the requester's own token (/login); `shared`: the conversation's credential. */
  account?: 'personal' | 'shared';
  /** Whose project (session) the job works on: the conversation's, or the requester's own in it. */
  sessionKey?: string;
  /** The personal token as it was when the job started, encrypted and bound to this job (never clear text). */
  personalToken?: SealedToken;
  // --- turn ---------------------------------------------------------------------------------
  uploaded?: boolean;
  sessionRenewed?: boolean;
  /** Fingerprint of the project before the turn; the draft itself is kept under keys.baseline (job data stays small). */
  baseline?: { fingerprint: string };
  /** Set BEFORE the /run_sse POST: a resumed job must never send the message again. */
  turnSentAt?: number;
  turnDone?: boolean;
  recoverChecks?: number;
  /** Project fingerprint at the last recovery check, to see whether a changed project has settled. */
  recoverSeen?: string;
  /** How the stream was lost: what the user is told when the project never changes. */
  lostWith?: 'stream_stalled' | 'stream_idle' | 'stream_timeout' | 'stream_dropped';
  replied?: boolean;
  // --- export -------------------------------------------------------------------------------
  /** Export after the turn when it left a ready draft (AUTO_EXPORT). */
  exportAfterTurn?: boolean;
  /** Chosen and stored BEFORE the render POST: a resumed job polls it instead of starting another. */
  renderId?: string;
  renderStarted?: boolean;
  renderAttempt?: number;
  renderPolls?: number;
  outputUrl?: string;
  videoPath?: string;
  videoBytes?: number;
  /** The render was larger than DOWNLOAD_MAX_MB: deliver its public URL instead of the file. */
  linkOnly?: boolean;
  /** Times the upload of the video was rate limited and waited out. */
  deliverWaits?: number;
  failed?: boolean;
  /** When the job first started running (after waiting in line): its duration sample starts here. */
  startedAt?: number;
  // --- costs (costs.ts) ---------------------------------------------------------------------
  /** The account's total credits (available + frozen) just before the turn was sent. */
  creditsBefore?: number;
  /** What the job cost and the credits available after it, read once at the end. */
  cost?: number;
  balance?: number;
  /** The daily-quota counter this job took one from (settings.ts); given back if it is cancelled before it starts. */
  quotaKey?: string;
}

/** Job ids may not contain ':' or be all digits (BullMQ); hash the conversation and message id. */
export function jobIdFor(platform: Platform, conv: string, messageId: string): string {
  const h = createHash('sha256').update(`${conv}\u0000${messageId}`).digest('hex').slice(0, 24);
  return `m-${platform}-${h}`;
}

/** Kinds that use the conversation's Nemo session and so wait their turn in its line. */
export const LINE_KINDS: ReadonlySet<JobKind> = new Set<JobKind>(['turn', 'export']);

// ---- reading job data back from Redis ----------------------------------------------------------
const n = z.number().optional();
const b = z.boolean().optional();
const s = z.string().optional();

/**
 * Job data as read back from Redis. `v` is checked, so data written by another version fails
 * clearly instead of with a TypeError deep in a step. Unknown fields pass through (a newer field
 * from a rolling deploy is kept, not silently dropped on the next save).
 */
export const jobDataSchema = z
  .object({
    v: z.literal(1),
    kind: z.enum(JOB_KINDS),
    conv: z.string().min(1),
    target: z
      .object({
        platform: z.string().min(1),
        conversationKey: z.string(),
        chatId: z.string(),
        threadId: s,
        userId: s,
        isDirect: z.boolean(),
        lang: z.string(),
        language: s,
      })
      .passthrough(),
    messageId: z.string(),
    replyTo: s,
    userName: z.string(),
    prompt: z.string(),
    attachments: z.array(attachmentSchema),
    header: z.string(),
    createdAt: z.number(),
    step: z.enum(['start', 'turn', 'export', 'poll', 'download', 'deliver', 'done']),
    lastNewsAt: n,
    tokenRetried: b,
    scope: s,
    heldByPause: b,
    account: z.enum(['personal', 'shared']).optional(),
    sessionKey: s,
    personalToken: sealedTokenSchema.optional(),
    uploaded: b,
    sessionRenewed: b,
    baseline: z.object({ fingerprint: z.string() }).optional(),
    turnSentAt: n,
    turnDone: b,
    recoverChecks: n,
    recoverSeen: s,
    replied: b,
    exportAfterTurn: b,
    renderId: s,
    renderStarted: b,
    renderAttempt: n,
    renderPolls: n,
    outputUrl: s,
    videoPath: s,
    videoBytes: n,
    deliverWaits: n,
    failed: b,
    quotaKey: s,
  })
  .passthrough();

// The schema and the interface describe the same record (fails to compile when they drift apart).
const _sameShape: (x: z.infer<typeof jobDataSchema>) => ConversationJobData = (x) => x;
void _sameShape;

/** Check job data read back from Redis; `problem` names the first bad field. */
export function parseJobData(raw: unknown): { ok: true; data: ConversationJobData } | { ok: false; problem: string } {
  const r = jobDataSchema.safeParse(raw);
  if (r.success) return { ok: true, data: r.data };
  const i = r.error.issues[0]!;
  return { ok: false, problem: `${i.path.join('.') || '(root)'}: ${i.message}` };
}
