/**
 * `npm start`: one process of nemo-bot.
 *
 *   ROLE=all    adapters + worker in one process (small deployments)
 *   ROLE=bot    platform adapters only: receive, enqueue, acknowledge
 *   ROLE=worker queue jobs only: Nemo turns, renders, deliveries (posting through the outboxes)
 *
 * Any number of bot and worker processes may share one Redis. Platforms come from the registry
 * (src/platforms/registry.ts), each enabled by its own config (TELEGRAM_BOT_TOKEN, DISCORD_TOKEN).
 */
import { ConfigError, loadDotEnv, type Config } from './config.js';
import { configSecrets, loadConfig } from './platforms/config.js';
import { createOutboxes } from './outboxes.js';
import { createLogger, registerSecret, type Logger } from './log.js';
import { startHealthServer, type HealthServer } from './ops/health-server.js';
import { Metrics } from './ops/metrics.js';
import { redisCheck, workerCheck, type ReadinessCheck } from './ops/readiness.js';
import { startupProblems } from './ops/startup-checks.js';
import { enabledPlatforms, enableHints } from './platforms/registry.js';
import { startRuntime } from './runtime.js';
import { startWorkerThread } from './worker-thread-host.js';

/** Longest a graceful stop may take before the process gives up (exit 1); the compose grace period is longer. */
const SHUTDOWN_GRACE_MS = 20_000;

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
  const enabled = enabledPlatforms(config);
  for (const s of configSecrets(config)) registerSecret(s, { pinned: true }); // NEMO_TOKEN and every platform's secrets
  const log: Logger = createLogger({ level: config.LOG_LEVEL, name: `nemo-bot:${config.ROLE}` });
  if (config.STARTUP_CHECKS) {
    const problems = await startupProblems(config);
    if (problems.length) {
      for (const p of problems) console.error(`nemo-bot: ${p}`);
      process.exit(1);
    }
  }
  const metrics = new Metrics({ processMetrics: true });
  const health: HealthServer | undefined = config.HEALTH_PORT ? await startHealthServer({ port: config.HEALTH_PORT, metrics, logger: log }) : undefined;

  // Every platform of the registry (src/platforms/registry.ts) that this config enables.
  const outboxes = createOutboxes(config, log);
  if (!enabled.length) {
    log.warn(`no platform configured: set ${enableHints()} (or try \`npm run demo\`)`);
  }

  // ROLE=all: the worker gets a thread (and an event loop) of its own unless WORKER_THREAD=false.
  const workerThread = config.ROLE === 'all' && config.WORKER_THREAD ? await startWorkerThread(log) : undefined;
  if (workerThread) metrics.addRemote(() => workerThread.metrics());
  const runtime = await startRuntime({ config, logger: log, outboxes, runWorker: config.ROLE === 'worker' || (config.ROLE === 'all' && !workerThread), metrics });
  const bots: Stoppable[] = [];
  const checks: ReadinessCheck[] = [redisCheck(runtime.redis)];
  if (runtime.worker) checks.push(workerCheck(runtime.worker.running));
  if (workerThread) checks.push(workerCheck(workerThread.running));
  if (config.ROLE !== 'worker') {
    for (const p of enabled) {
      const connection = await p.start({ config, ingress: runtime.ingress, redis: runtime.redis, logger: log });
      bots.push(connection);
      checks.push({ name: p.id, run: () => connection.readiness?.() ?? { ok: true, detail: 'started' } });
    }
  }
  health?.setChecks(checks);
  log.info({ role: config.ROLE, platforms: Object.keys(outboxes) }, 'nemo-bot started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    health?.draining();
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    await Promise.allSettled(bots.map((b) => b.stop()));
    await workerThread?.stop();
    await runtime.close();
    await health?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
}

main().catch((err) => {
  console.error('nemo-bot failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
