/**
 * The job history and the waiting-time estimate on real Redis: bounded to the newest entries,
 * isolated per conversation, damaged entries skipped on read; ETAs from recent durations.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { etaLine, recordDuration, startEstimate } from '../../src/core/eta.js';
import { HISTORY_MAX, JobHistory, shortJobId, type HistoryEntry } from '../../src/core/history.js';
import { Keys } from '../../src/core/keys.js';
import { jobIdFor } from '../../src/core/job-data.js';
import { costText } from '../../src/core/costs.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../helpers/common.js';

const prefix = uniquePrefix('history');
const redis = new Redis(REDIS_URL);
const keys = new Keys(prefix);
const history = new JobHistory(redis, keys);

afterAll(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

const entry = (conv: string, n: number): HistoryEntry => {
  const jobId = jobIdFor('test', conv, `m${n}`);
  return { id: shortJobId(jobId), jobId, kind: 'turn', prompt: `prompt ${n}`, state: 'done', createdAt: 1_000 + n };
};

describe('job history', () => {
  it('keeps only the newest entries, newest first, and finds them only in their own conversation', async () => {
    for (let n = 0; n < HISTORY_MAX + 3; n++) await history.add('test:a', entry('test:a', n));
    const recent = await history.recent('test:a');
    expect(recent).toHaveLength(HISTORY_MAX);
    expect(recent[0]!.prompt).toBe(`prompt ${HISTORY_MAX + 2}`);
    expect(recent.at(-1)!.prompt).toBe('prompt 3');
    expect(await history.get('test:a', entry('test:a', 0).id)).toBeUndefined(); // trimmed away
    const newest = entry('test:a', HISTORY_MAX + 2);
    expect((await history.get('test:a', `#${newest.id.toUpperCase()}`))?.jobId).toBe(newest.jobId);
    expect(await history.get('test:b', newest.id)).toBeUndefined();
    expect(await redis.ttl(keys.history('test:a', 'entries'))).toBeGreaterThan(0);
  });

  it('updates an entry in place and skips a damaged one on read', async () => {
    const e = entry('test:c', 1);
    await history.add('test:c', e);
    await history.update('test:c', e.jobId, { state: 'failed', cost: 0 });
    expect(await history.get('test:c', e.id)).toMatchObject({ state: 'failed', cost: 0, prompt: 'prompt 1' });
    await redis.hset(keys.history('test:c', 'entries'), e.id, JSON.stringify({ ...e, state: 'exploded' }));
    expect(await history.get('test:c', e.id)).toBeUndefined();
    expect(await history.recent('test:c')).toEqual([]);
  });
});

describe('waiting-time estimate and cost line', () => {
  it('estimates from the mean of recent durations, and says nothing before the first sample', async () => {
    expect(await startEstimate(redis, keys, 3, 0)).toBeUndefined();
    await recordDuration(redis, keys, 60_000);
    await recordDuration(redis, keys, 180_000);
    expect(await startEstimate(redis, keys, 1, 0)).toBeUndefined(); // running now
    expect(await startEstimate(redis, keys, 3, 0)).toBe(240_000); // two jobs ahead × 2 min
    expect(etaLine({}, 'en', 240_000, 0)).toBe('⌛ Expected to start in about 4 min.');
    expect(etaLine({ relativeTime: (ms) => `<t:${ms / 1000}:R>` }, 'en', 240_000, 0)).toBe('⌛ Expected to start <t:240:R>.');
  });

  it('warns below the threshold only', () => {
    expect(costText('en', 100, 250, 200)).toBe('💳 Cost: 100 credits · 250 left');
    expect(costText('en', 100, 150, 200)).toContain('⚠️ Low balance: 150 credits left');
    expect(costText('zh', 100, 150, 0)).toBe('💳 消耗：100 积分 · 剩余 150');
  });
});
