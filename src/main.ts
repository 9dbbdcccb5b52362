/**
 * `npm start`: one process of nemo-bot.
 *
 *   ROLE=all    adapters + worker in one process (small deployments)
 *   ROLE=bot    platform adapters only: receive, enqueue, acknowledge
 *   ROLE=worker queue jobs only: Nemo turns, renders, deliveries (posting through the outboxes)
 *
 * Any number of bot and worker processes may share one Redis. Platforms are enabled by their
 * tokens (TELEGRAM_BOT_TOKEN, DISCORD_TOKEN).
 */
import { Worker } from 'node:worker_threads';
import { startDiscordBot } from '../adapters/discord/index.js';
import { startTelegramBot } from '../adapters/telegram/index.js';
import { ConfigError, configSecrets, loadConfig, loadDotEnv, type Config } from './config.js';
import { createOutboxes } from './outboxes.js';
import { createLogger, registerSecret, type Logger } from './log.js';
import { startRuntime } from './runtime.js';

interface Stoppable {
  stop(): Promise<void>;
}

function configOrExit(): Config {
  loadDotEnv();
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  for (const s of configSecrets(config)) registerSecret(s);
  const log: Logger = createLogger({ level: config.LOG_LEVEL, name: `nemo-bot:${config.ROLE}` });

  const outboxes = createOutboxes(config, log);
  if (!Object.keys(outboxes).length) {
    log.warn('no platform configured: set TELEGRAM_BOT_TOKEN and/or DISCORD_TOKEN (or try `npm run demo`)');
  }

  // ROLE=all: the worker gets a thread (and an event loop) of its own unless WORKER_THREAD=false.
  const workerThread = config.ROLE === 'all' && config.WORKER_THREAD ? await startWorkerThread(log) : undefined;
  const runtime = await startRuntime({ config, logger: log, outboxes, runWorker: config.ROLE === 'worker' || (config.ROLE === 'all' && !workerThread) });
  const bots: Stoppable[] = [];
  if (config.ROLE !== 'worker') {
    if (config.TELEGRAM_BOT_TOKEN) bots.push(await startTelegramBot({ config, ingress: runtime.ingress, redis: runtime.redis, logger: log }));
    if (config.DISCORD_TOKEN) bots.push(await startDiscordBot({ config, ingress: runtime.ingress, redis: runtime.redis, logger: log }));
  }
  log.info({ role: config.ROLE, platforms: Object.keys(outboxes) }, 'nemo-bot started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    await Promise.allSettled(bots.map((b) => b.stop()));
    await workerThread?.stop();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
}

/** Start src/worker-thread.ts with this process's environment; resolves once it consumes jobs. */
async function startWorkerThread(log: Logger): Promise<{ stop(): Promise<void> }> {
  const workerData = { env: { ...process.env } };
  // Run from TypeScript (tsx), a thread does not inherit the loader: it registers tsx itself first.
  const worker = import.meta.url.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('./worker-thread.ts', import.meta.url).href)}); })`, { eval: true, workerData })
    : new Worker(new URL('./worker-thread.js', import.meta.url), { workerData });
  worker.on('error', (err) => {
    // A dead worker side must not leave a process that acknowledges but never delivers: exit, and let
    // the supervisor restart us (every job resumes from Redis).
    log.fatal({ err }, 'worker thread crashed; exiting');
    process.exit(1);
  });
  let stopping = false;
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`worker thread said ${String(m)}`))));
    worker.on('exit', (code) => {
      reject(new Error(`worker thread exited (${code}) before it was ready`));
      if (!stopping) {
        log.fatal({ code }, 'worker thread ended unexpectedly; exiting');
        process.exit(1);
      }
    });
  });
  return {
    async stop() {
      stopping = true;
      const stopped = new Promise<void>((resolve) => {
        worker.once('message', (m) => m === 'stopped' && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}

main().catch((err) => {
  console.error('nemo-bot failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
