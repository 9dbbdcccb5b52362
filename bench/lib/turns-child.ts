/**
 * The measured process of the concurrent-turns benchmark (bench/turns.ts), in one of two modes:
 *
 *   baseline  bare undici + eventsource-parser: N POST /run_sse streams, events counted, nothing else
 *   product   the nemo-bot worker (startRuntime, default settings) running N chat turns
 *
 * The parent hosts the simulator, waits until N streams are open, then asks over IPC for a
 * measurement window: RSS, CPU, event-loop delay p99 and Redis commands per second.
 */
import { setMaxListeners } from 'node:events';
import { writeHeapSnapshot } from 'node:v8';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { loadConfig } from '../../src/platforms/config.js';
import { conversationKey } from '../../src/core/message.js';
import { silentLogger } from '../../src/log.js';
import { NemoClient, nemoClientOptionsFromConfig } from '../../src/nemo/client.js';
import { baseHeaders } from '../../src/nemo/http.js';
import { startRuntime } from '../../src/runtime.js';
import { NullOutbox } from './null-outbox.js';

const env = process.env;
const MODE = env.BENCH_MODE as 'baseline' | 'product';
const N = Number(env.BENCH_N);
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const send = (m: unknown) => process.send!(m);

async function redisCommands(r: Redis): Promise<number> {
  const info = await r.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

async function startBaseline(): Promise<() => Promise<void>> {
  const config = loadConfig({ NEMO_API_URL: env.NEMO_API_URL!, NEMO_TOKEN: env.NEMO_TOKEN!, LOG_LEVEL: 'silent' });
  const client = new NemoClient(nemoClientOptionsFromConfig(config));
  const auth = { credential: { token: env.NEMO_TOKEN!, anonymous: false } };
  let events = 0;
  const sessions: string[] = [];
  // Setup, not measured: one session per stream.
  for (let i = 0; i < N; i += 200) {
    const batch = await Promise.all(Array.from({ length: Math.min(200, N - i) }, () => client.createSession(auth, { language: 'en' })));
    sessions.push(...batch.map((s) => s.sessionId));
  }
  const skill = { source: config.NEMO_SKILL_SOURCE, version: config.NEMO_SKILL_VERSION, platform: config.NEMO_SKILL_PLATFORM };
  const headers = { ...baseHeaders(skill, env.NEMO_TOKEN), accept: 'text/event-stream', 'content-type': 'application/json' };
  const ctrl = new AbortController();
  setMaxListeners(0, ctrl.signal); // one signal for all N streams
  // A stream refused under the connect burst (listen backlog) is opened again, as a client would.
  const open = (i: number, sessionId: string, triesLeft: number): void => {
    request(`${env.NEMO_API_URL}/run_sse`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ app_name: 'nemo_agent', user_id: 'me', session_id: sessionId, new_message: { parts: [{ text: `hello, let us chat about topic ${i}` }] } }),
      signal: ctrl.signal,
      headersTimeout: 0,
      bodyTimeout: 0,
    }).then(async (res) => {
      const parser = createParser({ onEvent: () => void events++ });
      const dec = new TextDecoder();
      for await (const chunk of res.body) parser.feed(dec.decode(chunk as Buffer, { stream: true }));
    }).catch(() => {
      if (!ctrl.signal.aborted && triesLeft > 0) setTimeout(() => open(i, sessionId, triesLeft - 1), 1_000);
    });
  };
  for (const [i, sessionId] of sessions.entries()) {
    open(i, sessionId, 5);
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
  return async () => ctrl.abort();
}

async function startProduct(): Promise<() => Promise<void>> {
  const config = loadConfig({ REDIS_URL, QUEUE_PREFIX: env.QUEUE_PREFIX!, NEMO_API_URL: env.NEMO_API_URL!, NEMO_TOKEN: env.NEMO_TOKEN!, LOG_LEVEL: 'silent' });
  const outbox = new NullOutbox();
  const runtime = await startRuntime({ config, logger: silentLogger, outboxes: { test: outbox }, runWorker: true });
  for (let i = 0; i < N; i++) {
    const chat = `c${i}`;
    await runtime.ingress.accept({
      platform: 'test', conversationKey: conversationKey('test', chat), chatId: chat, userId: `u${i}`, userName: 'u',
      messageId: `m${i}`, text: `hello, let us chat about topic ${i}`, attachments: [], isDirect: true, mentionsBot: true, receivedAt: Date.now(),
    });
  }
  return async () => runtime.close();
}

const idleRss = process.memoryUsage().rss;
const stop = MODE === 'baseline' ? await startBaseline() : await startProduct();
const redis = new Redis(REDIS_URL);
/** The histogram records whole intervals between samples; the delay is what exceeds the interval. */
const LOOP_RESOLUTION_MS = 10;
const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
let window: { cpu: NodeJS.CpuUsage; at: number; cmds: number } | undefined;
/** Garbage-collection pauses inside the window: the usual cause of a long event-loop delay. */
const gc = { maxMs: 0, totalMs: 0 };
new PerformanceObserver((list) => {
  if (!window) return;
  for (const e of list.getEntries()) {
    gc.maxMs = Math.max(gc.maxMs, e.duration);
    gc.totalMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

process.on('message', (m: { cmd: string }) => {
  void (async () => {
    if (m.cmd === 'start') {
      loop.reset();
      loop.enable();
      gc.maxMs = 0;
      gc.totalMs = 0;
      window = { cpu: process.cpuUsage(), at: Date.now(), cmds: await redisCommands(redis) };
      send({ ok: 'started' });
    } else if (m.cmd === 'end' && window) {
      loop.disable();
      // TURNS_HEAP_SNAPSHOT_DIR: where a target is missed, the snapshot says what each turn holds.
      if (env.TURNS_HEAP_SNAPSHOT_DIR) writeHeapSnapshot(`${env.TURNS_HEAP_SNAPSHOT_DIR}/turns-${MODE}-${N}.heapsnapshot`);
      const cpu = process.cpuUsage(window.cpu);
      const ms = Date.now() - window.at;
      const cmds = (await redisCommands(redis)) - window.cmds;
      send({
        ok: 'result',
        rss: process.memoryUsage().rss,
        idleRss,
        cpuMs: (cpu.user + cpu.system) / 1000,
        windowMs: ms,
        loopP99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
        redisPerSec: MODE === 'product' ? (cmds / ms) * 1000 : 0,
        gcMaxMs: gc.maxMs,
        gcTotalMs: gc.totalMs,
        heapUsed: process.memoryUsage().heapUsed,
      });
    } else if (m.cmd === 'stop') {
      await stop().catch(() => undefined);
      redis.disconnect();
      process.exit(0);
    }
  })();
});
send({ ok: 'ready' });
