/**
 * Fair shares at the front door: how many turns and exports one user may have waiting or running.
 * (The per-conversation cap lives in the line's join; the per-token cap in the turn gate.)
 *
 * A user's live jobs are a Redis sorted set, added atomically under the cap at enqueue and removed
 * when the job leaves its line. Entries of jobs that died without leaving are pruned before a
 * refusal, so a crash can never lock a user out.
 */
import type { Redis } from 'ioredis';
import { LIVE_STATES, type JobQueue } from './job-queue.js';
import type { Keys } from './keys.js';

/** Returns 0 when added (or already there), else the count that blocked it. */
const ADD_UNDER_CAP = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[2]) then return n end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('EXPIRE', KEYS[1], 2592000)
return 0`;

export class UserShares {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly queue: JobQueue,
  ) {}

  /** Count `jobId` against the user's cap; `{ full }` (their live job count) when it is reached. */
  async take(platform: string, userId: string, jobId: string, cap: number): Promise<true | { full: number }> {
    const key = this.keys.userJobs(platform, userId);
    for (let pass = 0; ; pass++) {
      const n = Number(await this.redis.eval(ADD_UNDER_CAP, 1, key, jobId, cap, Date.now()));
      if (n === 0) return true;
      if (pass > 0 || !(await this.prune(key))) return { full: n };
    }
  }

  async give(platform: string, userId: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.keys.userJobs(platform, userId), jobId);
  }

  private async prune(key: string): Promise<boolean> {
    let dropped = false;
    for (const id of await this.redis.zrange(key, 0, -1)) {
      if (LIVE_STATES.has(await this.queue.state(id))) continue;
      await this.redis.zrem(key, id);
      dropped = true;
    }
    return dropped;
  }
}
