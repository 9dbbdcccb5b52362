/**
 * The data of a conversation job, as stored in BullMQ.
 *
 * A job is a small state machine: each step writes its outcome here (with `job.updateData`) BEFORE
 * the slow call that follows, so a job resumed on another worker after a crash knows whether the
 * message was already sent to Nemo, which render id it started, and whether the video was posted.
 * No secrets go here: job data is stored in clear text.
 */
import { createHash } from 'node:crypto';
import type { Attachment, Platform } from './message.js';
import type { ChatTarget } from './outbox.js';

export type JobKind = 'turn' | 'export' | 'credits' | 'status' | 'open';

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
}

/** Job ids may not contain ':' or be all digits (BullMQ); hash the conversation and message id. */
export function jobIdFor(platform: Platform, conv: string, messageId: string): string {
  const h = createHash('sha256').update(`${conv}\u0000${messageId}`).digest('hex').slice(0, 24);
  return `m-${platform}-${h}`;
}

/** Kinds that use the conversation's Nemo session and so wait their turn in its line. */
export const LINE_KINDS: ReadonlySet<JobKind> = new Set<JobKind>(['turn', 'export']);
