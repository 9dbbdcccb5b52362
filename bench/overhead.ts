/**
 * (e) Overhead: J jobs, C at a time, against fixed backend times. End-to-end time per job (message
 * accepted → video posted) against the backend's own time (turn + render), measured in the same run.
 * The render takes exactly the first poll's delay (5 s), so polling adds no wait of its own.
 *
 *   OVERHEAD_JOBS (200)  OVERHEAD_CONCURRENCY (50)  OVERHEAD_TURN_MS (20000)
 */
import { benchMain, newReport, percentile, row, type BenchReport } from './lib/report.js';
import { startInProcess } from './lib/inprocess.js';
import { sleep } from './lib/processes.js';

const RENDER_STEP_MS = 2_400; // pending + processing = 4.8 s: done by the first poll, 5 s after the start

export async function run(o: { jobs?: number; concurrency?: number; turnMs?: number } = {}): Promise<BenchReport> {
  const jobs = o.jobs ?? Number(process.env.OVERHEAD_JOBS ?? 200);
  const concurrency = o.concurrency ?? Number(process.env.OVERHEAD_CONCURRENCY ?? 50);
  const turnMs = o.turnMs ?? Number(process.env.OVERHEAD_TURN_MS ?? 20_000);
  const backendMs = turnMs + 5_000;
  const p = await startInProcess({ turnMs, heartbeatMs: 5_000, renderStepMs: RENDER_STEP_MS, editTurnMs: 100 });
  const e2e: number[] = [];
  const t0 = Date.now();
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < jobs) {
          const i = next++;
          const chat = `job${i}`;
          const start = Date.now();
          await p.send(chat, `make a video of a paper boat number ${i}`);
          while (!p.outbox.videoAt.has(chat)) await sleep(20);
          e2e.push(p.outbox.videoAt.get(chat)! - start);
        }
      }),
    );
  } finally {
    await p.close();
  }
  const wall = Date.now() - t0;
  const idealWall = Math.ceil(jobs / concurrency) * backendMs;
  const rep = newReport('overhead', { jobs, concurrency, turnMs, renderMs: 5_000, settings: 'defaults (ROLE=all in one process)' });
  rep.rows.push(
    row({ name: 'end-to-end per job, mean', baseline: backendMs / 1000, value: e2e.reduce((a, b) => a + b, 0) / e2e.length / 1000, unit: 's', target: '≤ 1.05× backend', maxRatio: 1.05 }),
    row({ name: 'end-to-end per job, p99', baseline: backendMs / 1000, value: percentile(e2e, 99) / 1000, unit: 's' }),
    row({ name: 'wall time, all jobs', baseline: idealWall / 1000, value: wall / 1000, unit: 's' }),
  );
  rep.notes.push('Baseline: the backend time of one job (turn + render); a job cannot finish sooner.');
  return rep;
}

benchMain(import.meta.url, () => run());
