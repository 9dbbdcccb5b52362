/**
 * `npm start` as a deployment runs it, with the Nemo simulator and the fake Telegram Bot API:
 * /healthz, /readyz and /metrics answer on HEALTH_PORT and the counters move after one job; then a
 * SIGTERM in the middle of a turn: the process exits 0 within its grace time, and a second worker
 * finishes that job with one delivery and no second message to Nemo.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram, makeUser, privateChat } from '../fakes/telegram/index.js';
import { get, ROOT, run, runTs, waitFor, type Child } from '../helpers/child.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../helpers/common.js';
import { sample } from '../helpers/prometheus.js';
import { freePort } from '../helpers/redis-server.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const JPG = readFileSync(fileURLToPath(new URL('../fixtures/input.jpg', import.meta.url)));
const TOKEN = '5550004321:AAE-ops-npm-start-token-abcdefghijkl';
/** main.ts gives a graceful stop this long before it gives up with exit code 1. */
const GRACE_MS = 20_000;

describe('npm start: health, readiness, metrics and a graceful stop mid-turn', () => {
  let sim: NemoSim;
  let fake: FakeTelegram;
  const prefix = uniquePrefix('ops-start');
  const children: Child[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await startNemoSim({ turnMs: 1500, heartbeatMs: 100, renderStepMs: 150 });
    fake = await FakeTelegram.start({ token: TOKEN });
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      NEMO_API_URL: sim.url,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_BOT_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
      STILL_WORKING_INTERVAL_MS: '5000',
      RENDER_POLL_INTERVAL_MS: '100',
      PROGRESS_EDIT_INTERVAL_MS: '0',
      JOB_LOCK_DURATION_MS: '2000',
      JOB_STALLED_INTERVAL_MS: '500',
      TURN_RECOVERY_FIRST_MS: '300',
      TURN_RECOVERY_INTERVAL_MS: '1000',
      TURN_RECOVERY_MAX_CHECKS: '60',
    };
  });
  afterAll(async () => {
    for (const c of children) await c.kill();
    await fake?.close();
    await sim?.close();
    await dropPrefix(prefix);
  });

  it('serves health, readiness and metrics; exits 0 on SIGTERM mid-turn and another worker delivers once', async () => {
    const port = await freePort();
    const bot = run('npm', ['start', '--silent'], { cwd: ROOT, env: { ...env, ROLE: 'all', HEALTH_PORT: String(port) } });
    children.push(bot);
    const base = `http://127.0.0.1:${port}`;

    // Alive first, ready once Redis, the worker and Telegram are up.
    expect(await waitFor(() => get(`${base}/healthz`), 30_000, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    const ready = await waitFor(async () => {
      const r = await get(`${base}/readyz`);
      return r?.status === 200 ? r : undefined;
    }, 30_000, '/readyz to pass');
    const report = JSON.parse(ready.body) as { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> };
    expect(report.ready).toBe(true);
    expect(Object.keys(report.checks).sort()).toEqual(['redis', 'telegram', 'worker']);
    expect((await get(`${base}/nope`))?.status).toBe(404);

    const before = (await get(`${base}/metrics`))!;
    expect(before.status).toBe(200);
    expect(before.body).toContain('# TYPE nemo_bot_turn_duration_seconds histogram');
    expect(before.body).toContain('nemo_bot_process_cpu_seconds_total');
    expect(sample(before.body, 'nemo_bot_deliveries_total')).toBe(0);
    expect(sample(before.body, 'nemo_bot_queue_jobs', { lane: 'turn', state: 'wait' })).toBe(0);

    // One job: a photo with a prompt, answered with the MP4.
    const mei = makeUser('Mei', { id: 9101 });
    fake.userPhoto({ chat: privateChat(mei), from: mei, caption: 'turn this image into a 5-second animated video clip', bytes: JPG });
    await waitFor(() => fake.sent(mei.id).find((m) => m.kind === 'video'), 60_000, 'the first video');
    const after = await waitFor(async () => {
      const r = await get(`${base}/metrics`);
      const counted = r && sample(r.body, 'nemo_bot_deliveries_total', { platform: 'telegram', kind: 'video' }) === 1;
      return counted && sample(r.body, 'nemo_bot_job_runs_total', { lane: 'transfer', result: 'done' }) === 1 ? r.body : undefined;
    }, 10_000, 'the delivery and the finished job to be counted');
    expect(sample(after, 'nemo_bot_acks_total', { platform: 'telegram' })).toBe(1);
    expect(sample(after, 'nemo_bot_messages_total', { platform: 'telegram', outcome: 'queued' })).toBe(1);
    expect(sample(after, 'nemo_bot_turn_duration_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(sample(after, 'nemo_bot_render_duration_seconds_count', { outcome: 'completed' })).toBe(1);
    expect(sample(after, 'nemo_bot_queue_wait_seconds_count', { lane: 'turn' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'nemo_bot_job_runs_total', { lane: 'turn', kind: 'turn', result: 'handed_over' })).toBe(1);
    expect(sample(after, 'nemo_bot_queue_jobs', { lane: 'transfer', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'nemo_bot_sse_streams_open')).toBe(0);
    expect(after).not.toContain(TOKEN);

    // A second job, stopped mid-turn: a long turn starts in the npm start process...
    sim.options.turnMs = 15_000; // read at the start of every turn
    const kai = makeUser('Kai', { id: 9102 });
    const turnsBefore = sim.requestsTo('run_sse').length;
    fake.userPhoto({ chat: privateChat(kai), from: kai, caption: 'make this photo move like a dream', bytes: JPG });
    await waitFor(() => sim.requestsTo('run_sse').length > turnsBefore, 20_000, 'the second turn to start');
    const streaming = await waitFor(async () => {
      const r = await get(`${base}/metrics`);
      return r && sample(r.body, 'nemo_bot_sse_streams_open') === 1 ? r.body : undefined;
    }, 10_000, 'the open stream to show');
    expect(sample(streaming, 'nemo_bot_sse_streams_open')).toBe(1);

    // ...a second worker comes up (ready on its own port), then the first gets SIGTERM.
    const port2 = await freePort();
    const worker = runTs(MAIN, [], { ...env, ROLE: 'worker', HEALTH_PORT: String(port2) });
    children.push(worker);
    await waitFor(async () => (await get(`http://127.0.0.1:${port2}/readyz`))?.status === 200, 30_000, 'the second worker to be ready');
    expect(sample((await get(`${base}/metrics`))!.body, 'nemo_bot_sse_streams_open')).toBe(1);

    bot.proc.kill('SIGTERM');
    const code = await Promise.race([bot.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), GRACE_MS + 5_000))]);
    expect(code, bot.output()).toBe(0);

    const video = await waitFor(() => fake.sent(kai.id).find((m) => m.kind === 'video'), 60_000, 'the second video, from the other worker');
    expect(video.file!.bytes.equals(sim.fixture.bytes)).toBe(true);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(fake.sent(kai.id).filter((m) => m.kind === 'video')).toHaveLength(1);
    expect(sim.requestsTo('run_sse').length).toBe(turnsBefore + 1);
    const workerMetrics = (await get(`http://127.0.0.1:${port2}/metrics`))!.body;
    expect(sample(workerMetrics, 'nemo_bot_deliveries_total', { platform: 'telegram', kind: 'video' })).toBe(1);
  }, 180_000);
});
