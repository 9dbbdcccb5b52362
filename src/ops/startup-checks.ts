/**
 * The checks `npm start` runs before it starts anything (STARTUP_CHECKS=false skips them). Each
 * misconfiguration that would only show later as silent loss or a crash loop gets one clear line,
 * and the process exits 1:
 *
 *   - a bot role (ROLE=all or bot) with no platform token at all (ROLE=worker needs none);
 *   - Redis unreachable, or with an evicting `maxmemory-policy` (jobs and locks would vanish);
 *   - NEMO_API_URL unreachable.
 *
 * `nemo-bot doctor` goes further (persistence, tokens, webhook, intents) and explains every fix.
 */
import type { Config } from '../config.js';
import { enabledPlatforms, enableHints } from '../platforms/registry.js';
import { reach } from './reach.js';
import { readRedisFacts, safeRedisUrl } from './redis-facts.js';

export async function startupProblems(config: Config): Promise<string[]> {
  const problems: string[] = [];
  if (config.ROLE !== 'worker' && enabledPlatforms(config).length === 0) {
    problems.push(`no platform token: set ${enableHints()} for ROLE=${config.ROLE} (ROLE=worker needs none; \`nemo-bot demo\` runs without any)`);
  }
  const [redis, nemo] = await Promise.all([readRedisFacts(config.REDIS_URL), reach(config.NEMO_API_URL)]);
  const where = safeRedisUrl(config.REDIS_URL);
  if (!redis.reachable) {
    problems.push(`Redis unreachable at ${where} (${redis.error}): start Redis or fix REDIS_URL`);
  } else if (redis.maxmemoryPolicy !== undefined && redis.maxmemoryPolicy !== 'noeviction') {
    problems.push(
      `Redis at ${where} evicts keys (maxmemory-policy ${redis.maxmemoryPolicy}): set maxmemory-policy noeviction, or queued jobs and their locks can vanish`,
    );
  }
  if (!nemo.ok) problems.push(`NEMO_API_URL ${config.NEMO_API_URL} is unreachable (${nemo.error}): check the URL and the network`);
  return problems;
}
