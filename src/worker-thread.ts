/**
 * With ROLE=all, the worker runs here, in a thread of its own.
 *
 * Why: the bot side (receive, enqueue, acknowledge) and the worker side (thousands of turns, polls
 * and transfers) then have an event loop each. A burst that gives the worker seconds of work no
 * longer delays acknowledgements, and a second core is used. Crash semantics are unchanged: it is
 * one process, so a SIGKILL stops both, and every job resumes from Redis like after any crash.
 *
 * Protocol with the main thread: it posts `ready` once consuming; on `stop` it closes the runtime
 * (running jobs hand themselves back), posts `stopped` and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { configSecrets, loadConfig } from './config.js';
import { createLogger, registerSecret } from './log.js';
import { createOutboxes } from './outboxes.js';
import { startRuntime } from './runtime.js';

const port = parentPort;
if (!port) throw new Error('src/worker-thread.ts runs as a worker thread (started by src/main.ts)');

const config = loadConfig((workerData as { env: NodeJS.ProcessEnv }).env);
for (const s of configSecrets(config)) registerSecret(s);
const log = createLogger({ level: config.LOG_LEVEL, name: 'nemo-bot:worker-thread' });
const runtime = await startRuntime({ config, logger: log, outboxes: createOutboxes(config, log), runWorker: true });
port.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  void runtime.close().then(
    () => port.postMessage('stopped'),
    (err: unknown) => {
      log.error({ err }, 'worker thread: close failed');
      port.postMessage('stopped');
    },
  );
});
port.postMessage('ready');
