/**
 * What a conversation job sees of the queue it runs in, and what a run hands back to it.
 *
 * The core's job logic is written against this, not against BullMQ: `save` persists progress before
 * slow calls. A run never throws to steer the queue: it returns a `JobResult` (finished, wait, move)
 * and the queue (src/queue/worker.ts) turns that into its own calls, so waiting holds no worker slot
 * and a hand-over to another lane's worker pool stays idempotent.
 */
import type { Logger } from '../log.js';
import type { CredentialHandle } from '../nemo/types.js';
import type { ChatTarget, Outbox } from './outbox.js';
import type { StatusCard } from './progress.js';
import type { CoreServices } from './services.js';
import type { ConversationJobData, JobStep } from './job-data.js';
import type { Lane } from './lanes.js';

/** The abort reason the queue gives a running job when its worker shuts down (the job is handed back). */
export const SHUTDOWN = 'shutdown';
/** The abort reason when this run lost the job (its lock expired, or Redis went away): another run resumes it. */
export const LOCK_LOST = 'lock-lost';

/** The run was stopped to hand the job back (not a user's /cancel): it must neither fail nor report anything. */
export function handingBack(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason === SHUTDOWN || signal.reason === LOCK_LOST);
}

export interface JobContext {
  readonly id: string;
  readonly data: ConversationJobData;
  /** The lane (worker pool) this run belongs to. */
  readonly lane: Lane;
  /** Merge `patch` into the job's data and persist it. */
  save(patch: Partial<ConversationJobData>): Promise<void>;
  /** Fires when the job is cancelled (/cancel), the worker shuts down (SHUTDOWN) or the run lost the job (LOCK_LOST). */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Runs the queue may still give this job after the current one fails (0 = last chance). */
  readonly attemptsLeft: number;
}

/** End this run and run the job again after `ms` (a delayed job: no worker slot is held meanwhile). */
export interface Wait {
  readonly kind: 'wait';
  readonly ms: number;
  /**
   * Checked once the job is parked: when it says the reason to wait is gone (the wake-up raced with
   * parking), the job runs again at once instead of sleeping the full time.
   */
  readonly wakeIf?: () => Promise<boolean>;
}

/** How a run ends, for the queue: done with this job, wait, or continue in another lane's pool. */
export type JobResult = { readonly kind: 'finished' } | Wait | { readonly kind: 'move'; readonly lane: Lane };

export const FINISHED: JobResult = { kind: 'finished' };

export function waitFor(ms: number, wakeIf?: () => Promise<boolean>): Wait {
  return { kind: 'wait', ms, wakeIf };
}

export function isWait(x: unknown): x is Wait {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'wait';
}

/** A transition of the state machine (job-machine.ts): go to `to`, saving `save` with the new step in one write; `then` ends the run with a wait. */
export interface Transition {
  readonly kind: 'go';
  readonly to: JobStep;
  readonly save?: Partial<ConversationJobData>;
  readonly then?: Wait;
}

/** What a step returns: where the job goes next, or that this step waits. */
export type StepOutcome = Transition | Wait;

export function goTo(to: JobStep, save?: Partial<ConversationJobData>, then?: Wait): Transition {
  return { kind: 'go', to, save, then };
}

/** What each step of a job works with (one bundle, so turn and export steps share one shape). */
export interface StepDeps {
  svc: CoreServices;
  ctx: JobContext;
  outbox: Outbox;
  target: ChatTarget;
  card: StatusCard;
  auth: CredentialHandle;
}
