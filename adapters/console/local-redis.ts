/**
 * Redis for the demo: use REDIS_URL when it answers; otherwise start a private throwaway
 * `redis-server` on a free port (nothing persisted), so the demo runs on a fresh machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';

export async function redisAnswers(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1500 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** A free TCP port on loopback (the one helper the demo, the tests and the benches share). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface LocalRedis {
  url: string;
  process?: ChildProcess;
  stop(): void;
}

/** Returns a usable Redis URL, or throws an Error whose message tells the user what to do. */
export async function ensureRedis(url: string): Promise<LocalRedis> {
  if (await redisAnswers(url)) return { url, stop: () => undefined };
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      `Redis does not answer at ${url} and no redis-server is installed.\n` +
        '  Install one (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis),\n' +
        '  or point REDIS_URL at a running Redis, then run `npm run demo` again.',
    );
  }
  return startRedisServer();
}

/**
 * Start a throwaway `redis-server` on a free loopback port (nothing persisted). Also used by the
 * benchmarks, so other clients of a shared Redis never show up in their command counts.
 */
export async function startRedisServer(extraArgs: string[] = []): Promise<LocalRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
  child.on('error', () => undefined);
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) break;
    if (await redisAnswers(privateUrl)) return { url: privateUrl, process: child, stop: () => child.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`could not start a private redis-server on port ${port}`);
}
