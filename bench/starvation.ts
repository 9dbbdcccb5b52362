/**
 * (b) Starvation: with N turns waiting on Nemo, how long from the moment a render is seen finished
 * (the poll that answered "completed") to the video posted? Work already started must go ahead of
 * new turns. Baseline: the same K renders with no turns waiting, in the same run.
 *
 *   STARVATION_N (1000)  STARVATION_K (20)
 */
import { benchMain, newReport, percentile, row, type BenchReport } from './lib/report.js';
import { startInProcess, sessionOfTag, type InProcess } from './lib/inprocess.js';
import { waitUntil } from './lib/processes.js';

/**
 * Render-seen-finished → video-posted latencies (ms) of K generations.
 * - `open`: `waiting` long turns hold their SSE streams open while the K generations run.
 * - `queued`: the K renders are started first; then `waiting` turns flood a turn lane sized for a
 *   tenth of them (WORKER_CONCURRENCY), so most wait in the queue while the renders finish.
 */
async function latencies(waiting: number, k: number, mode: 'open' | 'queued', scale: number): Promise<number[]> {
  const lane = Math.max(1, Math.floor(waiting / 10));
  const p: InProcess = await startInProcess(
    { turnMs: 1_000 * scale, editTurnMs: 3_600_000, heartbeatMs: 5_000, renderStepMs: (mode === 'queued' ? 4_000 : 1_000) * scale },
    mode === 'queued' ? { WORKER_CONCURRENCY: String(lane) } : {},
  );
  try {
    const flood = async () => {
      for (let i = 0; i < waiting; i++) await p.send(`wait${i}`, `hello, let us chat about topic ${i}`);
      await waitUntil(() => p.openTurns() >= (mode === 'queued' ? Math.min(lane, waiting) : waiting), 600_000, 'waiting turns', 200);
    };
    if (mode === 'open') await flood();
    for (let i = 0; i < k; i++) await p.send(`gen${i}`, `make a video of sunrise number g${i}x`);
    if (mode === 'queued') {
      await waitUntil(() => p.sim.renders.size >= k, 120_000, `${k} renders started`, 50);
      await flood();
    }
    await waitUntil(() => p.outbox.videoAt.size >= k, 120_000, `${k} videos`, 50);
    const out: number[] = [];
    for (let i = 0; i < k; i++) {
      const sid = sessionOfTag(p.sim, `g${i}x`);
      const render = [...p.sim.renders.values()].find((r) => r.sessionId === sid);
      const polls = p.sim.requestsTo('render_poll').filter((r) => render && r.path.includes(render.id));
      const seen = polls.at(-1)?.at;
      const posted = p.outbox.videoAt.get(`gen${i}`);
      if (seen && posted) out.push(posted - seen);
    }
    return out;
  } finally {
    await p.close();
  }
}

/** `timeScale` shortens the simulated turns and renders (the suite's smoke run); the bench uses 1. */
export async function run(o: { n?: number; k?: number; timeScale?: number } = {}): Promise<BenchReport> {
  const scale = o.timeScale ?? 1;
  const n = o.n ?? Number(process.env.STARVATION_N ?? 1000);
  const k = o.k ?? Number(process.env.STARVATION_K ?? 20);
  const rep = newReport('starvation', { waitingTurns: n, renders: k, settings: 'defaults (ROLE=all in one process)' });
  const base = await latencies(0, k, 'open', scale);
  const open = await latencies(n, k, 'open', scale);
  const queued = await latencies(n, k, 'queued', scale);
  rep.rows.push(
    row({ name: `${n} turns open: p50`, baseline: percentile(base, 50), value: percentile(open, 50), unit: 'ms' }),
    row({ name: `${n} turns open: p99`, baseline: percentile(base, 99), value: percentile(open, 99), unit: 'ms', target: '≤ 2000 ms', max: 2000 }),
    row({ name: `${n} turns queued behind a full lane: p99`, baseline: percentile(base, 99), value: percentile(queued, 99), unit: 'ms', target: '≤ 2000 ms', max: 2000 }),
    row({ name: 'videos measured (open, queued)', baseline: base.length, value: Math.min(open.length, queued.length), unit: '', target: `= ${k}`, min: k }),
  );
  rep.notes.push(`Open: ${n} chat turns hold SSE streams while ${k} generations finish, render and are delivered.`);
  rep.notes.push(`Queued: ${k} renders run while ${n} new turns flood a turn lane of ${Math.max(1, Math.floor(n / 10))} slots (most of them wait in the queue).`);
  return rep;
}

benchMain(import.meta.url, () => run());
