/**
 * Doctor: Redis. Reachable, a version BullMQ supports, `maxmemory-policy noeviction`, and persistence
 * (AOF; snapshots alone lose the jobs since the last one).
 */
import type { Config } from '../../config.js';
import { readRedisFacts, safeRedisUrl } from '../redis-facts.js';
import { fail, info, ok, warn, type Item } from './checklist.js';

const PERSIST_FIX = 'turn on AOF: `redis-cli CONFIG SET appendonly yes` now, and `appendonly yes` in redis.conf (the bundled docker-compose.yml does both)';

export async function checkRedis(config: Config): Promise<Item[]> {
  const where = safeRedisUrl(config.REDIS_URL);
  const facts = await readRedisFacts(config.REDIS_URL);
  if (!facts.reachable) {
    return [fail(`Redis does not answer at ${where} (${facts.error})`, 'start Redis (`docker compose up -d redis`, or `redis-server`) or fix REDIS_URL (redis://[:password@]host:port[/db])')];
  }
  const items: Item[] = [ok(`Redis answers at ${where}${facts.version ? ` (Redis ${facts.version})` : ''}`)];
  const [major = 0, minor = 0] = (facts.version ?? '').split('.').map(Number);
  if (facts.version && (major < 6 || (major === 6 && minor < 2))) {
    items.push(warn(`Redis ${facts.version} is older than 6.2, the oldest BullMQ recommends`, 'upgrade to Redis 7 (the compose file uses redis:7)'));
  }
  if (facts.cluster) items.push(info('Redis runs in cluster mode'));
  if (facts.maxmemoryPolicy === undefined) {
    items.push(warn('maxmemory-policy could not be read (CONFIG GET is not allowed here)', "make sure your provider's setting is noeviction: any other policy can drop queued jobs and their locks"));
  } else if (facts.maxmemoryPolicy !== 'noeviction') {
    items.push(fail(`maxmemory-policy is ${facts.maxmemoryPolicy}: Redis may evict queued jobs and their locks`, '`redis-cli CONFIG SET maxmemory-policy noeviction` now, and `maxmemory-policy noeviction` in redis.conf'));
  } else {
    items.push(ok('maxmemory-policy is noeviction'));
  }
  if (facts.appendonly === true) items.push(ok('persistence: AOF is on'));
  else if (facts.appendonly === undefined) items.push(warn('persistence could not be read (CONFIG GET is not allowed here)', "make sure your provider keeps data across restarts (AOF or replicas)"));
  else if (facts.save) items.push(warn(`persistence: RDB snapshots only (save ${facts.save}); jobs since the last snapshot are lost if Redis restarts`, PERSIST_FIX));
  else items.push(fail('persistence is off: a Redis restart loses every queued job and session', PERSIST_FIX));
  return items;
}
