/**
 * Isolation: no command, button or crafted payload lets one conversation read, export, reset or
 * cancel another's session, files or videos. Conversation A owns a project and a video; B and a
 * topic of A's chat try every path; A is left untouched, and at Nemo every call carries the token of
 * the conversation that owns the session or render it names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { t } from '../../src/core/i18n.js';
import { Keys } from '../../src/core/keys.js';
import { conversationKey } from '../../src/core/message.js';
import { REDIS_URL, startBench, type Bench } from '../helpers/harness.js';

let b: Bench;
let redis: Redis;
const ended = (chat: string, n: number) => b.outbox.waitFor(() => b.outbox.in(chat).filter((m) => /✅ Done|❌ Stopped|🛑 Cancelled/.test(m.edits.at(-1) ?? '')).length >= n, 30_000);
const sessionOf = async (chat: string, thread?: string) => redis.hget(new Keys(b.config.QUEUE_PREFIX).session(conversationKey('test', chat, thread)), 'sessionId');

beforeAll(async () => {
  b = await startBench('isolation', { sim: { initialCredits: 1000 } });
  redis = new Redis(REDIS_URL);
  await b.send('A', 'make a video of a red balloon');
  await b.outbox.waitFor(() => b.outbox.in('A').find((m) => m.kind === 'video'), 30_000);
  await b.send('B', 'hello');
  await ended('B', 1);
});
afterAll(async () => {
  redis?.disconnect();
  await b?.close();
});

describe('isolation between conversations', () => {
  it("every button of A's video, pressed in B or in a topic of A's chat, is refused and does nothing", async () => {
    const buttons = b.outbox.in('A').find((m) => m.kind === 'video')!.buttons!.flat();
    expect(buttons.length).toBeGreaterThanOrEqual(2);
    const aSession = await sessionOf('A');
    const calls = b.sim.requests.length;
    for (const btn of buttons) {
      expect((await b.send('B', '', { button: { id: btn.id } })).outcome).toBe('answered');
      expect((await b.send('A', '', { button: { id: btn.id }, threadId: 'topic-1', conversationKey: conversationKey('test', 'A', 'topic-1') })).outcome).toBe('answered');
    }
    const foreign = t('en', 'button.foreign');
    expect(b.outbox.in('B').filter((m) => m.text === foreign)).toHaveLength(buttons.length);
    expect(b.outbox.in('A').filter((m) => m.text === foreign)).toHaveLength(buttons.length);
    expect(b.sim.requests.slice(calls)).toEqual([]); // nothing reached Nemo
    expect(await sessionOf('A')).toBe(aSession); // "New project" did not reset A
  });

  it('crafted button ids (unknown, huge, wildcards, traversal, another key) are answered as expired', async () => {
    const keys = new Keys(b.config.QUEUE_PREFIX);
    for (const id of ['nope', 'x'.repeat(5000), '*', '../../btn/*', `}:session`, keys.session(conversationKey('test', 'A')), '']) {
      const res = await b.send('B', '', { button: { id } });
      expect(res.outcome).toBe('answered');
    }
    expect(b.outbox.in('B').filter((m) => m.text === t('en', 'button.expired')).length).toBeGreaterThanOrEqual(6);
  });

  it("/cancel in B leaves A's running turn alone; A's video still comes", async () => {
    const videos = b.outbox.in('A').filter((m) => m.kind === 'video').length;
    await b.send('A', 'make a video of a blue kite');
    await b.outbox.waitFor(() => b.outbox.in('A').some((m) => /Starting now|Working|Generating/.test(m.edits.at(-1) ?? '')));
    await b.send('B', '/cancel', { command: { name: 'cancel', args: '' } });
    await b.outbox.waitFor(() => b.outbox.in('B').find((m) => m.text === t('en', 'cancel.none')));
    await b.outbox.waitFor(() => b.outbox.in('A').filter((m) => m.kind === 'video').length === videos + 1, 30_000);
    expect(b.outbox.textsIn('A').some((x) => /Cancelled/.test(x))).toBe(false);
  });

  it("/status, /export and /new in a fresh conversation show, export and reset only its own (empty) project", async () => {
    const aSession = await sessionOf('A');
    const renders = b.sim.requestsTo('render_start').length;
    await b.send('C', '/status', { command: { name: 'status', args: '' } });
    await b.send('C', '/export', { command: { name: 'export', args: '' } });
    await b.send('C', '/new', { command: { name: 'new', args: '' } });
    await b.outbox.waitFor(() => b.outbox.textsIn('C').some((x) => x.includes(t('en', 'new.done'))));
    await b.outbox.waitFor(() => b.outbox.textsIn('C').filter((x) => x.includes(t('en', 'status.none')) || x.includes(t('en', 'export.nothing'))).length >= 2);
    expect(b.outbox.textsIn('C').some((x) => /balloon|kite|Timeline/.test(x))).toBe(false);
    expect(b.sim.requestsTo('render_start').length).toBe(renders);
    expect(await sessionOf('A')).toBe(aSession);
  });

  it('at Nemo, every session and render is only ever touched with the token of the conversation that owns it', () => {
    const owner = new Map<string, string>();
    for (const s of b.sim.sessions.values()) owner.set(s.id, s.token);
    for (const r of b.sim.renders.values()) owner.set(r.id, b.sim.sessions.get(r.sessionId)!.token);
    const touched = b.sim.requests.filter((r) => r.token && r.endpoint !== 'create_session');
    let checked = 0;
    for (const r of touched) {
      const id = r.sessionId ?? /lambda\/([^/]+)/.exec(r.path)?.[1] ?? /proxy\/([^/]+)\/download/.exec(r.path)?.[1];
      if (!id || !owner.has(id)) continue;
      expect(r.token, `${r.endpoint} ${r.path}`).toBe(owner.get(id));
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
    expect(b.sim.violations).toEqual([]);
  });
});
