/**
 * The metrics wrappers in-process, against the simulator and real Redis: a video too large for the
 * chat counts as a `link` delivery, the shared token's credits become a gauge, and a Nemo error is
 * counted by endpoint, kind and code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platforms/config.js';
import { silentLogger } from '../../src/log.js';
import { NemoClient, nemoClientOptionsFromConfig } from '../../src/nemo/client.js';
import { isNemoError } from '../../src/nemo/errors.js';
import { instrumentNemo, renderStartedAt } from '../../src/ops/instrument-nemo.js';
import { Metrics } from '../../src/ops/metrics.js';
import { startBench, type Bench } from '../helpers/harness.js';
import { sample } from '../helpers/prometheus.js';

const SHARED = 'nmv_usr_metrics_shared_token_42';

describe('metrics', () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await startBench('ops-metrics', { sim: { staticTokens: { [SHARED]: { credits: 4321 } } }, env: { NEMO_TOKEN: SHARED } });
  });
  afterAll(async () => {
    await bench?.close();
  });

  it('counts a link delivery, the shared token credits and the queue depths', async () => {
    bench.outbox.uploadLimitBytes = 1; // nothing fits: the result goes as a link
    await bench.send('m1', 'turn this image into a 5-second animated video clip');
    await bench.outbox.waitFor(() => bench.outbox.in('m1').find((m) => m.kind === 'link'), 30_000);
    await bench.send('m1', 'credits');
    const shown = await bench.outbox.waitFor(() => bench.outbox.textsIn('m1').map((t) => /Credits: (\d+) available/.exec(t)?.[1]).find(Boolean), 20_000);
    expect(Number(shown)).toBeLessThan(4321); // the render was paid from the shared token

    const text = await bench.runtime.metrics.render();
    expect(sample(text, 'nemo_bot_deliveries_total', { platform: 'test', kind: 'link' })).toBe(1);
    expect(sample(text, 'nemo_bot_deliveries_total', { platform: 'test', kind: 'video' })).toBe(0);
    expect(sample(text, 'nemo_bot_credits_left')).toBe(Number(shown));
    expect(sample(text, 'nemo_bot_acks_total', { platform: 'test' })).toBe(2);
    expect(sample(text, 'nemo_bot_queue_jobs', { lane: 'task', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(SHARED);
  }, 60_000);

  it('counts Nemo errors by endpoint, kind and code', async () => {
    const metrics = new Metrics();
    const config = loadConfig({ NEMO_API_URL: bench.sim.url, NEMO_REQUEST_TIMEOUT_MS: '5000' });
    const nemo = instrumentNemo(new NemoClient(nemoClientOptionsFromConfig(config, silentLogger)), metrics);
    const err = await nemo.getCredits({ credential: { token: 'nmv_usr_unknown_to_the_sim', anonymous: false } }).catch((e: unknown) => e);
    expect(isNemoError(err) && err.kind).toBe('auth');
    const text = await metrics.render();
    expect(sample(text, 'nemo_bot_nemo_errors_total', { endpoint: 'credits', kind: 'auth', code: '1001' })).toBe(1);
    expect(sample(text, 'nemo_bot_credits_left')).toBe(0); // never read for a shared token here
  });

  it('reads the render start time from the render id', () => {
    expect(renderStartedAt('render_1796134825511_a1b2c3d4')).toBe(1796134825511);
    expect(renderStartedAt('something-else')).toBeUndefined();
  });
});
