/**
 * The core's JobQueue port on BullMQ, over the lane queues.
 *
 * A job id exists in every lane the job reached (finished in the earlier ones), so lookups go from
 * the last lane back to the first: the first lane that knows the id holds the job's current state.
 */
import { Job, type Queue } from 'bullmq';
import { parseJobData, type ConversationJobData } from '../core/job-data.js';
import type { JobQueue, JobState } from '../core/job-queue.js';
import { LANES, laneOf, type Lane } from '../core/lanes.js';
import type { LaneQueues } from './queue.js';

const NEWEST_FIRST: readonly Lane[] = [...LANES].reverse();

export class BullJobQueue implements JobQueue {
  constructor(private readonly queues: LaneQueues) {}

  async add(jobId: string, data: ConversationJobData): Promise<void> {
    const lane = laneOf(data) ?? 'task';
    await this.queues[lane].add(data.kind, data, { jobId });
  }

  /** The job in the newest lane that has it. */
  private async find(jobId: string): Promise<Job<ConversationJobData> | undefined> {
    for (const lane of NEWEST_FIRST) {
      const job = await Job.fromId<ConversationJobData>(this.queues[lane] as Queue<ConversationJobData>, jobId);
      if (job) return job;
    }
    return undefined;
  }

  async state(jobId: string): Promise<JobState> {
    const job = await this.find(jobId);
    if (!job) return 'missing';
    const s = await job.getState();
    if (s === 'prioritized' || s === 'waiting-children') return 'waiting';
    if (s === 'unknown') return 'missing';
    return s as JobState;
  }

  /** The job's data, checked (data this version cannot read counts as no data). */
  async data(jobId: string): Promise<ConversationJobData | undefined> {
    const job = await this.find(jobId);
    if (!job) return undefined;
    const parsed = parseJobData(job.data);
    return parsed.ok ? parsed.data : undefined;
  }

  async remove(jobId: string): Promise<void> {
    await (await this.find(jobId))?.remove();
  }

  async promote(jobId: string): Promise<void> {
    const job = await this.find(jobId);
    if (job && (await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
  }

  async pending(): Promise<number> {
    let n = 0;
    for (const lane of LANES) {
      const counts = await this.queues[lane].getJobCounts('active', 'waiting', 'delayed', 'prioritized');
      n += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    return n;
  }
}
