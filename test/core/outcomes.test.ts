/**
 * What users see for each kind of turn and each backend failure, and that the next request works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxError } from '../../src/core/outbox.js';
import { startBench, type Bench } from '../helpers/harness.js';

const lastText = (b: Bench, chat: string) => b.outbox.in(chat).filter((m) => m.kind === 'text').at(-1)!;
const video = (b: Bench, chat: string, n = 1) => b.outbox.waitFor(() => b.outbox.in(chat).filter((m) => m.kind === 'video').length >= n && b.outbox.in(chat).filter((m) => m.kind === 'video')[n - 1]);
const done = (b: Bench, chat: string, n: number) => b.outbox.waitFor(() => b.outbox.in(chat).filter((m) => /✅ Done|❌ Stopped/.test(m.edits.at(-1) ?? '')).length >= n);

describe('turn outcomes and failures', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('outcomes', { sim: { initialCredits: 1000 } });
  });
  afterAll(async () => b?.close());

  it('a silent edit summarises what changed; ask_question offers buttons that answer', async () => {
    await b.send('s1', 'make a video of mountains');
    await video(b, 's1');
    await b.send('s1', 'add a title: Urban Dreams');
    const changed = await b.outbox.waitFor(() => b.outbox.in('s1').find((m) => m.text.includes('Changes:')));
    expect(changed.text).toContain('Urban Dreams');
    await b.send('s1', 'what style options are there?');
    const q = await b.outbox.waitFor(() => b.outbox.in('s1').find((m) => m.text.startsWith('❓')));
    const labels = q.buttons!.flat().map((x) => x.label);
    expect(labels).toContain('Anime');
    const turns = b.sim.requestsTo('run_sse').length;
    const anime = q.buttons!.flat().find((x) => x.label === 'Anime')!;
    await b.send('s1', '', { button: { id: anime.id } });
    await b.outbox.waitFor(() => b.sim.requestsTo('run_sse').length === turns + 1);
    expect((b.sim.requestsTo('run_sse').at(-1)!.body as { new_message: { parts: { text: string }[] } }).new_message.parts[0]!.text).toBe('Anime');
  });

  it('a button from another conversation is refused', async () => {
    const q = b.outbox.in('s1').find((m) => m.kind === 'video')!;
    const exportBtn = q.buttons!.flat()[0]!;
    const res = await b.send('other', '', { button: { id: exportBtn.id } });
    expect(res.outcome).toBe('answered');
    expect(lastText(b, 'other').text).toMatch(/another chat/);
    const unknown = await b.send('other', '', { button: { id: 'nope' } });
    expect(unknown.outcome).toBe('answered');
    expect(lastText(b, 'other').text).toMatch(/expired/);
  });

  it('1002 mid-conversation makes a new session, tells the user, and goes on', async () => {
    await b.send('e1', 'hello');
    await done(b, 'e1', 1);
    const sid = b.sim.requestsTo('run_sse').at(-1)!.sessionId!;
    b.sim.dropSession(sid);
    await b.send('e1', 'make a video of a cat');
    await video(b, 'e1');
    expect(b.outbox.textsIn('e1').some((t) => t.includes('started a new one'))).toBe(true);
    expect(b.sim.requestsTo('run_sse').at(-1)!.sessionId).not.toBe(sid);
  });

  it('2001 shows the registration link of this conversation; the next request works', async () => {
    await b.send('e2', 'hello');
    await done(b, 'e2', 1);
    const token = b.sim.requestsTo('run_sse').at(-1)!.token!;
    b.sim.setCredits(token, 0);
    await b.send('e2', 'make a video of a dog');
    const msg = await b.outbox.waitFor(() => b.outbox.in('e2').find((m) => m.text.includes('register?bind=anon_')));
    expect(msg.text).toMatch(/Out of free credits/);
    b.sim.setCredits(token, 500);
    await b.send('e2', 'make a video of a dog');
    await video(b, 'e2');
  });

  it('402 on export says the plan blocks export, not credits', async () => {
    await b.send('e3', 'make a video of rain');
    await video(b, 'e3');
    b.sim.fault({ endpoint: 'render_start', kind: 'error', status: 402 });
    await b.send('e3', 'export');
    const msg = await b.outbox.waitFor(() => b.outbox.in('e3').find((m) => m.text.includes('plan')));
    expect(msg.text).not.toMatch(/Out of/);
    await b.send('e3', 'export');
    await video(b, 'e3', 2);
  });

  it('a failed render is retried once with a new id; twice failed gives a clear message', async () => {
    await b.send('e4', 'make a video of snow');
    await video(b, 'e4');
    const starts = b.sim.requestsTo('render_start').length;
    // Slow renders down so the faulted poll surely meets a render that is still running.
    b.sim.options.renderStepMs = 1000;
    b.sim.fault({ endpoint: 'render_poll', kind: 'error', message: 'GPU node crashed' });
    await b.send('e4', 'export');
    await video(b, 'e4', 2);
    const ids = b.sim.requestsTo('render_start').slice(starts).map((r) => (r.body as { id: string }).id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
    b.sim.fault({ endpoint: 'render_poll', kind: 'error', message: 'GPU node crashed', times: 2 });
    await b.send('e4', 'export');
    const msg = await b.outbox.waitFor(() => b.outbox.in('e4').find((m) => m.text.includes('Rendering the video failed')));
    expect(msg.buttons?.flat().length).toBeGreaterThan(0);
    b.sim.options.renderStepMs = 80;
  });

  it('an output URL that 404s falls back to the authenticated download', async () => {
    await b.send('e5', 'make a video of a desert');
    b.sim.fault({ endpoint: 'output', kind: 'error', status: 404 });
    const v = await video(b, 'e5');
    expect(v.videoBytes!.equals(b.sim.fixture.bytes)).toBe(true);
    expect(b.sim.requestsTo('render_download').length).toBeGreaterThan(0);
  });

  it('a backend that cannot show the state before the first turn does not block it', async () => {
    b.sim.fault({ endpoint: 'state', kind: 'error', status: 500 });
    await b.send('e8', 'make a video of fireworks');
    const v = await video(b, 'e8');
    expect(v.videoBytes!.equals(b.sim.fixture.bytes)).toBe(true);
  });

  it('a rate-limited turn is retried later by the queue and sent once', async () => {
    await b.send('e9', 'hello');
    await done(b, 'e9', 1);
    const before = b.sim.requestsTo('run_sse').length;
    // runTurn never re-posts by itself; the queue retries the job (5 s, then 10 s backoff).
    b.sim.fault({ endpoint: 'run_sse', kind: 'error', status: 429, times: 2 });
    await b.send('e9', 'make a video of a lighthouse');
    await video(b, 'e9');
    const turns = b.sim.requestsTo('run_sse').slice(before);
    expect(turns).toHaveLength(3);
    expect(b.sim.sessions.get(turns[2]!.sessionId!)!.turns).toBe(2);
  }, 40_000);

  it('a video over the platform limit is posted as a link', async () => {
    b.outbox.uploadLimitBytes = 1000;
    await b.send('e6', 'make a video of a river');
    const link = await b.outbox.waitFor(() => b.outbox.in('e6').find((m) => m.kind === 'link'));
    expect(link.url).toMatch(/^http/);
    expect(b.outbox.in('e6').some((m) => m.kind === 'video')).toBe(false);
    b.outbox.uploadLimitBytes = 50 * 1024 * 1024;
  });

  it('the core acts on the kind of an upload failure: too large or forbidden → a link, rate limited → posted after the wait', async () => {
    b.outbox.failVideos.push(new OutboxError('too_large', 'chat says the file is too big'));
    await b.send('k1', 'make a video of a meadow');
    const link = await b.outbox.waitFor(() => b.outbox.in('k1').find((m) => m.kind === 'link'));
    expect(link.url).toMatch(/^http/);

    b.outbox.failVideos.push(new OutboxError('forbidden', 'no permission to attach files'));
    await b.send('k2', 'make a video of a harbour');
    await b.outbox.waitFor(() => b.outbox.in('k2').find((m) => m.kind === 'link'));
    expect(b.outbox.in('k2').some((m) => m.kind === 'video')).toBe(false);

    const attempts = b.outbox.videoAttempts;
    b.outbox.failVideos.push(new OutboxError('rate_limited', 'slow down', { retryAfterMs: 1_200 }));
    const sentAt = Date.now();
    await b.send('k3', 'make a video of a glacier');
    await video(b, 'k3');
    expect(b.outbox.videoAttempts - attempts).toBe(2);
    expect(b.outbox.in('k3').some((m) => m.kind === 'link')).toBe(false);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1_200);
  }, 40_000);

  it('an upload that failed after it may have been posted is not repeated: the job stops and says so', async () => {
    const attempts = b.outbox.videoAttempts;
    b.outbox.failVideos.push(new OutboxError('transient', 'connection dropped mid-upload', { mayHavePosted: true }));
    await b.send('k4', 'make a video of a canyon');
    await done(b, 'k4', 1);
    expect(b.outbox.videoAttempts - attempts).toBe(1);
    expect(b.outbox.in('k4').some((m) => m.kind === 'video' || m.kind === 'link')).toBe(false);
    expect(b.outbox.in('k4').some((m) => /❌ Stopped/.test(m.edits.at(-1) ?? ''))).toBe(true);
    expect(b.outbox.in('k4').some((m) => m.kind === 'text' && /cannot tell whether it arrived/.test(m.text))).toBe(true);
  }, 40_000);

  it('refuses unsupported files and oversized platform files before queueing', async () => {
    const exe = await b.send('e7', 'animate', { attachments: [{ name: 'virus.exe', sizeBytes: 100, source: { kind: 'url', url: 'http://127.0.0.1:1/x.exe' } }] });
    expect(exe.outcome).toBe('answered');
    expect(lastText(b, 'e7').text).toMatch(/mp4, mov.*png/);
    const big = await b.send('e7', 'animate', { attachments: [{ name: 'big.mp4', sizeBytes: 25 * 1024 * 1024, source: { kind: 'platform', ref: 'file-1' } }] });
    expect(big.outcome).toBe('answered');
    expect(lastText(b, 'e7').text).toMatch(/20 MB/);
  });

  it('/new starts a fresh project and /cancel drops waiting work', async () => {
    await b.send('n1', 'hello');
    await done(b, 'n1', 1);
    const sid = b.sim.requestsTo('run_sse').at(-1)!.sessionId;
    await b.send('n1', '/new', { command: { name: 'new', args: '' } });
    await b.send('n1', 'hello again');
    await done(b, 'n1', 2);
    expect(b.sim.requestsTo('run_sse').at(-1)!.sessionId).not.toBe(sid);
    await b.send('n1', 'make a video of a long road');
    await b.send('n1', 'make a video of a short road');
    const r = await b.send('n1', '/cancel', { command: { name: 'cancel', args: '' } });
    expect(r.outcome).toBe('answered');
    expect(lastText(b, 'n1').text).toMatch(/Cancelled 2 job/);
    await b.outbox.waitFor(() => b.outbox.in('n1').filter((m) => /Cancelled/.test(m.edits.at(-1) ?? '')).length === 2);
  });
});
