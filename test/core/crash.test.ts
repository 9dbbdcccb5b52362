/**
 * A worker killed with SIGKILL mid-turn and mid-render: the job resumes on a new worker, the message
 * reaches /run_sse once, no render id is started twice, and the video is posted exactly once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platforms/config.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';
import { dropPrefix, message, testEnv, uniquePrefix } from '../helpers/harness.js';
import { RecordingOutbox } from '../helpers/recording-outbox.js';
import { startOutboxServer } from '../helpers/remote-outbox.js';

const CHILD = fileURLToPath(new URL('../helpers/worker-child.ts', import.meta.url));

describe('worker crash safety', () => {
  let sim: NemoSim;
  let runtime: Runtime;
  let outbox: RecordingOutbox;
  let server: Awaited<ReturnType<typeof startOutboxServer>>;
  let env: Record<string, string>;
  const prefix = uniquePrefix('crash');
  const children: ChildProcess[] = [];

  const startWorker = () =>
    new Promise<ChildProcess>((resolve, reject) => {
      const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.once('message', () => resolve(child));
      child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
  const kill = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      child.removeAllListeners('exit');
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

  beforeAll(async () => {
    sim = await startNemoSim({ turnMs: 3000, heartbeatMs: 100, renderStepMs: 1500 });
    outbox = new RecordingOutbox();
    server = await startOutboxServer(outbox);
    env = testEnv(prefix, { NEMO_API_URL: sim.url, OUTBOX_URL: server.url, RENDER_POLL_INTERVAL_MS: '300', JOB_LOCK_DURATION_MS: '1500', JOB_STALLED_INTERVAL_MS: '500',
      // The recovery window (5 checks) must outlast the rest of the 3 s generation the kill interrupted.
      TURN_RECOVERY_FIRST_MS: '500', TURN_RECOVERY_INTERVAL_MS: '1500' });
    // This process is a bot (ingress only); workers are children.
    runtime = await startRuntime({ config: loadConfig(env), logger: silentLogger, outboxes: { test: outbox }, runWorker: false });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await runtime?.close();
    await server?.close();
    await sim?.close();
    await dropPrefix(prefix);
  });

  const sessionsOf = (chat: string) => outbox.in(chat);

  it('resumes a turn after SIGKILL without sending the message twice', async () => {
    const first = await startWorker();
    await runtime.ingress.accept(message('k1', 'turn this into a 5-second animated video clip'));
    await outbox.waitFor(() => sim.requestsTo('run_sse').length === 1);
    await kill(first);
    const second = await startWorker();
    const video = await outbox.waitFor(() => sessionsOf('k1').find((m) => m.kind === 'video'), 60_000);
    expect(video.videoBytes!.equals(sim.fixture.bytes)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(sessionsOf('k1').filter((m) => m.kind === 'video')).toHaveLength(1);
    expect(sim.requestsTo('run_sse')).toHaveLength(1);
    const ids = sim.requestsTo('render_start').map((r) => (r.body as { id: string }).id);
    expect(new Set(ids).size).toBe(ids.length);
    await kill(second);
  }, 100_000);

  it('resumes a render after SIGKILL without starting a second render', async () => {
    const first = await startWorker();
    const before = sim.requestsTo('render_start').length;
    await runtime.ingress.accept(message('k1', 'export'));
    await outbox.waitFor(() => sim.requestsTo('render_start').length === before + 1);
    await kill(first);
    await startWorker();
    await outbox.waitFor(() => sessionsOf('k1').filter((m) => m.kind === 'video').length === 2, 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(sessionsOf('k1').filter((m) => m.kind === 'video')).toHaveLength(2);
    expect(sim.requestsTo('render_start').length).toBe(before + 1);
    expect(sim.requestsTo('run_sse')).toHaveLength(1);
  }, 100_000);

  it('a worker stopped with SIGTERM mid-turn hands the job back at once; another finishes it', async () => {
    const first = await startWorker();
    const turns = sim.requestsTo('run_sse').length;
    await runtime.ingress.accept(message('k2', 'make a video of a glacier'));
    await outbox.waitFor(() => sim.requestsTo('run_sse').length === turns + 1);
    const stoppedAt = Date.now();
    first.removeAllListeners('exit');
    const exited = new Promise<number | null>((r) => first.once('exit', (code) => r(code)));
    first.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000); // it did not wait for the turn to finish
    await startWorker();
    const video = await outbox.waitFor(() => sessionsOf('k2').find((m) => m.kind === 'video'), 60_000);
    expect(video.videoBytes!.equals(sim.fixture.bytes)).toBe(true);
    expect(sim.requestsTo('run_sse').length).toBe(turns + 1);
  }, 100_000);
});
