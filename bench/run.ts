/**
 * `npm run bench`: run every benchmark (`bench/*.ts` except this runner), one after another, each as
 * its own child process (`tsx bench/<name>.ts`), so one bench's memory, timers and connections never
 * touch the next one's figures. Each prints its table and writes `bench/results/<name>.json`; this
 * runner prints a one-line summary per bench at the end and exits non-zero if one crashed (a missed
 * target is reported, not a failure).
 *
 *   npm run bench                 all benches
 *   npm run bench -- ingest relay only these (by file name)
 *   npx tsx bench/ingest.ts       one bench directly
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const tsx = new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

const all = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`unknown bench: ${unknown.join(', ')} (have: ${all.join(', ')})`);
  process.exit(2);
}
const benches = wanted.length ? wanted : all;

const summary: string[] = [];
let crashed = 0;
for (const name of benches) {
  console.log(`\n=== bench ${name} ===`);
  const t0 = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', tsx, path.join(dir, `${name}.ts`)], { stdio: 'inherit', cwd: path.join(dir, '..') });
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0) crashed++;
  summary.push(`${name.padEnd(12)} ${code === 0 ? 'done' : `CRASHED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
console.log(`\n=== summary ===\n${summary.join('\n')}`);
process.exit(crashed ? 1 : 0);
