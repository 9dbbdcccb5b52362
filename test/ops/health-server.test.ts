/**
 * The health server on a real port: /readyz explains a failing check with 503 (an unreachable Redis,
 * a stopped worker), reports not ready once shutdown begins, and a port already in use is logged and
 * skipped instead of stopping the process.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startHealthServer, type HealthServer } from '../../src/ops/health-server.js';
import { Metrics } from '../../src/ops/metrics.js';
import { redisCheck, workerCheck } from '../../src/ops/readiness.js';
import { get } from '../helpers/child.js';
import { REDIS_URL } from '../helpers/common.js';
import { freePort } from '../helpers/redis-server.js';

const servers: HealthServer[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const c of clients.splice(0)) c.disconnect();
});

function logLines(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (l: string) => lines.push(l) } as never });
  return { logger, lines };
}

describe('health server', () => {
  it('answers 200 while every check passes and 503 with the failing check explained', async () => {
    const up = new Redis(REDIS_URL);
    const down = new Redis(`redis://127.0.0.1:${await freePort()}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => undefined);
    clients.push(up, down);
    await up.ping();
    let workerRunning = true;
    const health = await startHealthServer({ port: 0, host: '127.0.0.1', metrics: new Metrics(), logger: logLines().logger });
    servers.push(health);
    const url = `http://127.0.0.1:${health.port}`;

    const before = await get(`${url}/readyz`);
    expect(before?.status).toBe(503); // nothing registered yet: still starting
    expect(JSON.parse(before!.body)).toEqual({ ready: false, checks: { startup: { ok: false, detail: 'still starting' } } });

    health.setChecks([redisCheck(up), workerCheck(() => workerRunning)]);
    const ok = await get(`${url}/readyz`);
    expect(ok?.status).toBe(200);
    expect(JSON.parse(ok!.body)).toEqual({ ready: true, checks: { redis: { ok: true, detail: 'answers PING' }, worker: { ok: true, detail: 'every lane is consuming' } } });

    workerRunning = false;
    health.setChecks([redisCheck(down), workerCheck(() => workerRunning)]);
    const bad = await get(`${url}/readyz`);
    expect(bad?.status).toBe(503);
    const report = JSON.parse(bad!.body) as { checks: Record<string, { ok: boolean; detail: string }> };
    expect(report.checks.redis).toEqual({ ok: false, detail: 'connection wait' });
    expect(report.checks.worker).toEqual({ ok: false, detail: 'a lane worker is not running' });
    expect((await get(`${url}/healthz`))?.status).toBe(200); // alive all the same

    health.draining();
    expect((await get(`${url}/readyz`))?.status).toBe(503);
  });

  it('logs a port in use and goes on without the endpoints', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, r));
    const port = (taken.address() as AddressInfo).port;
    const { logger, lines } = logLines();
    try {
      const health = await startHealthServer({ port, metrics: new Metrics(), logger });
      servers.push(health);
      expect(health.port).toBeUndefined();
      expect(lines.join('')).toContain(`cannot listen on port ${port} (EADDRINUSE)`);
    } finally {
      taken.close();
    }
  });
});
