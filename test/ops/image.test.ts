/**
 * The container image, proven without Docker: the runtime stage of the Dockerfile is replayed into a
 * temporary folder (its COPY lines, its `npm ci --omit=dev`, the build stage's compiled dist/), and its
 * exact CMD runs there against the Nemo simulator and the fake Telegram Bot API until a user gets the
 * video. Its HEALTHCHECK command passes, no dev dependency is installed, and SIGTERM exits 0.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram, makeUser, privateChat } from '../fakes/telegram/index.js';
import { get, ROOT, run, waitFor, type Child } from '../helpers/child.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../helpers/common.js';
import { instructions, parseDockerfile } from '../helpers/dockerfile.js';
import { freePort } from '../helpers/redis-server.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';
import { jpegSize } from '../../src/core/thumbnail-image.js';

const JPG = readFileSync(fileURLToPath(new URL('../fixtures/input.jpg', import.meta.url)));
const TOKEN = '5550006789:AAE-ops-image-test-token-abcdefghijk';

describe('the image, replayed without Docker', () => {
  let sim: NemoSim;
  let fake: FakeTelegram;
  let dir: string;
  let app: Child | undefined;
  const prefix = uniquePrefix('ops-image');

  beforeAll(async () => {
    sim = await startNemoSim({ turnMs: 800, heartbeatMs: 100, renderStepMs: 150 });
    fake = await FakeTelegram.start({ token: TOKEN });
    dir = mkdtempSync(path.join(os.tmpdir(), 'nemo-image-'));
  });
  afterAll(async () => {
    await app?.kill();
    await fake?.close();
    await sim?.close();
    await dropPrefix(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs what the runtime stage copies and its CMD delivers a video', async () => {
    const stages = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    const build = stages.find((s) => s.name === 'build')!;
    const runtime = stages.at(-1)!;
    const sh = (cmd: string, args: string[], cwd: string) => {
      const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024 });
      expect(r.status, `${cmd} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    };
    const imageEnv: Record<string, string> = {};

    for (const ins of runtime.instructions) {
      if (ins.op === 'COPY') {
        const parts = ins.rest.split(/\s+/);
        const dest = path.join(dir, parts.pop()!);
        if (ins.flags.from) {
          // From the build stage: its `npm run build` output, compiled here straight into place.
          expect(ins.flags.from).toBe(build.name);
          expect(parts).toEqual(['/app/dist']);
          expect(instructions(build, 'RUN').map((r) => r.rest)).toContain('npm run build');
          sh(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dest], ROOT);
        } else {
          for (const src of parts) cpSync(path.join(ROOT, src), parts.length > 1 ? path.join(dest, src) : dest, { recursive: true });
        }
      } else if (ins.op === 'RUN') {
        // Only npm steps: apt-get (tini) needs the base image, and `npm cache clean` would empty this machine's cache.
        for (const step of ins.rest.split('&&').map((s) => s.trim()).filter((s) => s.startsWith('npm ci'))) {
          const [cmd, ...args] = step.split(/\s+/);
          sh(cmd!, [...args, '--prefer-offline'], dir);
        }
      } else if (ins.op === 'ENV') {
        for (const m of ins.rest.matchAll(/([A-Z_]+)=(\S+)/g)) imageEnv[m[1]!] = m[2]!;
      }
    }

    // Production dependencies only, and compiled JavaScript only.
    expect(existsSync(path.join(dir, 'node_modules/prom-client'))).toBe(true);
    for (const dev of ['typescript', 'tsx', 'vitest', 'busboy']) expect(existsSync(path.join(dir, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(path.join(dir, 'src'))).toBe(false);
    expect(existsSync(path.join(dir, 'dist/src/cli.js'))).toBe(true);

    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      ...imageEnv,
      HEALTH_PORT: String(port),
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      NEMO_API_URL: sim.url,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_BOT_TOKEN: TOKEN,
      RENDER_POLL_INTERVAL_MS: '100',
      PROGRESS_EDIT_INTERVAL_MS: '0',
      LOG_LEVEL: 'warn',
    };
    const cmd = runtime.instructions.find((i) => i.op === 'CMD')!.exec!;
    expect(cmd[0]).toBe('node');
    app = run(process.execPath, cmd.slice(1), { cwd: dir, env });

    await waitFor(() => fake.callsTo('getUpdates').length > 0 || app!.proc.exitCode !== null, 60_000, 'the bot to poll');
    expect(app.proc.exitCode, app.output()).toBeNull();
    const user = makeUser('Ana', { id: 9201 });
    fake.userPhoto({ chat: privateChat(user), from: user, caption: 'turn this image into a 5-second animated video clip', bytes: JPG });
    const video = await waitFor(() => fake.sent(user.id).find((m) => m.kind === 'video'), 60_000, 'the video');
    expect(video.file!.bytes.equals(sim.fixture.bytes)).toBe(true);
    // Its thumbnail was made by the compiled thumbnail thread (dist/src/core/thumbnail-thread.js) or ffmpeg.
    const thumb = video.file!.thumbnail?.bytes;
    expect(thumb && [...thumb.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(Math.max(...Object.values(jpegSize(thumb!)!))).toBeLessThanOrEqual(320);

    // The image's HEALTHCHECK command, as Docker would run it inside the container.
    const hc = runtime.instructions.find((i) => i.op === 'HEALTHCHECK')!;
    const probe = JSON.parse(hc.rest.replace(/^CMD\s+/, '')) as string[];
    expect(probe[0]).toBe('node');
    expect((await get(`http://127.0.0.1:${port}/healthz`))?.status).toBe(200);
    const check = spawnSync(process.execPath, probe.slice(1), { cwd: dir, env, encoding: 'utf8', timeout: 10_000 });
    expect(check.status, check.stderr).toBe(0);

    // The CLI in the image: help, doctor (the shared test Redis keeps nothing on disk, so it says so),
    // and a clear refusal of the source-only subcommands.
    // (Asynchronous: the simulator and the fake Telegram answer from this process.)
    const cli = async (...args: string[]) => {
      const c = run(process.execPath, ['dist/src/cli.js', ...args], { cwd: dir, env });
      return { status: await c.exited, output: c.output() };
    };
    const help = await cli('--help');
    expect(help.status).toBe(0);
    for (const c of ['start', 'doctor', 'demo', 'sim']) expect(help.output).toContain(c);
    const doctor = await cli('doctor');
    expect(doctor.output).toContain('✔ Redis answers at');
    expect(doctor.output).toMatch(/✔ Telegram bot @\w+/);
    expect(doctor.output).not.toContain(TOKEN);
    const demo = await cli('demo');
    expect(demo.status).toBe(1);
    expect(demo.output).toContain('needs a source checkout');

    app.proc.kill('SIGTERM');
    expect(await app.exited, app.output()).toBe(0);
    // Once the process is gone, the same probe fails: it really asks the process.
    expect(spawnSync(process.execPath, probe.slice(1), { cwd: dir, env, timeout: 10_000 }).status).toBe(1);
  }, 300_000);
});
