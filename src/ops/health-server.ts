/**
 * The operations endpoint on HEALTH_PORT:
 *
 *   GET /healthz   200 while the process runs (liveness; the image's HEALTHCHECK)
 *   GET /readyz    200 when ready, 503 otherwise; JSON with one line per check (see readiness.ts)
 *   GET /metrics   Prometheus text format (see metrics.ts)
 *
 * It starts before anything else, so an orchestrator sees a live process that is not ready yet
 * while Redis and the platforms connect. A port already in use is logged and the process goes on
 * without it: several local processes (tests, benches, `ROLE=bot` next to `ROLE=worker`) may share
 * one default port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { Metrics } from './metrics.js';
import { runReadiness, type ReadinessCheck } from './readiness.js';

export interface HealthServer {
  /** The port it listens on, undefined when it could not listen. */
  readonly port: number | undefined;
  /** Replace the readiness checks (empty until the process has started). */
  setChecks(checks: ReadinessCheck[]): void;
  /** Report not ready from now on (shutdown has begun). */
  draining(): void;
  close(): Promise<void>;
}

export async function startHealthServer(opts: { port: number; host?: string; metrics: Metrics; logger: Logger }): Promise<HealthServer> {
  const { metrics, logger } = opts;
  let checks: ReadinessCheck[] = [];
  let stopping = false;

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return send(200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      if (stopping) return send(503, 'application/json', `${JSON.stringify({ ready: false, checks: { shutdown: { ok: false, detail: 'shutting down' } } })}\n`);
      void runReadiness(checks).then((r) => send(r.ready ? 200 : 503, 'application/json', `${JSON.stringify(r)}\n`));
      return;
    }
    if (path === '/metrics') {
      metrics.render().then(
        (text) => send(200, metrics.contentType, text),
        (err: unknown) => {
          logger.warn({ err }, 'metrics: collection failed');
          send(500, 'text/plain', 'metrics collection failed\n');
        },
      );
      return;
    }
    send(404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
  });
  server.keepAliveTimeout = 5_000;

  const port = await new Promise<number | undefined>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      logger.warn({ port: opts.port, code: err.code }, `health server: cannot listen on port ${opts.port} (${err.code ?? err.message}); /healthz, /readyz and /metrics are off in this process`);
      resolve(undefined);
    });
    server.listen({ port: opts.port, host: opts.host }, () => resolve((server.address() as AddressInfo).port));
  });
  if (port !== undefined) logger.info({ port }, 'health server listening: /healthz /readyz /metrics');

  return {
    port,
    setChecks(next) {
      checks = next;
    },
    draining() {
      stopping = true;
    },
    async close() {
      if (port === undefined) return;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
