/**
 * `npm run scale-test`: the Redis Cluster scale-out proof. A 3-node Redis Cluster from `redis-server`
 * on spare ports; 2 bot-role and 3 worker-role processes against it (each lane queue hash-tagged into
 * one slot); SCALE_CONVERSATIONS (default 50) conversations through the Nemo simulator and the fake
 * Telegram; one worker SIGKILLed midway. Every conversation must get its video exactly once. The same
 * run on one private Redis gives the wall-time baseline.
 */
import { startRedisCluster } from './lib/redis-cluster.js';
import { startPrivateRedis } from './lib/redis-server.js';
import { runScaleOut, type ScaleOutResult } from './lib/scale-out-run.js';

const N = Number(process.env.SCALE_CONVERSATIONS ?? 50);

async function main(): Promise<number> {
  const results: ScaleOutResult[] = [];
  const cluster = await startRedisCluster(3);
  try {
    results.push(await runScaleOut({ conversations: N, redisUrl: cluster.url, cluster: true, clusterPorts: cluster.ports }));
  } finally {
    await cluster.stop();
  }
  const single = await startPrivateRedis();
  try {
    results.push(await runScaleOut({ conversations: N, redisUrl: single.url, cluster: false }));
  } finally {
    await single.stop();
  }
  console.log('\nScale-out: 2 bot + 3 worker processes, one worker SIGKILLed midway');
  console.table(results.map((r) => ({ redis: r.redis, conversations: r.conversations, delivered: r.delivered, duplicates: r.duplicates, lost: r.lost, 'wall s': (r.wallMs / 1000).toFixed(1), 'worker killed': r.workerKilled, 'keys per node': r.keysPerNode?.join(' / ') ?? '' })));
  const [c, s] = results;
  if (c && s && s.wallMs > 0) console.log(`cluster wall time / single Redis wall time: ${(c.wallMs / s.wallMs).toFixed(2)}`);
  const ok = results.every((r) => r.delivered === r.conversations && r.duplicates === 0 && r.lost === 0 && r.workerKilled);
  console.log(ok ? 'PASS: every conversation got its video exactly once' : 'FAIL: see the table');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
