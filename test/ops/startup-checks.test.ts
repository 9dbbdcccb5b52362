/**
 * `npm start`'s start-up checks, through the real entry point: each misconfiguration stops the process
 * with exit code 1 and exactly one line saying what is wrong and what to do. A worker needs no
 * platform token.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTs } from '../helpers/child.js';
import { REDIS_URL, uniquePrefix } from '../helpers/common.js';
import { freePort, startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('start-up checks', () => {
  let nemo: Server;
  let nemoUrl: string;
  let evicting: OwnRedis;

  beforeAll(async () => {
    // Anything that answers HTTP counts as a reachable Nemo for the start-up check.
    nemo = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => nemo.listen(0, '127.0.0.1', r));
    nemoUrl = `http://127.0.0.1:${(nemo.address() as AddressInfo).port}`;
    evicting = await startOwnRedis(['--maxmemory-policy', 'allkeys-lru']);
  });
  afterAll(async () => {
    await evicting?.stop();
    await new Promise((r) => nemo?.close(r));
  });

  const base = () => ({ REDIS_URL, NEMO_API_URL: nemoUrl, QUEUE_PREFIX: uniquePrefix('checks'), HEALTH_PORT: '0', LOG_LEVEL: 'warn', ROLE: 'worker' });
  const problemLines = (out: string) => out.split('\n').filter((l) => l.startsWith('nemo-bot: '));

  it('each misconfiguration gives its one line and exit code 1', async () => {
    const deadPort = await freePort();
    const cases = [
      { env: { ...base(), ROLE: 'all' }, line: /^nemo-bot: no platform token: set TELEGRAM_BOT_TOKEN and\/or DISCORD_TOKEN for ROLE=all/ },
      { env: { ...base(), ROLE: 'bot' }, line: /^nemo-bot: no platform token: .*ROLE=bot/ },
      { env: { ...base(), REDIS_URL: `redis://:hunter2-secret@127.0.0.1:${deadPort}` }, line: /^nemo-bot: Redis unreachable at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(ECONNREFUSED\): start Redis or fix REDIS_URL$/ },
      { env: { ...base(), REDIS_URL: evicting.url }, line: /^nemo-bot: Redis at .* evicts keys \(maxmemory-policy allkeys-lru\): set maxmemory-policy noeviction/ },
      { env: { ...base(), NEMO_API_URL: `http://127.0.0.1:${deadPort}` }, line: /^nemo-bot: NEMO_API_URL http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/ },
    ];
    const runs = cases.map((c) => runTs(MAIN, [], c.env));
    const codes = await Promise.all(runs.map((r) => r.exited));
    for (const [i, c] of cases.entries()) {
      const out = runs[i]!.output();
      expect(codes[i], out).toBe(1);
      const lines = problemLines(out);
      expect(lines, out).toHaveLength(1);
      expect(lines[0]).toMatch(c.line);
      expect(out).not.toContain('hunter2-secret');
      expect(out).not.toContain('nemo-bot started');
    }
  }, 60_000);

  it('a worker with no platform token passes, and STARTUP_CHECKS=false lets a bot role start without one', async () => {
    const runs = [runTs(MAIN, [], { ...base(), LOG_LEVEL: 'info' }), runTs(MAIN, [], { ...base(), ROLE: 'all', STARTUP_CHECKS: 'false', LOG_LEVEL: 'info' })];
    try {
      for (const r of runs) {
        const end = Date.now() + 30_000;
        while (!r.output().includes('nemo-bot started') && Date.now() < end && r.proc.exitCode === null) await new Promise((res) => setTimeout(res, 100));
        expect(r.output()).toContain('nemo-bot started');
        expect(problemLines(r.output())).toHaveLength(0);
      }
    } finally {
      for (const r of runs) r.proc.kill('SIGTERM');
      expect(await Promise.all(runs.map((r) => r.exited))).toEqual([0, 0]);
    }
  }, 60_000);
});
