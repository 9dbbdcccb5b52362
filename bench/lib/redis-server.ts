/**
 * A private redis-server for a benchmark run, so other clients of the shared Redis (tests running
 * beside the benchmark) do not show up in its command counts. Falls back to REDIS_URL when no
 * redis-server can be started.
 */
import { startRedisServer } from '../../adapters/console/local-redis.js';

export interface PrivateRedis {
  url: string;
  /** Whether this is a private server (false: the shared REDIS_URL). */
  private: boolean;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  try {
    const r = await startRedisServer(['--maxclients', '20000']);
    return {
      url: r.url,
      private: true,
      stop: async () => {
        const child = r.process!;
        const exited = new Promise((res) => (child.exitCode !== null ? res(null) : child.once('exit', res)));
        child.kill('SIGKILL');
        await exited;
      },
    };
  } catch {
    return { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', private: false, stop: async () => undefined };
  }
}
