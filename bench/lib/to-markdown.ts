/**
 * `npx tsx bench/lib/to-markdown.ts bench/results/<name>.json`: a report as the markdown table that
 * bench/README.md records (date, machine, parameters, rows, notes).
 */
import { readFileSync } from 'node:fs';
import { formatTable, type BenchReport } from './report.js';

for (const file of process.argv.slice(2)) {
  const rep = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  console.log(formatTable(rep).replace(/^\n## .*\n/, `*Last run: ${rep.date.slice(0, 16).replace('T', ' ')} UTC, ${rep.machine.cores} cores (${rep.machine.cpu}), Node ${rep.machine.node}, ${rep.machine.memGiB} GiB.*\n`));
}
