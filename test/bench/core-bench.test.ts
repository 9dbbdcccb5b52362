/**
 * The scheduling benchmarks at tiny sizes, so they keep running. Not timed tests: they check that
 * each report is complete and that its numbers are real measurements, never the targets.
 */
import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../../bench/lib/report.js';
import { run as runOverhead } from '../../bench/overhead.js';
import { run as runStarvation } from '../../bench/starvation.js';
import { run as runTurns } from '../../bench/turns.js';

function wellFormed(rep: BenchReport, rows: number): void {
  expect(rep.notes.filter((n) => /did not complete/.test(n))).toEqual([]);
  expect(rep.rows.length).toBe(rows);
  for (const r of rep.rows) {
    expect(Number.isFinite(r.value), r.name).toBe(true);
    if (r.baseline !== undefined) expect(Number.isFinite(r.baseline), r.name).toBe(true);
  }
  expect(rep.machine.cores).toBeGreaterThan(0);
  expect(rep.machine.node).toMatch(/^v\d+/);
}

describe('benchmarks at tiny sizes', () => {
  it('concurrent turns: measures both sides once the streams are open', async () => {
    const rep = await runTurns({ sizes: [20], windowMs: 1_000, heartbeatMs: 200 });
    wellFormed(rep, 9);
    const rss = rep.rows.find((r) => r.name === 'N=20 RSS')!;
    expect(rss.baseline).toBeGreaterThan(10);
    expect(rss.value).toBeGreaterThan(10);
    expect(rep.rows.find((r) => r.name.includes('bytes per waiting job'))!.value).toBeGreaterThan(0);
  }, 120_000);

  it('starvation: every render of the loaded and unloaded runs is measured', async () => {
    const rep = await runStarvation({ n: 10, k: 2, timeScale: 0.3 });
    wellFormed(rep, 4);
    const measured = rep.rows.find((r) => r.name.startsWith('videos measured'))!;
    expect([measured.baseline, measured.value]).toEqual([2, 2]);
  }, 120_000);

  it('overhead: end-to-end is never shorter than the backend time', async () => {
    const rep = await runOverhead({ jobs: 2, concurrency: 2, turnMs: 500 });
    wellFormed(rep, 3);
    expect(rep.rows[0]!.ratio).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
