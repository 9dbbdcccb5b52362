/**
 * The adapter benchmarks (bench/ingest.ts, bench/relay.ts) run end to end at a tiny size, so they
 * keep working as the product changes. Only the report's shape is checked — rows present, numbers
 * finite and positive (RSS growth may be zero), every message acknowledged, every upload complete — never the targets:
 * performance belongs to the full-size runs (`npm run bench`), not to the test suite.
 */
import { describe, expect, it } from 'vitest';
import { run as runIngest } from '../../bench/ingest.js';
import { run as runRelay } from '../../bench/relay.js';
import type { BenchReport } from '../../bench/lib/report.js';

function expectWellFormed(rep: BenchReport, bench: string, rows: number): void {
  expect(rep.bench).toBe(bench);
  expect(rep.machine.cores).toBeGreaterThan(0);
  expect(rep.machine.node).toBe(process.version);
  expect(rep.rows).toHaveLength(rows);
  for (const r of rep.rows) {
    expect(r.name).not.toBe('');
    expect(Number.isFinite(r.value), `${r.name}: value ${r.value}`).toBe(true);
    // A peak-minus-start RSS figure is 0 when a small send allocates nothing new; all else is > 0.
    const growth = r.name.endsWith('RSS growth');
    if (growth) expect(r.value, r.name).toBeGreaterThanOrEqual(0);
    else expect(r.value, r.name).toBeGreaterThan(0);
    if (r.baseline !== undefined) {
      expect(Number.isFinite(r.baseline), `${r.name}: baseline ${r.baseline}`).toBe(true);
      if (growth) expect(r.baseline, r.name).toBeGreaterThanOrEqual(0);
      else {
        expect(r.baseline, r.name).toBeGreaterThan(0);
        expect(Number.isFinite(r.ratio), `${r.name}: ratio`).toBe(true);
      }
    }
    if (r.target !== undefined) expect(typeof r.met).toBe('boolean');
  }
}

describe('adapter benchmarks at a tiny size', () => {
  it('ingest: every message of both phases is acknowledged, with latencies against an echo baseline', async () => {
    const rep = await runIngest({ rate: 20, seconds: 1, burst: 20, burstSeconds: 1, drainMs: 20_000 });
    expectWellFormed(rep, 'ingest', 8);
    expect(rep.rows.find((r) => r.name.startsWith('steady 20/s × 1 s: acks received'))?.value).toBe(20);
    expect(rep.rows.find((r) => r.name.startsWith('burst 20 photos'))?.value).toBe(20);
  }, 180_000);

  it('relay: a 1 MB video reaches both fakes through the outboxes and the raw baseline', async () => {
    const rep = await runRelay({ telegramMB: 1, discordMB: 1, reps: 1 });
    expectWellFormed(rep, 'relay', 6);
    expect(rep.rows.map((r) => r.unit)).toEqual(['MiB/s', 'MiB', 'MiB/s', 'MiB', 'MiB/s', 'MiB']);
  }, 180_000);
});
