/**
 * The shape every benchmark shares: a `run(opts)` that returns a report, and a `main` wrapper that
 * prints the report as a table and writes it as JSON to `bench/results/<name>.json`.
 *
 * Why ratios: absolute figures depend on the machine; a ratio against a baseline measured in the same
 * run on the same machine means the same everywhere. Absolute numbers and the machine are kept too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchRow {
  /** What was measured ("10,000 streams: RSS"). */
  name: string;
  /** The baseline's absolute value (same unit). */
  baseline?: number;
  /** Our absolute value. */
  value: number;
  unit: string;
  /** value / baseline (or whatever ratio the target is stated in). */
  ratio?: number;
  /** The target as text ("≤ 2× baseline", "≤ 20 ms"). */
  target?: string;
  /** Whether the target was met (undefined when there is no target). */
  met?: boolean;
}

export interface BenchReport {
  bench: string;
  date: string;
  machine: { cores: number; cpu: string; node: string; platform: string; memGiB: number };
  params: Record<string, unknown>;
  rows: BenchRow[];
  notes: string[];
}

export function machine(): BenchReport['machine'] {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

export function newReport(bench: string, params: Record<string, unknown>): BenchReport {
  return { bench, date: new Date().toISOString(), machine: machine(), params, rows: [], notes: [] };
}

/** A row with its ratio and verdict filled in. `lowerIsBetter` decides how `max`/`min` targets read. */
export function row(r: Omit<BenchRow, 'ratio' | 'met'> & { maxRatio?: number; minRatio?: number; max?: number; min?: number }): BenchRow {
  const ratio = r.baseline ? r.value / r.baseline : undefined;
  let met: boolean | undefined;
  if (r.maxRatio !== undefined && ratio !== undefined) met = ratio <= r.maxRatio;
  if (r.minRatio !== undefined && ratio !== undefined) met = ratio >= r.minRatio;
  if (r.max !== undefined) met = (met ?? true) && r.value <= r.max;
  if (r.min !== undefined) met = (met ?? true) && r.value >= r.min;
  const { maxRatio: _a, minRatio: _b, max: _c, min: _d, ...rest } = r;
  return { ...rest, ratio, met };
}

const fmt = (n: number | undefined, unit = '') =>
  n === undefined ? '' : `${Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2)}${unit ? ` ${unit}` : ''}`;

export function formatTable(rep: BenchReport): string {
  const lines = [`\n## ${rep.bench}  (${rep.date.slice(0, 10)}, ${rep.machine.cores} cores, Node ${rep.machine.node})`, `params: ${JSON.stringify(rep.params)}`, ''];
  const head = ['measure', 'baseline', 'value', 'ratio', 'target', 'met'];
  const body = rep.rows.map((r) => [r.name, fmt(r.baseline, r.unit), fmt(r.value, r.unit), r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`, r.target ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  lines.push(line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line));
  for (const n of rep.notes) lines.push(`- ${n}`);
  return lines.join('\n');
}

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

export function writeReport(rep: BenchReport, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${rep.bench}.json`);
  writeFileSync(file, `${JSON.stringify(rep, null, 2)}\n`);
  return file;
}

/** Percentile of a list of numbers (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/**
 * Run a benchmark file as a program: `tsx bench/<name>.ts`. Exits non-zero only on a crash; missed
 * targets are reported, not failed (benchmarks are not timed tests).
 */
export function benchMain(metaUrl: string, run: () => Promise<BenchReport>): void {
  if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(metaUrl)) {
    run().then(
      (rep) => {
        console.log(formatTable(rep));
        console.log(`\nwritten to ${writeReport(rep)}`);
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  }
}
