/**
 * A redis-server of a test's own on a spare port, with the settings under test (eviction policy,
 * persistence). Its data directory is a fresh temp folder, removed on stop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../adapters/console/local-redis.js';
export { freePort };

export interface OwnRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Start `redis-server` with extra arguments (e.g. `['--maxmemory-policy', 'allkeys-lru']`). */
export async function startOwnRedis(args: string[] = []): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nemo-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    const ok = await r.connect().then(() => r.ping()).then(() => true, () => false);
    r.disconnect();
    if (ok) return { url, port, stop };
    await new Promise((res) => setTimeout(res, 50));
  }
  await stop();
  throw new Error(`redis-server did not start on port ${port}`);
}
