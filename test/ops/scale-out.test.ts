/**
 * The Redis Cluster scale-out proof, small: a 3-node cluster from redis-server, 2 bot-role and 3
 * worker-role processes, 10 conversations, one worker SIGKILLed midway. Every conversation gets its
 * video exactly once, and the run's keys spread over every node. `npm run scale-test` is the full run
 * (50 conversations, compared with one Redis).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../../bench/lib/redis-cluster.js';
import { runScaleOut } from '../../bench/lib/scale-out-run.js';

describe('scale-out on a Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('delivers every conversation exactly once with a worker killed midway', async () => {
    const r = await runScaleOut({ conversations: 10, redisUrl: cluster.url, cluster: true, clusterPorts: cluster.ports });
    expect(r.lostTrail).toEqual([]);
    expect(r).toMatchObject({ conversations: 10, delivered: 10, duplicates: 0, lost: 0, workerKilled: true });
    expect(r.keysPerNode).toHaveLength(3);
    for (const n of r.keysPerNode!) expect(n).toBeGreaterThan(0);
  }, 240_000);
});
