/**
 * The core's JobQueue port on BullMQ.
 */
import { Job, type Queue } from 'bullmq';
import type { ConversationJobData } from '../core/job-data.js';
import type { JobQueue, JobState } from '../core/job-queue.js';

export class BullJobQueue implements JobQueue {
  constructor(private readonly queue: Queue<ConversationJobData>) {}

  async add(jobId: string, data: ConversationJobData): Promise<void> {
    await this.queue.add(data.kind, data, { jobId });
  }

  async state(jobId: string): Promise<JobState> {
    const job = await Job.fromId(this.queue, jobId);
    if (!job) return 'missing';
    const s = await job.getState();
    if (s === 'prioritized' || s === 'waiting-children') return 'waiting';
    if (s === 'unknown') return 'missing';
    return s as JobState;
  }

  async data(jobId: string): Promise<ConversationJobData | undefined> {
    return (await Job.fromId<ConversationJobData>(this.queue, jobId))?.data;
  }

  async remove(jobId: string): Promise<void> {
    const job = await Job.fromId(this.queue, jobId);
    await job?.remove();
  }

  async promote(jobId: string): Promise<void> {
    const job = await Job.fromId(this.queue, jobId);
    if (job && (await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
  }
}
