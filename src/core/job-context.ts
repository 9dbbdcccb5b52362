/**
 * What a conversation job sees of the queue it runs in.
 *
 * The core's job logic is written against this, not against BullMQ: `save` persists progress before
 * slow calls, `waitFor` ends the current run and resumes the job later (a delayed job), so waiting
 * holds no worker slot, and `moveTo` hands the job to the worker pool of another lane.
 */
import type { Logger } from '../log.js';
import type { CredentialHandle } from '../nemo/types.js';
import type { ChatTarget, Outbox } from './outbox.js';
import type { StatusCard } from './progress.js';
import type { CoreServices } from './services.js';
import type { ConversationJobData } from './job-data.js';
import type { Lane } from './lanes.js';

export interface WaitOptions {
  /**
   * Checked once the job is parked: when it says the reason to wait is gone (the wake-up raced with
   * parking), the job runs again at once instead of sleeping the full time.
   */
  wakeIf?: () => Promise<boolean>;
}

export interface JobContext {
  readonly id: string;
  readonly data: ConversationJobData;
  /** The lane (worker pool) this run belongs to. */
  readonly lane: Lane;
  /** Merge `patch` into the job's data and persist it. */
  save(patch: Partial<ConversationJobData>): Promise<void>;
  /** Stop this run now and run the job again after `ms`. Never returns. */
  waitFor(ms: number, opts?: WaitOptions): Promise<never>;
  /** Stop this run now and continue the job in `lane`'s worker pool. Never returns. */
  moveTo(lane: Lane): Promise<never>;
  /** Fires when the job is cancelled (/cancel) or the worker shuts down. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Runs the queue may still give this job after the current one fails (0 = last chance). */
  readonly attemptsLeft: number;
  /** Whether `err` is the queue's own control flow (a `waitFor`/`moveTo`), which must be rethrown untouched. */
  isControlFlow(err: unknown): boolean;
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
