/**
 * Wires the core together for one process: Redis, the queue, the ingress (bot side) and, when this
 * process runs jobs, the worker. Adapters and `main.ts` build on it; tests start it in-process.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { ButtonStore } from './core/buttons.js';
import { Ingress } from './core/ingress.js';
import { Inbox } from './core/inbox.js';
import { Keys } from './core/keys.js';
import type { ConversationIngress } from './core/message.js';
import type { OutboxRegistry } from './core/outbox.js';
import { pacedOutbox } from './core/edit-pacer.js';
import type { CoreServices } from './core/services.js';
import { SessionStore } from './core/sessions.js';
import { silentLogger, type Logger } from './log.js';
import { NemoClient, nemoClientOptionsFromConfig } from './nemo/client.js';
import type { NemoApi } from './nemo/types.js';
import { ConversationLine } from './core/line.js';
import { BullJobQueue } from './queue/bullmq-job-queue.js';
import { connectRedis, createLaneQueues } from './queue/queue.js';
import { TurnGate } from './core/turn-gate.js';
import { UserShares } from './core/fair-shares.js';
import { UserRate } from './core/rate-limit.js';
import { CosmeticBudget } from './core/cosmetic-budget.js';
import { startConversationWorker, type ConversationWorker } from './queue/worker.js';
import { Metrics } from './ops/metrics.js';
import { instrumentNemo } from './ops/instrument-nemo.js';
import { instrumentOutboxes } from './ops/instrument-outbox.js';
import { instrumentIngress } from './ops/instrument-ingress.js';
import { instrumentWorkers, queueCountSource } from './ops/instrument-worker.js';

export interface RuntimeOptions {
  config: Config;
  logger?: Logger;
  /** Platforms this process can post to. */
  outboxes: OutboxRegistry;
  /** Run queue jobs in this process (ROLE=all|worker). */
  runWorker: boolean;
  /** Defaults to the real HTTP client built from config. */
  nemo?: NemoApi;
  /** Where this runtime's metrics go (a registry of its own when absent). */
  metrics?: Metrics;
}

export interface Runtime {
  ingress: ConversationIngress;
  /** The ingress's inbox (messages kept for a retry). */
  inbox: Inbox;
  redis: Redis;
  services: CoreServices;
  metrics: Metrics;
  /** The lane workers, when this process runs jobs (readiness: `worker.running()`). */
  worker: ConversationWorker | undefined;
  /** Resolves once no job is running, waiting or delayed (the demo's exit after piped input). */
  waitIdle(pollMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const { config } = opts;
  const log = opts.logger ?? silentLogger;
  const metrics = opts.metrics ?? new Metrics();
  const instrumented = instrumentOutboxes(opts.outboxes, metrics);
  // Connection errors (Redis down, reconnecting) go to the log, not to stderr as unhandled events.
  const watch = (conn: Redis, name: string) => conn.on('error', (err: Error) => log.warn({ err, connection: name }, 'redis connection error'));
  const redis = watch(connectRedis(config, 'commands', { autoPipelining: true }), 'commands');
  const queueConn = watch(connectRedis(config, 'commands'), 'queue');
  const keys = new Keys(config.QUEUE_PREFIX);
  const queues = createLaneQueues(config, queueConn);
  for (const [lane, q] of Object.entries(queues)) q.on('error', (err: Error) => log.warn({ err, lane }, 'queue error'));
  const nemo = instrumentNemo(opts.nemo ?? new NemoClient(nemoClientOptionsFromConfig(config, log)), metrics, config.NEMO_TOKEN);
  metrics.addQueueSource(queueCountSource(queues));
  const sessions = new SessionStore(redis, keys, nemo, { nemoToken: config.NEMO_TOKEN, defaultLanguage: config.NEMO_LANGUAGE });
  const buttons = new ButtonStore(redis, keys);
  const jobs = new BullJobQueue(queues);
  const gate = new TurnGate(redis, keys, config.NEMO_TOKEN, config.NEMO_TOKEN_MAX_TURNS);
  const shares = new UserShares(redis, keys, jobs);
  const line = new ConversationLine(redis, keys, jobs);
  // Every edit the core makes goes through one pacer per platform, at the rate its adapter states.
  const outboxes: OutboxRegistry = Object.fromEntries(
    Object.entries(instrumented).map(([platform, outbox]) => [platform, outbox && pacedOutbox(outbox, (err, message) => log.debug({ err, message, platform }, 'scheduled edit failed'))]),
  );
  const tempDir = path.join(config.TEMP_DIR ?? os.tmpdir(), 'nemo-bot');
  mkdirSync(tempDir, { recursive: true });
  const services: CoreServices = { config, redis, keys, nemo, sessions, buttons, line, jobs, gate, shares, cosmetic: new CosmeticBudget(config.COSMETIC_UPDATES_PER_SEC), outboxes, log, tempDir };
  // Every message goes through the inbox, so one the ingress cannot take yet is kept and retried.
  const inbox = new Inbox({
    inner: new Ingress({ config, redis, keys, queue: jobs, line, shares, rate: new UserRate(redis, keys, config.USER_MESSAGES_PER_MINUTE), buttons, sessions, outboxes, log }),
    redis,
    keys,
    outboxes,
    log,
    defaultLanguage: config.NEMO_LANGUAGE,
    replayAfterMs: config.INBOX_REPLAY_AFTER_MS,
  });
  inbox.start();
  const ingress = instrumentIngress(inbox, metrics);

  let worker: ConversationWorker | undefined;
  let workerConn: Redis | undefined;
  if (opts.runWorker) {
    workerConn = watch(connectRedis(config, 'blocking'), 'worker');
    worker = startConversationWorker(services, workerConn, queues);
    instrumentWorkers(worker.workers, metrics);
  }
  return {
    ingress,
    inbox,
    redis,
    services,
    metrics,
    worker,
    async waitIdle(pollMs = 500) {
      for (;;) {
        if ((await jobs.pending()) === 0) return;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    async close() {
      await inbox.stop();
      await worker?.close();
      await Promise.all(Object.values(queues).map((q) => q.close()));
      workerConn?.disconnect();
      queueConn.disconnect();
      redis.disconnect();
    },
  };
}
