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

/** Render-seen-finished → video-posted latencies (ms) of K generations, with `waiting` long turns open. */
async function latencies(waiting: number, k: number): Promise<number[]> {
  const p: InProcess = await startInProcess({ turnMs: 1_000, editTurnMs: 3_600_000, heartbeatMs: 5_000, renderStepMs: 1_000 });
  try {
    for (let i = 0; i < waiting; i++) await p.send(`wait${i}`, `hello, let us chat about topic ${i}`);
    await waitUntil(() => p.openTurns() >= waiting, 600_000, `${waiting} waiting turns`, 200);
    for (let i = 0; i < k; i++) await p.send(`gen${i}`, `make a video of sunrise number g${i}x`);
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

export async function run(o: { n?: number; k?: number } = {}): Promise<BenchReport> {
  const n = o.n ?? Number(process.env.STARVATION_N ?? 1000);
  const k = o.k ?? Number(process.env.STARVATION_K ?? 20);
  const rep = newReport('starvation', { waitingTurns: n, renders: k, settings: 'defaults (ROLE=all in one process)' });
  const base = await latencies(0, k);
  const loaded = await latencies(n, k);
  rep.rows.push(
    row({ name: 'render seen done → video posted, p50', baseline: percentile(base, 50), value: percentile(loaded, 50), unit: 'ms' }),
    row({ name: 'render seen done → video posted, p99', baseline: percentile(base, 99), value: percentile(loaded, 99), unit: 'ms', target: '≤ 2000 ms', max: 2000 }),
    row({ name: 'videos measured', baseline: base.length, value: loaded.length, unit: '', target: `= ${k}`, min: k }),
  );
  rep.notes.push(`Loaded: ${n} chat turns hold SSE streams open while ${k} generations finish, render and are delivered.`);
  return rep;
}

benchMain(import.meta.url, () => run());
