/**
 * `npm run demo`: the whole pipeline in one terminal, no accounts. The Nemo simulator (short but
 * realistic timings), a worker and the console adapter run in one process against REDIS_URL (or a
 * private throwaway redis-server). With NEMO_API_URL set it talks to that backend instead.
 *
 * Piped input works too: `printf '/sample\n' | npm run demo` runs the lines, waits for the work to
 * finish and exits.
 */
import { ConfigError, loadDotEnv } from '../../src/config.js';
import { loadConfig } from '../../src/platforms/config.js';
import { createLogger } from '../../src/log.js';
import { startRuntime } from '../../src/runtime.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';
import { ensureRedis } from './local-redis.js';
import { ConsoleOutbox } from './outbox.js';
import { runRepl } from './repl.js';

const DEMO_DEFAULTS: Record<string, string> = {
  STILL_WORKING_INTERVAL_MS: '10000',
  RENDER_POLL_INTERVAL_MS: '2000',
  PROGRESS_EDIT_INTERVAL_MS: '1000',
  LOG_LEVEL: 'warn',
  QUEUE_PREFIX: 'nemo-demo',
};

async function main(): Promise<number> {
  loadDotEnv();
  const out = process.stdout;
  const env: NodeJS.ProcessEnv = { ...DEMO_DEFAULTS, ...process.env };
  let redis;
  try {
    redis = await ensureRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  } catch (err) {
    console.error(`✖ ${(err as Error).message}`);
    return 1;
  }
  env.REDIS_URL = redis.url;
  let sim: NemoSim | undefined;
  if (!process.env.NEMO_API_URL) {
    // Realistic but short timings (override with SIM_TURN_MS / SIM_RENDER_STEP_MS).
    const turnMs = Number(process.env.SIM_TURN_MS ?? 6_000);
    sim = await startNemoSim({
      turnMs,
      turnMsMax: process.env.SIM_TURN_MS ? turnMs : 12_000,
      heartbeatMs: Math.min(1_500, Math.max(50, turnMs / 4)),
      editTurnMs: Math.min(1_500, turnMs),
      renderStepMs: Number(process.env.SIM_RENDER_STEP_MS ?? 2_500),
    });
    env.NEMO_API_URL = sim.url;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) console.error(err.message);
    else throw err;
    return 1;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, destination: process.stderr as never });
  const outbox = new ConsoleOutbox(out);
  const runtime = await startRuntime({ config, logger, outboxes: { console: outbox }, runWorker: true });

  out.write(
    `nemo-bot demo — ${sim ? 'Nemo simulator' : config.NEMO_API_URL}, Redis ${redis.process ? `(private, ${redis.url})` : redis.url}\n` +
      'Type a prompt, or try:\n  /sample turn this image into a 5-second animated video clip\n  /file <path> [caption]   export   credits   status   /new   /help   /quit\n',
  );
  await runRepl(runtime.ingress, outbox, process.stdin, out);
  // Input ended (EOF or /quit): let running work finish, then leave.
  await runtime.waitIdle();
  await runtime.close();
  await sim?.close();
  redis.stop();
  if (sim?.violations.length) {
    // The simulator is stricter than the contract: a violation is a bot bug, never silently ignored.
    for (const v of sim.violations) console.error(`✖ Nemo contract violation #${v.seq} ${v.endpoint} [${v.rule}] ${v.detail}`);
    return 2;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
