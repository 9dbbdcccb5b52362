/**
 * A conversation's recent jobs, for /jobs and /show: prompt, state, duration, cost and where the
 * result is. Stored in Redis per conversation (a hash of entries plus a sorted set giving their
 * order), bounded to the last HISTORY_MAX and expiring HISTORY_TTL_S after the last change; every
 * entry is validated with zod on read, so a damaged one is skipped, never trusted.
 *
 * Entries are found by a short id, and only inside the conversation asking: an id from another
 * chat is simply not there (isolation by construction).
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keys } from './keys.js';
import { readStoredJson } from './stored-json.js';

export const HISTORY_MAX = 20;
export const HISTORY_TTL_S = 30 * 24 * 3600;

export const historyEntrySchema = z.object({
  id: z.string().min(1),
  jobId: z.string().min(1),
  kind: z.enum(['turn', 'export']),
  prompt: z.string(),
  userId: z.string().optional(),
  state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  createdAt: z.number(),
  finishedAt: z.number().optional(),
  cost: z.number().optional(),
  /** The video's download link (the render output). */
  url: z.string().optional(),
  /** A platform's own reference to the posted video, to post it again without uploading. */
  fileRef: z.string().optional(),
  /** The job ran on this user's own account (/login): the buttons of its result are theirs. */
  owner: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** The short id users type: six characters of the job id's hash part. */
export function shortJobId(jobId: string): string {
  const hash = /-([0-9a-f]{12,})$/.exec(jobId)?.[1];
  return (hash ?? jobId.replace(/[^A-Za-z0-9]/g, '')).slice(0, 6).toLowerCase();
}

const SAVE = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local n = redis.call('ZCARD', KEYS[2])
if n > tonumber(ARGV[4]) then
  local old = redis.call('ZRANGE', KEYS[2], 0, n - tonumber(ARGV[4]) - 1)
  for _, id in ipairs(old) do redis.call('HDEL', KEYS[1], id) end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - tonumber(ARGV[4]) - 1)
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return n`;

export class JobHistory {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Record a new job (or overwrite its entry), keeping only the newest HISTORY_MAX. */
  async add(conv: string, entry: HistoryEntry): Promise<void> {
    const parsed = historyEntrySchema.parse(entry);
    await this.redis.eval(SAVE, 2, this.keys.history(conv, 'entries'), this.keys.history(conv, 'order'), parsed.id, JSON.stringify(parsed), parsed.createdAt, HISTORY_MAX, HISTORY_TTL_S);
  }

  /** Merge `patch` into a job's entry; a job no longer in the history is left out. */
  async update(conv: string, jobId: string, patch: Partial<Omit<HistoryEntry, 'id' | 'jobId'>>): Promise<void> {
    const current = await this.get(conv, shortJobId(jobId));
    if (!current || current.jobId !== jobId) return;
    await this.add(conv, { ...current, ...patch });
  }

  /** One entry of this conversation by its short id (undefined for ids of other chats). */
  async get(conv: string, id: string): Promise<HistoryEntry | undefined> {
    return parse(await this.redis.hget(this.keys.history(conv, 'entries'), id.toLowerCase().replace(/^#/, '')));
  }

  /** The newest `limit` entries, newest first. */
  async recent(conv: string, limit = HISTORY_MAX): Promise<HistoryEntry[]> {
    const ids = await this.redis.zrevrange(this.keys.history(conv, 'order'), 0, limit - 1);
    if (!ids.length) return [];
    const raws = await this.redis.hmget(this.keys.history(conv, 'entries'), ...ids);
    return raws.map(parse).filter((e): e is HistoryEntry => e !== undefined);
  }
}

function parse(raw: string | null | undefined): HistoryEntry | undefined {
  return readStoredJson(raw, historyEntrySchema);
}
