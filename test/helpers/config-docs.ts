/**
 * `npm run docs:config`: regenerate `.env.example` and the README's configuration table from the zod
 * schema (src/platforms/config.ts: the core section plus each platform's; test/foundation/config.test.ts fails when they drift apart).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { configFields } from '../../src/platforms/config.js';

const root = new URL('../../', import.meta.url);
const env: string[] = [
  '# nemo-bot configuration. Copy to .env and uncomment what you change (real environment variables win).',
  '# Every variable is listed with its default. Units are in the names (_MS milliseconds, _MB megabytes).',
  '',
];
const table: string[] = ['| Variable | Default | What it does |', '|---|---|---|'];
for (const [name, schema] of Object.entries(configFields)) {
  const desc = schema.description ?? '';
  const parsed = schema.safeParse(undefined);
  const def: unknown = parsed.success ? parsed.data : undefined;
  const shown = def === undefined ? '' : Array.isArray(def) ? def.join(',') : String(def);
  env.push(`# ${desc}`, `# ${name}=${shown}`, '');
  table.push(`| \`${name}\` | ${shown === '' ? '—' : `\`${shown}\``} | ${desc.replace(/\|/g, '\\|')} |`);
}
writeFileSync(new URL('.env.example', root), env.join('\n'));

const readmeUrl = new URL('README.md', root);
const readme = readFileSync(readmeUrl, 'utf8');
const start = readme.indexOf('| Variable | Default | What it does |');
const end = readme.indexOf('\n## ', start);
if (start < 0 || end < 0) throw new Error('README: configuration table not found');
writeFileSync(readmeUrl, `${readme.slice(0, start)}${table.join('\n')}\n${readme.slice(end)}`);
console.log(`wrote .env.example and the README table (${table.length - 2} variables)`);
