/**
 * A redis-server of a test's own on a spare port, with the settings under test (eviction policy,
 * persistence). Its data directory is a fresh temp folder, removed on stop. `down` kills it (SIGKILL,
 * like a crash) and `up` starts it again on the same port and directory, so with AOF on
 * (`['--appendonly', 'yes', '--appendfsync', 'always']`) a restart keeps every write.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../adapters/console/local-redis.js';
export { freePort };

export interface OwnRedis {
  url: string;
  port: number;
  /** Kill the server (SIGKILL). */
  down(): Promise<void>;
  /** Start it again on the same port and data directory; resolves once it answers PING. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** Start `redis-server` with extra arguments (e.g. `['--maxmemory-policy', 'allkeys-lru']`). */
export async function startOwnRedis(args: string[] = []): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nemo-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const down = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  };
  const up = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      // While the AOF loads, PING answers -LOADING: wait until the data is back.
      const ok = await r.connect().then(() => r.ping()).then(() => true, () => false);
      r.disconnect();
      if (ok) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    await down();
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    await down();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await up();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { url, port, down, up, stop };
}
