/**
 * Export branches no other test drives: a render that never finishes (RENDER_MAX_POLLS) and the
 * poll cadence, "nothing to export", and a rendered video over DOWNLOAD_MAX_MB. Each says so from
 * the catalogue, and the next request works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollDelay } from '../../src/core/export.js';
import { t } from '../../src/core/i18n.js';
import { startBench, type Bench } from '../helpers/harness.js';

const videos = (b: Bench, chat: string) => b.outbox.in(chat).filter((m) => m.kind === 'video').length;
const saw = (b: Bench, chat: string, text: string) => b.outbox.waitFor(() => b.outbox.textsIn(chat).find((x) => x.includes(text)), 30_000);

describe('render polling', () => {
  it('polls after 5, 10 and 20 s, then every RENDER_POLL_INTERVAL_MS', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => pollDelay(30_000, n))).toEqual([5_000, 10_000, 20_000, 30_000, 30_000, 30_000]);
    expect(pollDelay(300, 0)).toBe(300);
  });
});

describe('export branches', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('export-branches', { env: { RENDER_MAX_POLLS: '3', RENDER_POLL_INTERVAL_MS: '300' } });
  });
  afterAll(async () => b?.close());

  it('"export" with no project, and with a project that has no tracks, says there is nothing to export', async () => {
    await b.send('n1', 'export');
    await saw(b, 'n1', t('en', 'export.nothing'));
    await b.send('n2', 'hello');
    await b.outbox.waitFor(() => b.outbox.in('n2').some((m) => /✅ Done/.test(m.edits.at(-1) ?? '')));
    await b.send('n2', 'export');
    await saw(b, 'n2', t('en', 'export.nothing'));
    expect(b.sim.requestsTo('render_start')).toHaveLength(0);
    await b.send('n2', 'make a video of a kite');
    await b.outbox.waitFor(() => videos(b, 'n2') === 1, 30_000);
  });

  it('a render that never finishes: RENDER_MAX_POLLS polls at the cadence, then a clear answer, the render cancelled at Nemo; the next export works', async () => {
    await b.send('r1', 'make a video of a lake');
    await b.outbox.waitFor(() => videos(b, 'r1') === 1, 30_000);
    b.sim.options.renderStepMs = 600_000; // renders now stay pending
    const starts = b.sim.requestsTo('render_start').length;
    await b.send('r1', 'export');
    await saw(b, 'r1', t('en', 'error.render_timeout'));
    const id = (b.sim.requestsTo('render_start')[starts]!.body as { id: string }).id;
    const polls = b.sim.requestsTo('render_poll').filter((r) => r.path.endsWith(`/${id}`));
    expect(polls).toHaveLength(3 + 1); // RENDER_MAX_POLLS, then the one that gives up
    for (let i = 1; i < polls.length; i++) expect(polls[i]!.at - polls[i - 1]!.at).toBeGreaterThanOrEqual(250);
    await b.outbox.waitFor(() => b.sim.requestsTo('render_cancel').some((r) => r.path.includes(id)));
    expect(b.sim.renders.get(id)?.cancelled).toBe(true);
    b.sim.options.renderStepMs = 80;
    await b.send('r1', 'export');
    await b.outbox.waitFor(() => videos(b, 'r1') === 2, 30_000);
  });
});

describe('download limit', () => {
  let b: Bench;
  beforeAll(async () => {
    // The simulator's video is ~140 KB: 0.05 MB puts it over.
    b = await startBench('download-limit', { env: { DOWNLOAD_MAX_MB: '0.05' } });
  });
  afterAll(async () => b?.close());

  it('a rendered video over DOWNLOAD_MAX_MB is not fetched whole; the user gets its public link instead, and the conversation goes on', async () => {
    await b.send('d1', 'make a video of a comet');
    const link = await b.outbox.waitFor(() => b.outbox.in('d1').find((m) => m.kind === 'link'), 30_000);
    expect(link.text).toContain(t('en', 'result.link_unfetched', { limit: '51 KB' }));
    expect(link.url).toMatch(/\/cdn\/render-result\/render_.+\.mp4$/);
    expect(videos(b, 'd1')).toBe(0);
    // Its bytes were never fetched past the limit: the output URL is the one the user got.
    await b.send('d1', 'hello');
    await b.outbox.waitFor(() => b.outbox.in('d1').some((m) => /✅ Done/.test(m.edits.at(-1) ?? '') && m.text.includes('hello')), 20_000);
  });
});
