/**
 * Log scrubbing against the number of conversations: every conversation registers its run-time
 * secrets (anonymous token, client id, claim token) the way the bot does; the cost of scrubbing a
 * typical log line with 100,000 conversations is compared with the cost at 10, in the same run.
 * A second pair adds one odd-shaped secret per conversation (no pattern covers it) to show the LRU cap.
 *
 *   SCRUB_CONVERSATIONS (100000)  SCRUB_LINES (20000)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { registerSecret, scrub, secretSetSize, MAX_RUNTIME_SECRETS } from '../src/log.js';
import { benchMain, newReport, row, type BenchReport } from './lib/report.js';

const LINE = 'nemo: run_sse for session 5529798706024415232 failed after 3 retries: HTTP 502 from https://mega-api-prod.nemovideo.ai/run_sse (client nemo-bot-7a1c7f8e-4b7d-4c3e-9a55-0f8e2d1c9b10)';

function registerConversation(oddShaped: boolean): void {
  registerSecret(`nmv_usr_anon_${randomBytes(12).toString('hex')}`);
  registerSecret(`nemo-bot-${randomUUID()}`);
  registerSecret(`clm_${randomBytes(10).toString('hex')}`);
  if (oddShaped) registerSecret(`odd-${randomBytes(10).toString('hex')}`);
}

/** ns per scrubbed line (best of 5 rounds, so a busy neighbour moves it less). */
function nsPerLine(lines: number): number {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < lines; i++) scrub(LINE);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / lines);
  }
  return best;
}

export async function run(o: { conversations?: number; lines?: number } = {}): Promise<BenchReport> {
  const conversations = o.conversations ?? Number(process.env.SCRUB_CONVERSATIONS ?? 100_000);
  const lines = o.lines ?? Number(process.env.SCRUB_LINES ?? 20_000);
  registerSecret('123456789:AAF-config-telegram-token-value', { pinned: true });
  registerSecret('a-webhook-secret-from-config', { pinned: true });
  const rep = newReport('scrub', { conversations, lines, lruCap: MAX_RUNTIME_SECRETS });
  for (const odd of [false, true]) {
    for (let i = 0; i < 10; i++) registerConversation(odd);
    const small = nsPerLine(lines);
    const sizeSmall = secretSetSize();
    for (let i = 10; i < conversations; i++) registerConversation(odd);
    const large = nsPerLine(lines);
    const label = odd ? 'with one odd-shaped secret per conversation' : 'bot-shaped secrets';
    rep.rows.push(row({ name: `scrub one line, ${conversations.toLocaleString('en')} vs 10 conversations (${label})`, baseline: small, value: large, unit: 'ns', target: odd ? `bounded (LRU ${MAX_RUNTIME_SECRETS})` : '≤ 1.5× (flat)', ...(odd ? {} : { maxRatio: 1.5 }) }));
    rep.notes.push(`${label}: exact secrets checked ${sizeSmall} at 10 conversations, ${secretSetSize()} at ${conversations.toLocaleString('en')}.`);
  }
  return rep;
}

benchMain(import.meta.url, () => run());
