/**
 * The secrets check. Every fake token the suite uses has a recognisable shape; these patterns find
 * one in any captured output, chat message or error text. Used per test file (secrets-file.ts) and
 * once over everything, children included, at the end of the run (secrets-global.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const FAKE_TOKEN_PATTERNS: readonly RegExp[] = [
  /nmv_usr_[A-Za-z0-9_-]{6,}/, // Nemo tokens (the simulator's anonymous ones, test NEMO_TOKENs)
  /\d{6,}:AA[A-Za-z0-9_-]{20,}/, // Telegram bot tokens (also inside /bot<token>/ URLs)
  /\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}\b/, // Discord bot tokens
];

/** Lines of `text` that carry a token (trimmed to 300 characters for the report). */
export function leakedLines(text: string): string[] {
  return text.split('\n').filter((l) => FAKE_TOKEN_PATTERNS.some((re) => re.test(l))).map((l) => l.slice(0, 300));
}

export function scanDir(dir: string): { files: number; lines: number; leaks: string[] } {
  let files = 0;
  let lines = 0;
  const leaks: string[] = [];
  for (const f of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    files++;
    lines += text.split('\n').length;
    leaks.push(...leakedLines(text).map((l) => `${f}: ${l}`));
  }
  return { files, lines, leaks };
}
