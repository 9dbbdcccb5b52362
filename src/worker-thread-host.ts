/**
 * The main thread's side of the ROLE=all worker thread (see worker-thread.ts): start it, ask it for
 * its metrics and lane state, and stop it.
 */
import { Worker } from 'node:worker_threads';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Logger } from './log.js';

export interface WorkerThread {
  /** The thread's metrics, merged into this process's /metrics. */
  metrics(): Promise<MetricObjectWithValues<MetricValue<string>>[]>;
  /** Whether every lane in the thread is consuming (cached from the last answer, for /readyz). */
  running(): boolean;
  stop(): Promise<void>;
}

/** Start the worker thread with this process's environment; resolves once it consumes jobs. */
export async function startWorkerThread(log: Logger): Promise<WorkerThread> {
  const workerData = { env: { ...process.env } };
  const entry = new URL(`./worker-thread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  // Run from TypeScript (tsx), a thread does not inherit the loader: it registers tsx itself first.
  const worker = entry.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, workerData })
    : new Worker(entry, { workerData });
  let stopping = false;
  let alive = true;
  let lanesRunning = true;
  worker.on('error', (err) => {
    // A dead worker side must not leave a process that acknowledges but never delivers: exit, and let
    // the supervisor restart us (every job resumes from Redis).
    log.fatal({ err }, 'worker thread crashed; exiting');
    process.exit(1);
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`worker thread said ${String(m)}`))));
    worker.on('exit', (code) => {
      alive = false;
      reject(new Error(`worker thread exited (${code}) before it was ready`));
      if (!stopping) {
        log.fatal({ code }, 'worker thread ended unexpectedly; exiting');
        process.exit(1);
      }
    });
  });
  const ask = <T>(what: 'metrics' | 'running'): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.off('message', onMessage);
        reject(new Error(`worker thread did not answer "${what}"`));
      }, 5_000);
      const onMessage = (m: Record<string, unknown>) => {
        if (!m || typeof m !== 'object' || !(what in m)) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(m[what] as T);
      };
      worker.on('message', onMessage);
      worker.postMessage(what);
    });
  const refresh = setInterval(() => {
    ask<boolean>('running').then((r) => (lanesRunning = r), () => (lanesRunning = false));
  }, 5_000);
  refresh.unref();
  return {
    metrics: () => ask('metrics'),
    running: () => alive && lanesRunning,
    async stop() {
      stopping = true;
      clearInterval(refresh);
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (m) => m === 'stopped' && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
}
