/**
 * Everything read back from Redis goes through zod: job data (its `v` is checked), session and
 * credential hashes, buffered album parts. Damaged or foreign records fail clearly or are skipped,
 * never with a TypeError deep inside a step.
 */
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlbumBuffer } from '../../adapters/telegram/album-buffer.js';
import { jobIdFor, parseJobData, type ConversationJobData } from '../../src/core/job-data.js';
import { TRANSITIONS } from '../../src/core/job-machine.js';
import { LANES, laneOf } from '../../src/core/lanes.js';
import { Keys } from '../../src/core/keys.js';
import type { IncomingMessage } from '../../src/core/message.js';
import { SessionStore } from '../../src/core/sessions.js';
import { silentLogger } from '../../src/log.js';
import type { NemoApi } from '../../src/nemo/types.js';
import { bullPrefix } from '../../src/queue/cluster.js';
import { QUEUE_NAMES } from '../../src/queue/queue.js';
import { startBench, message, type Bench } from '../helpers/harness.js';
import { fileRedis } from '../helpers/common.js';

const file = fileRedis('readback');
const { prefix } = file;

const jobData = (over: Record<string, unknown> = {}) => {
  const m = message('rb', 'hello');
  return {
    v: 1,
    kind: 'turn',
    conv: m.conversationKey,
    target: { platform: 'test', conversationKey: m.conversationKey, chatId: m.chatId, isDirect: true, lang: 'en' },
    messageId: m.messageId,
    userName: m.userName,
    prompt: 'hello',
    attachments: [],
    header: '🎬 hello',
    createdAt: Date.now(),
    step: 'start',
    ...over,
  };
};

describe('job data', () => {
  it('checks v and the shape, names the bad field, and keeps fields it does not know', () => {
    expect(parseJobData(jobData()).ok).toBe(true);
    const future = parseJobData(jobData({ v: 2 }));
    expect(future).toMatchObject({ ok: false, problem: expect.stringMatching(/^v: /) });
    expect(parseJobData(jobData({ step: 'dance' }))).toMatchObject({ ok: false, problem: expect.stringMatching(/^step: /) });
    expect(parseJobData({ kind: 'turn' }).ok).toBe(false);
    const extra = parseJobData(jobData({ addedLater: 'x' }));
    expect(extra.ok && (extra.data as ConversationJobData & { addedLater?: string }).addedLater).toBe('x');
  });

  it('every transition of the state machine keeps the job in its lane or moves it forward, never back', () => {
    for (const kind of ['turn', 'export', 'credits', 'status'] as const) {
      for (const [from, tos] of Object.entries(TRANSITIONS)) {
        for (const to of tos) {
          if (from === 'start' && to === 'turn' && kind !== 'turn') continue; // only a turn job starts with a turn
          const a = laneOf({ kind, step: from as never });
          const b = laneOf({ kind, step: to });
          if (a && b) expect(LANES.indexOf(b), `${kind}: ${from} → ${to}`).toBeGreaterThanOrEqual(LANES.indexOf(a));
        }
      }
    }
  });

  describe('in the worker', () => {
    let b: Bench;
    beforeAll(async () => {
      b = await startBench('readback-worker');
    });
    afterAll(async () => {
      await b?.close();
    });

    it('a job with data of another version fails at once with a clear reason (no retries), and the next job runs', async () => {
      const queue = new Queue(QUEUE_NAMES.task, { connection: b.runtime.redis.duplicate(), prefix: bullPrefix(b.config, 'task') });
      try {
        await queue.add('credits', jobData({ v: 2, kind: 'credits' }) as never, { jobId: 'bad-v2', attempts: 3 });
        for (let i = 0; i < 150 && (await b.runtime.services.jobs.state('bad-v2')) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 100));
        const job = await Job.fromId(queue, 'bad-v2');
        expect(job?.failedReason).toMatch(/unreadable job data \(v: /);
        expect(job?.attemptsMade).toBe(1);
        expect(await b.runtime.services.jobs.data('bad-v2')).toBeUndefined();
        await b.send('rb2', 'credits');
        await b.outbox.waitFor(() => b.outbox.in('rb2').find((m) => m.text.startsWith('💳')), 15_000);
      } finally {
        await queue.close();
      }
    });

    it('a claim on a message that this version cannot read is taken over, not waited on forever', async () => {
      const msg = message('rb3', 'credits');
      await b.runtime.redis.set(new Keys(b.config.QUEUE_PREFIX).seen(jobIdFor(msg.platform, msg.conversationKey, msg.messageId)), 'pending:soon', 'EX', 600);
      expect((await b.runtime.ingress.accept(msg)).outcome).toBe('queued');
      await b.outbox.waitFor(() => b.outbox.in('rb3').find((m) => m.text.startsWith('💳')), 15_000);
    });
  });
});

describe('session and credential hashes', () => {
  const nemo = {} as NemoApi; // get() and credential() with a stored token never call Nemo
  it('reads a damaged optional field as unset, and a hash without a session id as no session', async () => {
    const keys = new Keys(prefix);
    const store = new SessionStore(file.redis, keys, nemo, { defaultLanguage: 'en' });
    await file.redis.hset(keys.session('c1'), { sessionId: 's-1', createdAt: 'yesterday', lastDeliveredAt: 'NaN', lastPrompt: 'p', taskId: '' });
    expect(await store.get('c1')).toEqual({ sessionId: 's-1', createdAt: 0, lang: 'en', lastPrompt: 'p' });
    await file.redis.hset(keys.session('c2'), { taskId: 't-2', createdAt: '5' });
    expect(await store.get('c2')).toBeUndefined();
    await file.redis.hset(keys.credential('c3'), { token: 'nmv_anon_x', anonymous: '1', clientId: 'cid' });
    expect((await store.credential('c3')).credential).toEqual({ token: 'nmv_anon_x', anonymous: true, clientId: 'cid' });
  });
});

describe('album parts', () => {
  it('skips a damaged part and merges the rest', async () => {
    const got: IncomingMessage[] = [];
    const albums = new AlbumBuffer({ redis: file.redis, prefix, logger: silentLogger, onAlbum: async (m) => void got.push(m), quietMs: 0 });
    const part = (id: string, text: string): IncomingMessage => ({
      ...message('alb', text, { messageId: id }),
      attachments: [{ name: `${id}.jpg`, source: { kind: 'platform', ref: `f-${id}` } }],
    });
    await albums.add('g1', { message: part('1', 'caption'), addressed: true });
    await file.redis.rpush(new Keys(prefix).platformGroupKey('telegram', 'albums', 'part:g1'), JSON.stringify({ message: { text: 1 }, addressed: true }), 'not json');
    await albums.add('g1', { message: part('2', ''), addressed: true });
    expect(await albums.sweep()).toBe(1);
    expect(got).toHaveLength(1);
    expect(got[0]!.attachments.map((a) => a.name)).toEqual(['1.jpg', '2.jpg']);
    expect(got[0]!.text).toBe('caption');
  });
});
