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
import { ConfigError, configSecrets, loadConfig, loadDotEnv, type Config } from './config.js';
import type { OutboxRegistry } from './core/outbox.js';
import { createLogger, registerSecret, type Logger } from './log.js';
import { enabledPlatforms, platforms } from './platforms/registry.js';
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
  const enabled = enabledPlatforms(config);
  for (const s of configSecrets(config)) registerSecret(s);
  for (const p of enabled) for (const s of p.secrets(config)) registerSecret(s);
  const log: Logger = createLogger({ level: config.LOG_LEVEL, name: `nemo-bot:${config.ROLE}` });

  // Every platform of the registry (src/platforms/registry.ts) that this config enables.
  const outboxes: OutboxRegistry = {};
  for (const p of enabled) outboxes[p.id] = p.createOutbox({ config, logger: log });
  if (!enabled.length) {
    const hints = platforms().flatMap((p) => (p.enableHint ? [p.enableHint] : []));
    log.warn(`no platform configured: set ${hints.join(' and/or ')} (or try \`npm run demo\`)`);
  }

  const runtime = await startRuntime({ config, logger: log, outboxes, runWorker: config.ROLE !== 'bot' });
  const bots: Stoppable[] = [];
  if (config.ROLE !== 'worker') {
    for (const p of enabled) bots.push(await p.start({ config, ingress: runtime.ingress, redis: runtime.redis, logger: log }));
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
    await runtime.close();
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
