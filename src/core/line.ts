/**
 * Per-conversation ordering: at most one Nemo turn per conversation at a time, in arrival order.
 *
 * Open-source BullMQ has no per-group concurrency, so each conversation keeps a Redis list of its
 * job ids. Only the head runs; the others park as delayed jobs (holding no worker slot and no
 * connection) and the head wakes its successor when it leaves. A parked job also re-checks after it
 * parks, so a wake-up that raced with parking is never lost, and a head whose job died for good is
 * removed by the next job that finds it.
 */
import type { Redis } from 'ioredis';
import { LIVE_STATES, type JobQueue } from './job-queue.js';
import type { Keys } from './keys.js';

/** Returns the 1-based position, or minus the line's length when it is full (ARGV[2] = cap). */
const JOIN = `
local pos = redis.call('LPOS', KEYS[1], ARGV[1])
if pos then return pos + 1 end
local n = redis.call('LLEN', KEYS[1])
if n >= tonumber(ARGV[2]) then return -n end
redis.call('RPUSH', KEYS[1], ARGV[1])
return n + 1`;

export class ConversationLine {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly queue: JobQueue,
  ) {}

  /**
   * Add a job (idempotent) and return its 1-based position, or `{ full }` when the line already
   * holds `cap` jobs. Entries whose jobs died are pruned before a refusal, so they never count.
   */
  async join(conv: string, jobId: string, cap = Number.MAX_SAFE_INTEGER): Promise<number | { full: number }> {
    for (let pass = 0; ; pass++) {
      const n = Number(await this.redis.eval(JOIN, 1, this.keys.line(conv), jobId, cap));
      if (n > 0) return n;
      if (pass > 0 || !(await this.prune(conv))) return { full: -n };
    }
  }

  /** Drop entries whose jobs will never run again; true when any was dropped. */
  private async prune(conv: string): Promise<boolean> {
    let dropped = false;
    for (const id of await this.ids(conv)) {
      if (await this.isLive(id)) continue;
      await this.redis.lrem(this.keys.line(conv), 0, id);
      dropped = true;
    }
    return dropped;
  }

  async position(conv: string, jobId: string): Promise<number | undefined> {
    const pos = await this.redis.lpos(this.keys.line(conv), jobId);
    return pos === null ? undefined : pos + 1;
  }

  async ids(conv: string): Promise<string[]> {
    return this.redis.lrange(this.keys.line(conv), 0, -1);
  }

  /**
   * Whether `jobId` may run now. Removes a dead head (its job completed, failed or vanished without
   * leaving the line) so one crashed job can never block a conversation.
   */
  async mayRun(conv: string, jobId: string): Promise<'run' | 'wait' | 'gone'> {
    for (let i = 0; i < 20; i++) {
      const head = await this.redis.lindex(this.keys.line(conv), 0);
      if (head === jobId) return 'run';
      if (head === null) return 'gone';
      if (await this.isLive(head)) return (await this.position(conv, jobId)) === undefined ? 'gone' : 'wait';
      await this.redis.lrem(this.keys.line(conv), 1, head);
    }
    return 'wait';
  }

  /** Leave the line and wake the next job. */
  async leave(conv: string, jobId: string): Promise<void> {
    await this.redis.lrem(this.keys.line(conv), 0, jobId);
    await this.wakeHead(conv);
  }

  /** Promote the head if it is parked. */
  async wakeHead(conv: string): Promise<void> {
    const head = await this.redis.lindex(this.keys.line(conv), 0);
    if (head) await this.queue.promote(head);
  }

  private async isLive(jobId: string): Promise<boolean> {
    return LIVE_STATES.has(await this.queue.state(jobId));
  }
}
