/**
 * Readiness: what `/readyz` checks. Redis must answer; a worker process must be consuming its lanes;
 * a bot process must have its platforms started (a standby poller or shard holder counts: it takes
 * over within seconds). Each check reports one short line, so `curl /readyz` explains itself.
 */
import type { Redis } from 'ioredis';

export interface CheckResult {
  ok: boolean;
  detail: string;
}

export interface ReadinessCheck {
  name: string;
  run(): Promise<CheckResult> | CheckResult;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

const CHECK_TIMEOUT_MS = 2_000;

/** Run every check at once, each bounded by a timeout; ready when every one passes (and there is one). */
export async function runReadiness(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c): Promise<[string, CheckResult]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<CheckResult>((r) => {
        timer = setTimeout(() => r({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
      });
      try {
        return [c.name, await Promise.race([Promise.resolve().then(() => c.run()), timeout])];
      } catch (err) {
        return [c.name, { ok: false, detail: err instanceof Error ? err.message : String(err) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const report = Object.fromEntries(results);
  if (!results.length) return { ready: false, checks: { startup: { ok: false, detail: 'still starting' } } };
  return { ready: results.every(([, r]) => r.ok), checks: report };
}

export function redisCheck(redis: Redis): ReadinessCheck {
  return {
    name: 'redis',
    async run() {
      if (redis.status !== 'ready') return { ok: false, detail: `connection ${redis.status}` };
      const pong = await redis.ping();
      return { ok: pong === 'PONG', detail: pong === 'PONG' ? 'answers PING' : `unexpected answer ${pong}` };
    },
  };
}

export function workerCheck(running: () => boolean): ReadinessCheck {
  return {
    name: 'worker',
    run: () => (running() ? { ok: true, detail: 'every lane is consuming' } : { ok: false, detail: 'a lane worker is not running' }),
  };
}
