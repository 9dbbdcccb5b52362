/**
 * One process holding the simulator, a private Redis and a nemo-bot runtime (bot + worker, default
 * settings) posting to a NullOutbox: the set-up of the scheduling benchmarks.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/platforms/config.js';
import { conversationKey, type IngressResult } from '../../src/core/message.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startNemoSim, type NemoSim, type SimOptions } from '../../nemo-sim/index.js';
import { NullOutbox } from './null-outbox.js';
import { startPrivateRedis } from './redis-server.js';
import { dropPrefix } from '../../test/helpers/common.js';

const TOKEN = 'nmv_usr_inprocess_bench_token';

export interface InProcess {
  sim: NemoSim;
  runtime: Runtime;
  outbox: NullOutbox;
  send(chat: string, text: string): Promise<IngressResult>;
  openTurns(): number;
  close(): Promise<void>;
}

export async function startInProcess(sim: Partial<SimOptions>, env: Record<string, string> = {}): Promise<InProcess> {
  const redis = await startPrivateRedis();
  const s = await startNemoSim({ ...sim, staticTokens: { [TOKEN]: { credits: 1e12 } } });
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: prefix, NEMO_API_URL: s.url, NEMO_TOKEN: TOKEN, LOG_LEVEL: 'silent', ...env });
  const outbox = new NullOutbox();
  const runtime = await startRuntime({ config, logger: silentLogger, outboxes: { test: outbox }, runWorker: true });
  let seq = 0;
  return {
    sim: s,
    runtime,
    outbox,
    send: (chat, text) =>
      runtime.ingress.accept({
        platform: 'test', conversationKey: conversationKey('test', chat), chatId: chat, userId: `u-${chat}`, userName: 'u',
        messageId: `m${++seq}`, text, attachments: [], isDirect: true, mentionsBot: true, receivedAt: Date.now(),
      }),
    openTurns() {
      let n = 0;
      for (const x of s.sessions.values()) n += x.activeTurns;
      return n;
    },
    async close() {
      await runtime.close();
      const violations = s.violations.length;
      await s.close();
      if (redis.private) await redis.stop();
      else await dropPrefix(prefix);
      if (violations) throw new Error(`the simulator recorded ${violations} contract violations`);
    },
  };
}

const promptOf = (body: unknown) => (body as { new_message?: { parts?: { text?: string }[] } }).new_message?.parts?.[0]?.text ?? '';

/** The session a conversation used, found by a tag in its prompt. */
export function sessionOfTag(sim: NemoSim, tag: string): string | undefined {
  return sim.requestsTo('run_sse').find((r) => promptOf(r.body).includes(tag))?.sessionId;
}
