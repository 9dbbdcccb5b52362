/**
 * What the core needs from a job queue, and nothing more.
 *
 * The core (ingress, the per-conversation line, /cancel) speaks to this port; `src/queue/` implements
 * it with BullMQ. So dependencies point one way (queue → core) and the core could run on another
 * queue without change. A job lives in one lane at a time (see lanes.ts); the port hides which.
 */
import type { ConversationJobData } from './job-data.js';

export type JobState = 'active' | 'waiting' | 'delayed' | 'completed' | 'failed' | 'missing';

export interface JobQueue {
  /** Add a job to the lane its data belongs in; adding an id that exists is a no-op. */
  add(jobId: string, data: ConversationJobData): Promise<void>;
  /** State of the job in the latest lane it reached. */
  state(jobId: string): Promise<JobState>;
  data(jobId: string): Promise<ConversationJobData | undefined>;
  /** Remove a job that is not running (throws if a worker holds it). */
  remove(jobId: string): Promise<void>;
  /** Run a delayed job now (no-op in any other state). */
  promote(jobId: string): Promise<void>;
  /** Jobs not finished yet, over every lane (for the demo's exit and the benchmarks). */
  pending(): Promise<number>;
}

/** States in which a job will still run (or is running). */
export const LIVE_STATES: ReadonlySet<JobState> = new Set<JobState>(['active', 'waiting', 'delayed']);
