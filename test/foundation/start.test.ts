/**
 * `npm start` (src/main.ts) as an operator meets it: a bad environment stops it with one message
 * listing every problem; a worker starts against Redis and shuts down cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dropPrefix, uniquePrefix, REDIS_URL } from '../helpers/harness.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

describe('npm start', () => {
  it('exits with one message listing every bad variable', async () => {
    const p = start({ ROLE: 'boss', WORKER_CONCURRENCY: 'lots', TELEGRAM_BOT_TOKEN: '' });
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/Invalid configuration/);
    expect(p.output()).toMatch(/ROLE/);
    expect(p.output()).toMatch(/WORKER_CONCURRENCY/);
  }, 30_000);

  it('runs ROLE=worker and stops cleanly on SIGTERM', async () => {
    const prefix = uniquePrefix('start');
    // The start-up checks need NEMO_API_URL to answer; any HTTP server does.
    const nemo = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => nemo.listen(0, '127.0.0.1', r));
    const NEMO_API_URL = `http://127.0.0.1:${(nemo.address() as AddressInfo).port}`;
    const p = start({ ROLE: 'worker', REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', TELEGRAM_BOT_TOKEN: '', DISCORD_TOKEN: '', NEMO_TOKEN: 'nmv_usr_secret_for_start_test', NEMO_API_URL, HEALTH_PORT: '0' });
    const end = Date.now() + 20_000;
    while (!p.output().includes('nemo-bot started') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(p.output()).toContain('"role":"worker"');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.output()).not.toContain('nmv_usr_secret_for_start_test');
    nemo.close();
    await dropPrefix(prefix);
  }, 30_000);
});
