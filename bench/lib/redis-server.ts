/**
 * A private redis-server for a benchmark run, so other clients of the shared Redis (tests running
 * beside the benchmark) do not show up in its command counts. Falls back to REDIS_URL when the
 * redis-server binary is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { sleep } from './processes.js';

export interface PrivateRedis {
  url: string;
  /** Whether this is a private server (false: the shared REDIS_URL). */
  private: boolean;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const shared = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', private: false, stop: async () => undefined };
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxclients', '20000'], { stdio: 'ignore' });
  } catch {
    return shared;
  }
  const failed = new Promise<boolean>((r) => child.once('error', () => r(true)));
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (await Promise.race([failed, sleep(100).then(() => false)])) return shared;
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const ok = await r.connect().then(() => r.ping()).then(() => true, () => false);
    r.disconnect();
    if (ok) {
      return {
        url,
        private: true,
        stop: async () => {
          child.kill('SIGKILL');
          await new Promise((res) => (child.exitCode !== null ? res(null) : child.once('exit', res)));
        },
      };
    }
  }
  child.kill('SIGKILL');
  return shared;
}
