/**
 * `npm run demo` as a user runs it: the console chat with piped input, the Nemo simulator, a worker,
 * and a private redis-server when REDIS_URL does not answer.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIXTURE_PATH } from '../../nemo-sim/index.js';

const DEMO = fileURLToPath(new URL('../../adapters/console/demo.ts', import.meta.url));
/** tsx's loader by absolute URL, so the demo can run from any working directory. */
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

function runDemo(input: string, env: Record<string, string>, cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, DEMO], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
    child.stdin.end(input);
  });
}

describe('npm run demo', () => {
  it('runs the whole pipeline from piped input on a private redis-server and saves the MP4', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'nemo-demo-'));
    try {
      const { code, out } = await runDemo('/sample\n', { REDIS_URL: 'redis://127.0.0.1:1', SIM_TURN_MS: '300', SIM_RENDER_STEP_MS: '200', RENDER_POLL_INTERVAL_MS: '200', NEMO_API_URL: '' }, cwd);
      expect(out).toContain('private');
      expect(out).toContain('Got it');
      expect(out).toMatch(/saved: .*\.mp4/);
      expect(code).toBe(0);
      const files = await readdir(path.join(cwd, 'out'));
      expect(files).toHaveLength(1);
      const bytes = await readFile(path.join(cwd, 'out', files[0]!));
      expect(bytes.equals(await readFile(FIXTURE_PATH))).toBe(true);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 60_000);

  it('says how to get Redis instead of a stack trace when none answers and none is installed', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'nemo-demo-'));
    try {
      // A PATH with node but no redis-server.
      await mkdir(path.join(cwd, 'bin'));
      await symlink(process.execPath, path.join(cwd, 'bin', 'node'));
      const { code, err } = await runDemo('', { REDIS_URL: 'redis://127.0.0.1:1', PATH: path.join(cwd, 'bin') }, cwd);
      expect(code).toBe(1);
      expect(err).toMatch(/no redis-server is installed/);
      expect(err).toMatch(/apt-get install -y redis-server/);
      expect(err).not.toMatch(/\n\s+at /);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  }, 30_000);
});
