/**
 * The community at once, with default settings: N DMs with a photo pushed together into `npm start`
 * (the full figure, N = 1000, is in bench/README.md; CI runs N = 300 with shorter turns).
 */
import { describe, expect, it } from 'vitest';
import { measureBurst } from '../../bench/burst.js';

const N = Number(process.env.BURST_TEST_N ?? 300);
const TURN_MS = 15_000;

describe('a burst of conversations on default settings', () => {
  it(`holds ${N} turns at once, acknowledges each within 2 s and delivers every video once`, async () => {
    const f = await measureBurst({ n: N, turnMs: TURN_MS });
    expect(f.crossings).toEqual([]);
    expect(f.violations).toBe(0);
    expect(f.delivered).toBe(N);
    expect(f.duplicateVideos).toBe(0);
    expect(f.runSsePerSessionMax).toBe(1);
    expect(f.peakOpenTurns).toBeGreaterThanOrEqual(Math.ceil(0.99 * N));
    expect(f.acks).toHaveLength(N);
    expect(Math.max(...f.acks)).toBeLessThanOrEqual(2_000);
    expect(Math.max(...f.videoLatencies)).toBeLessThanOrEqual(TURN_MS + 30_000);
  }, 180_000);
});
