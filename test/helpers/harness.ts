/**
 * A core test bench: the Nemo simulator on loopback, real Redis with a key prefix of its own, the
 * runtime (ingress + worker) and a recording outbox for the platform 'test'.
 */
import { type Config } from '../../src/config.js';
import { loadConfig } from '../../src/platforms/config.js';
import { conversationKey, type Attachment, type IncomingMessage } from '../../src/core/message.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startNemoSim, type NemoSim, type SimOptions } from '../../nemo-sim/index.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from './common.js';
import { RecordingOutbox } from './recording-outbox.js';
import { registerPlatform } from '../../src/platforms/registry.js';

/** The core tests' platform: messages made by `message()`, answers recorded by a RecordingOutbox. */
registerPlatform({
  id: 'test',
  enabled: () => false,
  secrets: () => [],
  createOutbox: () => new RecordingOutbox(),
  start: async () => ({ stop: async () => undefined }),
});

export { dropPrefix, REDIS_URL, uniquePrefix };

/** Fast timings so a whole generation + export takes about a second. */
export function testEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    STILL_WORKING_INTERVAL_MS: '300',
    RENDER_POLL_INTERVAL_MS: '100',
    TURN_RECOVERY_FIRST_MS: '200',
    TURN_RECOVERY_INTERVAL_MS: '200',
    SILENT_TURN_RECHECK_MS: '100',
    PROGRESS_EDIT_INTERVAL_MS: '0',
    NEMO_RATE_LIMIT_RETRY_MS: '50',
    JOB_LOCK_DURATION_MS: '2000',
    JOB_STALLED_INTERVAL_MS: '500',
    LOG_LEVEL: 'silent',
    HEALTH_PORT: '0',
    // Core tests send many messages as one user; the abuse test sets its own rate.
    USER_MESSAGES_PER_MINUTE: '100000',
    // The same thumbnails whether or not this machine has ffmpeg (test/telegram/thumbnail.test.ts sets its own).
    FFMPEG_PATH: 'off',
    ...extra,
  };
}

export interface Bench {
  sim: NemoSim;
  config: Config;
  outbox: RecordingOutbox;
  runtime: Runtime;
  send(chat: string, text: string, extra?: Partial<IncomingMessage>): ReturnType<Runtime['ingress']['accept']>;
  /** Stops everything; throws when the simulator recorded a contract violation. */
  close(): Promise<void>;
}

let messageSeq = 0;

export function message(chat: string, text: string, extra: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    platform: 'test',
    conversationKey: conversationKey('test', chat),
    chatId: chat,
    userId: 'u1',
    userName: 'Tester',
    messageId: `msg-${++messageSeq}-${Date.now()}`,
    text,
    attachments: [],
    isDirect: true,
    mentionsBot: false,
    receivedAt: Date.now(),
    ...extra,
  };
}

export function fileAttachment(path: string, name: string, sizeBytes?: number): Attachment {
  return { name, sizeBytes, source: { kind: 'path', path } };
}

export async function startBench(name: string, opts: { sim?: Partial<SimOptions>; env?: Record<string, string>; runWorker?: boolean } = {}): Promise<Bench> {
  // Many conversations share one loopback address here, so the per-address token quota is raised.
  const sim = await startNemoSim({ turnMs: 300, heartbeatMs: 40, renderStepMs: 80, editTurnMs: 60, anonymousTokensPerAddress: 200, ...opts.sim });
  const prefix = uniquePrefix(name);
  const config = loadConfig(testEnv(prefix, { NEMO_API_URL: sim.url, ...opts.env }));
  const outbox = new RecordingOutbox();
  // BENCH_LOG=1 shows the runtime's warnings and errors (debugging a failing test).
  const runtime = await startRuntime({ config, logger: process.env.BENCH_LOG ? createLogger({ level: 'warn' }) : silentLogger, outboxes: { test: outbox }, runWorker: opts.runWorker ?? true });
  return {
    sim,
    config,
    outbox,
    runtime,
    send: (chat, text, extra) => runtime.ingress.accept(message(chat, text, extra)),
    /** Stops everything, then fails the test file if the bot broke the Nemo contract anywhere. */
    async close() {
      await runtime.close();
      await sim.close();
      await dropPrefix(prefix);
      sim.assertNoViolations();
    },
  };
}
