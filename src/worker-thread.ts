/**
 * With ROLE=all, the worker runs here, in a thread of its own.
 *
 * Why: the bot side (receive, enqueue, acknowledge) and the worker side (thousands of turns, polls
 * and transfers) then have an event loop each. A burst that gives the worker seconds of work no
 * longer delays acknowledgements, and a second core is used. Crash semantics are unchanged: it is
 * one process, so a SIGKILL stops both, and every job resumes from Redis like after any crash.
 *
 * Protocol with the main thread: it posts `ready` once consuming; `metrics` and `running` are
 * answered with this thread's metrics and lane state; on `stop` it closes the runtime (running jobs
 * hand themselves back), posts `stopped` and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { configSecrets, loadConfig } from './platforms/config.js';
import { createLogger, registerSecret } from './log.js';
import { createOutboxes } from './outboxes.js';
import { Metrics } from './ops/metrics.js';
import { startRuntime } from './runtime.js';

const port = parentPort;
if (!port) throw new Error('src/worker-thread.ts runs as a worker thread (started by src/main.ts)');

const config = loadConfig((workerData as { env: NodeJS.ProcessEnv }).env);
for (const s of configSecrets(config)) registerSecret(s, { pinned: true });
const log = createLogger({ level: config.LOG_LEVEL, name: 'nemo-bot:worker-thread' });
const metrics = new Metrics();
const runtime = await startRuntime({ config, logger: log, outboxes: createOutboxes(config, log), runWorker: true, metrics });
port.on('message', (m: unknown) => {
  // The main thread's /metrics and /readyz ask for this thread's part.
  if (m === 'metrics') {
    void metrics.registry.getMetricsAsJSON().then((data) => port.postMessage({ metrics: data }));
    return;
  }
  if (m === 'running') {
    port.postMessage({ running: runtime.worker?.running() ?? false });
    return;
  }
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
