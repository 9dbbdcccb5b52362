/**
 * Crash chaos in CI: 20 worker SIGKILLs across upload, SSE turn, render poll, download and delivery,
 * and bot processes killed between a message's arrival and its enqueue. Every job ends exactly once:
 * nothing lost, nothing delivered twice, no message sent to /run_sse twice, no render left unpolled.
 * Longer runs: `npm run chaos -- --runs 200`.
 */
import { describe, expect, it } from 'vitest';
import { formatFigures } from './figures.js';
import { runChaos } from './run.js';

describe('crash chaos', () => {
  it('20 worker kills and 3 bot kills: every job ends exactly once', async () => {
    const f = await runChaos({ kills: 20, botKills: 3, conversations: 6 });
    console.log(formatFigures(f));
    expect(f.kills).toBe(20);
    expect(f.jobs).toBeGreaterThanOrEqual(20);
    expect({ lost: f.lost, duplicates: f.duplicates, resent: f.resent, orphaned: f.orphaned }).toEqual({ lost: 0, duplicates: 0, resent: 0, orphaned: 0 });
    expect(f.delivered + f['failed-with-message']).toBe(f.jobs);
    // Most jobs get through despite the kills (a failure must be the exception, and say so).
    expect(f.delivered).toBeGreaterThan(f.jobs / 2);
  }, 300_000);
});
