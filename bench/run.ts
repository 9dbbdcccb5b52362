/**
 * `npm run bench`: enqueue throughput of the ingress (dedupe claim, intent routing, per-chat line,
 * BullMQ add, acknowledgement) against a baseline of bare BullMQ adds of the same job data, measured in
 * the same run against the same Redis. Figures are ratios, so they mean the same on any machine.
 *
 * BENCH_MESSAGES (default 2000) messages spread over BENCH_CHATS (default 200) chats.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { conversationKey, type IncomingMessage } from '../src/core/message.js';
import { silentLogger } from '../src/log.js';
import { QUEUE_NAMES } from '../src/queue/queue.js';
import { startRuntime } from '../src/runtime.js';
import { dropPrefix } from '../test/helpers/harness.js';
import { RecordingOutbox } from '../test/helpers/recording-outbox.js';

const N = Number(process.env.BENCH_MESSAGES ?? 2000);
const CHATS = Number(process.env.BENCH_CHATS ?? 200);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function msg(i: number): IncomingMessage {
  const chat = `chat${i % CHATS}`;
  return {
    platform: 'test', conversationKey: conversationKey('test', chat), chatId: chat, userId: 'u', userName: 'u',
    messageId: `m${i}`, text: `make a video of scene ${i}`, attachments: [], isDirect: true, mentionsBot: true, receivedAt: Date.now(),
  };
}

/** Run `fn` for every i with `concurrency` in flight; returns messages per second. */
async function rate(concurrency: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < N) await fn(next++);
  }));
  return N / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const base = `bench-${randomBytes(3).toString('hex')}`;
  // Baseline: bare BullMQ adds of comparable job data.
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const q = new Queue(QUEUE_NAMES.turn, { connection: conn, prefix: `${base}-raw` });
  const baseline = await rate(32, (i) => q.add('turn', { v: 1, kind: 'turn', conv: `test:chat${i % CHATS}`, prompt: `make a video of scene ${i}`, header: 'x', step: 'start' }, { jobId: `raw-${i}` }));
  await q.close();
  conn.disconnect();

  const config = loadConfig({ REDIS_URL, QUEUE_PREFIX: `${base}-ingress`, NEMO_API_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent' });
  const outbox = new RecordingOutbox();
  const runtime = await startRuntime({ config, logger: silentLogger, outboxes: { test: outbox }, runWorker: false });
  const ingress = await rate(32, (i) => runtime.ingress.accept(msg(i)));
  const dupes = await rate(32, (i) => runtime.ingress.accept(msg(i)));
  await runtime.close();
  await dropPrefix(`${base}-raw`);
  await dropPrefix(`${base}-ingress`);

  const rows = [
    ['bare BullMQ add (baseline)', baseline, 1],
    ['ingress accept (claim + line + add + ack)', ingress, ingress / baseline],
    ['ingress duplicate (already claimed)', dupes, dupes / baseline],
  ] as const;
  console.log(`\n${N} messages over ${CHATS} chats, 32 in flight, Redis ${REDIS_URL}\n`);
  for (const [name, perS, ratio] of rows) console.log(`${name.padEnd(44)} ${perS.toFixed(0).padStart(7)} msg/s   ${ratio.toFixed(2)}× baseline`);
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
