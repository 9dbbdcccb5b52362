/**
 * vitest globalSetup: point every test worker and every Node child at one capture directory (via
 * NODE_OPTIONS=--import capture.mjs), and after the run assert that no fake token reached any of it.
 * NEMO_BOT_CAPTURE_KEEP=1 keeps the directory for a look.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanDir } from './secrets.js';

const CAPTURE = fileURLToPath(new URL('./capture.mjs', import.meta.url));

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'nemo-bot-capture-'));
  process.env.NEMO_BOT_CAPTURE_DIR = dir;
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${JSON.stringify(CAPTURE).slice(1, -1)}`.trim();
  return () => {
    const { files, lines, leaks } = scanDir(dir);
    console.log(`secrets check: ${lines} captured lines from ${files} processes, ${leaks.length} with a token`);
    if (leaks.length) throw new Error(`a token reached the output or a chat (capture kept in ${dir}):\n${leaks.slice(0, 20).join('\n')}`);
    if (process.env.NEMO_BOT_CAPTURE_KEEP) console.log(`capture kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
