/**
 * The simulator, driven over loopback with plain fetch exactly as a client would: the happy path end
 * to end, both render shapes and error styles, auth/session/credit errors, every turn kind and every
 * fault kind. Each check reads the raw wire so that the simulator's format, not a parser's, is tested.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNemoSim, type NemoSim, type SimOptions } from '../../nemo-sim/index.js';

const SKILL = { 'x-skill-source': 'nemo-bot', 'x-skill-version': '0.1.0', 'x-skill-platform': 'test' };
const PNG = readFileSync(new URL('../fixtures/input.png', import.meta.url));
const JPG = readFileSync(new URL('../fixtures/input.jpg', import.meta.url));

const sims: NemoSim[] = [];
async function sim(opts: Partial<SimOptions> = {}): Promise<NemoSim> {
  const s = await startNemoSim(opts);
  sims.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
});

const auth = (token: string, extra: Record<string, string> = {}) => ({ ...SKILL, authorization: `Bearer ${token}`, ...extra });
const jsonHeaders = (token: string) => auth(token, { 'content-type': 'application/json' });

async function anonToken(s: NemoSim, clientId = randomUUID()): Promise<{ token: string; userId: string }> {
  const r = await fetch(`${s.url}/api/auth/anonymous-token`, { method: 'POST', headers: { ...SKILL, 'x-client-id': clientId } });
  const b = (await r.json()) as { code: number; data: { token: string; user_id: string; credits: number; expires_at: string } };
  expect(r.status).toBe(200);
  return { token: b.data.token, userId: b.data.user_id };
}

async function newSession(s: NemoSim, token: string): Promise<string> {
  const r = await fetch(`${s.url}/api/tasks/me/with-session/nemo_agent`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ task_name: 'project', language: 'en' }) });
  const b = (await r.json()) as { code: number; data: { session_id: string; task_id: string } };
  expect(b.code).toBe(0);
  return b.data.session_id;
}

function sse(s: NemoSim, token: string, sid: string, text: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${s.url}/run_sse`, {
    method: 'POST',
    headers: { ...jsonHeaders(token), accept: 'text/event-stream' },
    body: JSON.stringify({ app_name: 'nemo_agent', user_id: 'me', session_id: sid, new_message: { parts: [{ text }] } }),
    signal,
  });
}

/** Split raw SSE text into blocks and sort them: JSON data events, other data lines, comments, named events. */
function parseSse(raw: string) {
  const events: Array<Record<string, any>> = [];
  const badData: string[] = [];
  let comments = 0, named = 0, emptyData = 0, jsonHeartbeats = 0;
  for (const block of raw.split('\n\n').filter((b) => b.length > 0)) {
    if (block.startsWith(':')) { comments++; continue; }
    if (block.startsWith('event: heartbeat')) { named++; continue; }
    const data = block.replace(/^data: ?/, '');
    if (data === '') { emptyData++; continue; }
    try {
      const v = JSON.parse(data) as Record<string, any>;
      if (v['type'] === 'heartbeat') jsonHeartbeats++;
      else events.push(v);
    } catch {
      badData.push(data);
    }
  }
  const parts = events.flatMap((e) => (e['content']?.parts ?? []) as Array<Record<string, any>>);
  return { events, badData, comments, named, emptyData, jsonHeartbeats, parts, texts: parts.filter((p) => 'text' in p).map((p) => p['text'] as string) };
}

/** Read a body for up to `ms`: what arrived, whether it ended cleanly, and whether it broke. */
async function readFor(r: Response, ms: number, maxBytes = Infinity): Promise<{ text: string; bytes: number; done: boolean; error?: unknown }> {
  const reader = r.body!.getReader();
  const dec = new TextDecoder();
  let text = '', bytes = 0;
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline && bytes < maxBytes) {
      const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), Math.max(1, deadline - Date.now())));
      const chunk = await Promise.race([reader.read(), timer]);
      if (chunk === 'timeout') break;
      if (chunk.done) return { text, bytes, done: true };
      bytes += chunk.value.length;
      if (text.length < 1_000_000) text += dec.decode(chunk.value, { stream: true });
    }
  } catch (error) {
    return { text, bytes, done: false, error };
  }
  await reader.cancel().catch(() => undefined);
  return { text, bytes, done: false };
}

async function state(s: NemoSim, token: string, sid: string): Promise<any> {
  const r = await fetch(`${s.url}/api/state/nemo_agent/me/${sid}/latest`, { headers: auth(token) });
  return r.json();
}

async function pollUntilDone(s: NemoSim, token: string, id: string): Promise<{ bodies: any[] }> {
  const bodies: any[] = [];
  for (let i = 0; i < 60; i++) {
    const r = await fetch(`${s.url}/api/render/proxy/lambda/${id}`, { headers: auth(token) });
    const b = (await r.json()) as any;
    bodies.push(b);
    const status = (b.data ?? b).status;
    if (status === 'completed' || status === 'failed') break;
    await new Promise((res) => setTimeout(res, 40));
  }
  return { bodies };
}

/** A session that already has a generated draft (fast sim: generate forced). */
async function readySession(s: NemoSim): Promise<{ token: string; sid: string }> {
  const { token } = await anonToken(s);
  const sid = await newSession(s, token);
  s.nextTurn('generate', sid);
  await (await sse(s, token, sid, 'go')).text();
  return { token, sid };
}

describe('nemo-sim happy path', () => {
  let s: NemoSim;
  beforeAll(async () => {
    s = await sim();
  });

  it('token → session → uploads → generation → state → render → output + fallback download', async () => {
    const clientId = randomUUID();
    const { token, userId } = await anonToken(s, clientId);
    expect(token).toMatch(/^nmv_usr_anon_/);
    expect(userId).toBeUndefined(); // the official examples show {token, credits} only
    const sid = await newSession(s, token);
    expect((await state(s, token, sid)).data.user_id).toMatch(/^anon_/); // the bind id comes with the state
    expect(sid).toMatch(/^\d{19}$/);

    const fd = new FormData();
    fd.append('files', new Blob([PNG], { type: 'image/png' }), 'input.png');
    fd.append('files', new Blob([JPG], { type: 'image/jpeg' }), 'input.jpg');
    let r = await fetch(`${s.url}/api/upload-video/nemo_agent/me/${sid}`, { method: 'POST', headers: auth(token), body: fd });
    let b = (await r.json()) as any;
    expect(b.code).toBe(0);
    expect(b.data.session_state_applied).toBe(true);
    expect(b.data.files).toHaveLength(2);
    expect(b.data.files[0]).toMatchObject({ filename: 'input.png', file_type: 'image', width: 160, height: 90 });
    expect(s.requestsTo('upload')[0]!.body).toEqual({ files: [{ field: 'files', filename: 'input.png', size: PNG.length }, { field: 'files', filename: 'input.jpg', size: JPG.length }] });

    r = await fetch(`${s.url}/api/upload-video/nemo_agent/me/${sid}`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ urls: ['https://cdn.example.com/a/clip.mp4'], source_type: 'url' }) });
    b = await r.json();
    expect(b.data.files[0]).toMatchObject({ filename: 'clip.mp4', file_type: 'video', duration: 5, width: 1920 });
    expect(s.sessions.get(sid)!.uploads.map((u) => u.viaUrl)).toEqual([undefined, undefined, 'https://cdn.example.com/a/clip.mp4']);

    // Generation turn: raw ADK stream with all four heartbeat forms, ended by the server closing it.
    r = await sse(s, token, sid, 'turn this image into a 5-second animated video clip');
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const raw = await r.text();
    const p = parseSse(raw);
    expect(p.comments).toBeGreaterThan(0);
    expect(p.named).toBeGreaterThan(0);
    expect(p.emptyData).toBeGreaterThan(0);
    expect(p.jsonHeartbeats).toBeGreaterThan(0);
    expect(p.badData).toEqual([]);
    for (const e of p.events) expect(Object.keys(e)).toEqual(expect.arrayContaining(['content', 'invocationId', 'author', 'id', 'timestamp']));
    expect(p.parts.find((x) => x['functionCall'])!['functionCall']).toMatchObject({ name: 'generate_video_with_seedance', args: { prompt: 'turn this image into a 5-second animated video clip' } });
    expect(p.parts.some((x) => x['functionResponse']?.name === 'generate_video_with_seedance')).toBe(true);
    expect(p.texts).toEqual(["I'll generate your video now…", 'Your 5-second clip is ready! Click Export to download it.', 'I encountered a temporary issue. Please try again.']);
    expect(raw).not.toMatch(/function_call|invocation_id/);

    const st = await state(s, token, sid);
    const draft = st.data.state.draft;
    expect(draft.t[0]).toMatchObject({ tt: 0, sg: [{ st: 0, d: 5000, m: { name: 'input.png' } }] });
    expect(draft.t[1]).toMatchObject({ tt: 1, sg: [{ d: 5000, m: { name: 'Lo-fi', volume: 0.35 } }] });
    expect(st.data.state.generated_media).toHaveLength(1);

    // Render: skill headers required, duplicate id refused, polls move to completed.
    const id = `render_${Date.now()}`;
    const body = JSON.stringify({ id, sessionId: sid, draft, output: { format: 'mp4', quality: 'high' } });
    r = await fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    expect(r.status).toBe(402);
    r = await fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: jsonHeaders(token), body });
    expect(await r.json()).toEqual({ success: true, data: { id, status: 'pending', progress: 0 } });
    r = await fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: jsonHeaders(token), body });
    expect(r.status).toBe(409);
    expect(await r.json()).toMatchObject({ success: false, error: 'duplicate render id' });
    const { bodies } = await pollUntilDone(s, token, id);
    expect(bodies.map((x) => x.status)).toContain('processing');
    const last = bodies.at(-1);
    expect(last).toMatchObject({ status: 'completed', progress: 100, output: { url: `${s.url}/cdn/render-result/${id}.mp4` } });
    expect(s.renders.get(id)).toMatchObject({ startPosts: 2, status: 'completed' });

    r = await fetch(last.output.url);
    expect(Buffer.from(await r.arrayBuffer()).equals(s.fixture.bytes)).toBe(true);
    r = await fetch(last.output.url, { method: 'HEAD' });
    expect(r.headers.get('content-length')).toBe(String(s.fixture.bytes.length));
    r = await fetch(last.output.url, { headers: { range: 'bytes=0-7' } });
    expect(r.status).toBe(206);
    expect(Buffer.from(await r.arrayBuffer()).toString('latin1', 4, 8)).toBe('ftyp');

    r = await fetch(`${s.url}/api/render/proxy/${id}/download`, { headers: SKILL });
    expect(r.status).toBe(401);
    r = await fetch(`${s.url}/api/render/proxy/${id}/download`, { headers: auth(token) });
    expect(Buffer.from(await r.arrayBuffer()).equals(s.fixture.bytes)).toBe(true);
    expect(s.fixture).toMatchObject({ width: 1920, height: 1080, durationS: 5 });
    expect(s.fixture.bytes.length).toBeLessThan(200 * 1024);

    // Credits are spent: the next generation answers 2001 as JSON, not a stream.
    r = await fetch(`${s.url}/api/credits/balance/simple`, { headers: auth(token) });
    expect(await r.json()).toEqual({ code: 0, data: { available: 0, frozen: 0, total: 0 } });
    r = await sse(s, token, sid, 'make another video');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await r.json()).toEqual({ code: 2001, message: 'Insufficient credits' });

    // The request log keeps lower-cased headers.
    const first = s.requestsTo('anonymous_token').find((x) => x.headers['x-client-id'] === clientId)!;
    expect(first).toMatchObject({ method: 'POST', path: '/api/auth/anonymous-token' });
    const sseReq = s.requestsTo('run_sse')[0]!;
    expect(sseReq).toMatchObject({ token, sessionId: sid });
    expect(sseReq.headers).toMatchObject({ 'x-skill-source': 'nemo-bot', accept: 'text/event-stream', authorization: `Bearer ${token}` });
    expect(s.sessions.get(sid)).toMatchObject({ turns: 2, activeTurns: 0, userId: expect.stringMatching(/^anon_/) });
    // The render POST without attribution headers and the download without a token are on record.
    expect(s.violations.map((v) => v.rule)).toEqual(['skill-headers', 'bearer']);
    s.violations.length = 0;
  });

  it('claim token, credits frozen during a turn, concurrency count', async () => {
    const { token } = await anonToken(s);
    const sid = await newSession(s, token);
    const task = s.sessions.get(sid)!.taskId;
    let r = await fetch(`${s.url}/api/auth/claim-token`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ task_id: task, session_id: sid }) });
    expect(await r.json()).toMatchObject({ code: 0, data: { claim_token: expect.stringMatching(/^clm_/), expires_in: 604800 } });

    s.maxConcurrentTurnsPerSession = 0;
    const a = await sse(s, token, sid, 'generate a video of a cat');
    const c = await sse(s, token, sid, 'hello there');
    r = await fetch(`${s.url}/api/credits/balance/simple`, { headers: auth(token) });
    expect(await r.json()).toEqual({ code: 0, data: { available: 0, frozen: 100, total: 100 } });
    expect(s.sessions.get(sid)!.activeTurns).toBe(2);
    await Promise.all([a.text(), c.text()]);
    expect(s.maxConcurrentTurnsPerSession).toBe(2);
  });
});

describe('nemo-sim variants and errors', () => {
  it('render poll shape "data" and errorStyle code200, with a static token', async () => {
    const s = await sim({ renderShape: 'data', errorStyle: 'code200', turnMs: 20, renderStepMs: 30, staticTokens: { nmv_usr_fixed: { credits: 500 } } });
    const sid = await newSession(s, 'nmv_usr_fixed');
    await (await sse(s, 'nmv_usr_fixed', sid, 'animate it')).text();
    const draft = (await state(s, 'nmv_usr_fixed', sid)).data.state.draft;
    await fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: jsonHeaders('nmv_usr_fixed'), body: JSON.stringify({ id: 'render_r1', sessionId: sid, draft, output: { format: 'mp4', quality: 'high' } }) });
    const last = (await pollUntilDone(s, 'nmv_usr_fixed', 'render_r1')).bodies.at(-1);
    expect(last).toMatchObject({ success: true, data: { id: 'render_r1', status: 'completed', progress: 100, outputUrl: `${s.url}/cdn/render-result/render_r1.mp4` } });
    const r = await fetch(`${s.url}/api/credits/balance/simple`, { headers: auth('nmv_usr_nope') });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ code: 1001 });
  });

  it('anonymous tokens: 400 without client id, 429 while valid, 1001 after expiry, same user after renewal', async () => {
    const s = await sim({ returnUserId: true });
    let r = await fetch(`${s.url}/api/auth/anonymous-token`, { method: 'POST', headers: SKILL });
    expect(r.status).toBe(400);
    const clientId = randomUUID();
    const first = await anonToken(s, clientId);
    r = await fetch(`${s.url}/api/auth/anonymous-token`, { method: 'POST', headers: { ...SKILL, 'x-client-id': clientId } });
    expect(r.status).toBe(429);
    const sid = await newSession(s, first.token);
    s.expireToken(first.token);
    r = await fetch(`${s.url}/api/credits/balance/simple`, { headers: auth(first.token) });
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ code: 1001 });
    const second = await anonToken(s, clientId);
    expect(second.token).not.toBe(first.token);
    expect(second.userId).toBe(first.userId);
    expect((await state(s, second.token, sid)).code).toBe(0);
  });

  it('sessions: 1002 after dropSession, ADK 404 on run_sse, never another user\'s session', async () => {
    const s = await sim();
    const a = await anonToken(s);
    const b = await anonToken(s);
    const sid = await newSession(s, a.token);
    let r = await fetch(`${s.url}/api/state/nemo_agent/me/${sid}/latest`, { headers: auth(b.token) });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ code: 1002 });
    r = await sse(s, b.token, sid, 'hello');
    expect(r.status).toBe(404);
    s.dropSession(sid);
    r = await fetch(`${s.url}/api/state/nemo_agent/me/${sid}/latest`, { headers: auth(a.token) });
    expect(await r.json()).toMatchObject({ code: 1002 });
    r = await sse(s, a.token, sid, 'hello');
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ detail: 'Session not found' });
    r = await fetch(`${s.url}/api/state/nemo_agent/anon_x/${sid}/latest`, { headers: auth(a.token) });
    expect(r.status).toBe(404);
  });

  it("a personal (registered) token reaches none of another account's session or render: upload, claim, render start, poll, cancel", async () => {
    const s = await sim({ renderStepMs: 5_000 });
    const { token, sid } = await readySession(s);
    s.addToken('nmv_usr_someone_else_0001', { credits: 1000 });
    const other = 'nmv_usr_someone_else_0001';
    const draft = (await state(s, token, sid)).data.state.draft;
    const renderBody = (id: string) => JSON.stringify({ id, sessionId: sid, draft, output: { format: 'mp4', quality: 'high' } });
    let r = await fetch(`${s.url}/api/upload-video/nemo_agent/me/${sid}`, { method: 'POST', headers: jsonHeaders(other), body: JSON.stringify({ urls: ['https://cdn.example.com/a/clip.mp4'], source_type: 'url' }) });
    expect(((await r.json()) as any).code).toBe(1002);
    r = await fetch(`${s.url}/api/auth/claim-token`, { method: 'POST', headers: jsonHeaders(other), body: JSON.stringify({ task_id: s.sessions.get(sid)!.taskId, session_id: sid }) });
    expect(((await r.json()) as any).code).toBe(1002);
    r = await fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: jsonHeaders(other), body: renderBody('render_foreign') });
    expect(r.ok).toBe(false);
    expect(s.renders.has('render_foreign')).toBe(false);
    // The owner's render: the other account can neither see nor cancel it.
    expect((await fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: jsonHeaders(token), body: renderBody('render_mine') })).status).toBe(200);
    expect((await fetch(`${s.url}/api/render/proxy/lambda/render_mine`, { headers: auth(other) })).status).toBe(404);
    r = await fetch(`${s.url}/api/render/proxy/lambda/render_mine/cancel`, { method: 'POST', headers: auth(other) });
    expect(r.ok).toBe(false);
    expect(s.renders.get('render_mine')!.status).not.toBe('failed');
  });

  it('upload errors: 4001 bad extension (file and url), 4002 too large, 400 without "files"', async () => {
    const s = await sim({ maxUploadBytes: 4000 });
    const { token } = await anonToken(s);
    const sid = await newSession(s, token);
    const up = (fd: FormData) => fetch(`${s.url}/api/upload-video/nemo_agent/me/${sid}`, { method: 'POST', headers: auth(token), body: fd });
    let fd = new FormData();
    fd.append('files', new Blob([PNG]), 'evil.exe');
    let r = await up(fd);
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: 4001 });
    fd = new FormData();
    fd.append('files', new Blob([JPG]), 'input.jpg');
    r = await up(fd);
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ code: 4002 });
    fd = new FormData();
    fd.append('file', new Blob([PNG]), 'input.png');
    expect((await up(fd)).status).toBe(400);
    r = await fetch(`${s.url}/api/upload-video/nemo_agent/me/${sid}`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ urls: ['https://x.example/a.exe'], source_type: 'url' }) });
    expect(await r.json()).toMatchObject({ code: 4001 });
    expect(s.sessions.get(sid)!.uploads).toEqual([]);
  });

  it('turn kinds: question, edit-silent, edit-text, chat, forced kinds', async () => {
    const s = await sim({ turnMs: 20, editTurnMs: 20, heartbeatMs: 10, initialCredits: 1000 });
    const { token, sid } = await readySession(s);
    let p = parseSse(await (await sse(s, token, sid, 'surprise me with a style')).text());
    expect(p.texts).toEqual([]);
    expect(p.parts[0]!['functionCall']).toMatchObject({ name: 'ask_question', args: { question: 'Which style do you want?', allow_multiple: false, options: [{ id: 'cinematic', label: 'Cinematic' }, { id: 'anime', label: 'Anime' }, { id: 'realistic', label: 'Realistic' }] } });

    p = parseSse(await (await sse(s, token, sid, 'add a title "Hello World"')).text());
    expect(p.texts).toEqual([]);
    expect(p.parts.map((x) => (x['functionCall'] ?? x['functionResponse'])?.name)).toEqual(['edit_multitrack', 'edit_multitrack']);
    let draft = (await state(s, token, sid)).data.state.draft;
    expect(draft.t.find((t: any) => t.tt === 7)).toMatchObject({ sg: [{ st: 0, d: 3000, m: { text: 'Hello World' } }] });

    p = parseSse(await (await sse(s, token, sid, 'change the music to jazz')).text());
    expect(p.texts).toHaveLength(1);
    draft = (await state(s, token, sid)).data.state.draft;
    expect(draft.t.find((t: any) => t.tt === 1).sg[0].m.name).toBe('Chill Jazz');

    p = parseSse(await (await sse(s, token, sid, 'thanks!')).text());
    expect(p.texts).toHaveLength(1);
    expect(p.parts).toHaveLength(1);

    s.nextTurn('edit-silent', sid);
    p = parseSse(await (await sse(s, token, sid, 'hello')).text());
    expect(p.texts).toEqual([]);
    s.options.trailingNoise = false;
    s.nextTurn('generate');
    p = parseSse(await (await sse(s, token, sid, 'hello')).text());
    expect(p.texts.at(-1)).toBe('Your 5-second clip is ready! Click Export to download it.');
  });
});

describe('nemo-sim faults', () => {
  let s: NemoSim;
  let token: string;
  let sid: string;
  beforeAll(async () => {
    s = await sim({ turnMs: 60, editTurnMs: 20, heartbeatMs: 20, renderStepMs: 20, initialCredits: 100_000 });
    ({ token, sid } = await readySession(s));
  });

  it('run_sse error / not-found', async () => {
    s.fault({ endpoint: 'run_sse', kind: 'error', status: 500, message: 'boom' });
    let r = await sse(s, token, sid, 'hi');
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ code: 500, message: 'boom' });
    s.fault({ endpoint: 'run_sse', kind: 'error', code: 2001, message: 'Insufficient credits' });
    r = await sse(s, token, sid, 'hi');
    expect([r.status, await r.json()]).toEqual([200, { code: 2001, message: 'Insufficient credits' }]);
    s.fault({ endpoint: 'run_sse', kind: 'not-found' });
    r = await sse(s, token, sid, 'hi');
    expect([r.status, await r.json()]).toEqual([404, { detail: 'Session not found' }]);
  });

  it('run_sse drop: the wire breaks after N events but the turn still completes on the server', async () => {
    const { token: t2 } = await anonToken(s);
    const sid2 = await newSession(s, t2);
    s.fault({ endpoint: 'run_sse', kind: 'drop', afterEvents: 1 });
    const got = await readFor(await sse(s, t2, sid2, 'generate a video'), 2000);
    expect(got.error).toBeDefined();
    expect(parseSse(got.text).events).toHaveLength(1);
    let tracks = 0;
    for (let i = 0; i < 50 && tracks === 0; i++) {
      await new Promise((res) => setTimeout(res, 40));
      tracks = (await state(s, t2, sid2)).data.state.draft.t.length;
    }
    expect(tracks).toBeGreaterThan(0);
  });

  it('run_sse stall, heartbeat-only, garbage, flood, stream-error (both forms)', async () => {
    s.fault({ endpoint: 'run_sse', kind: 'stall', afterEvents: 1 });
    let got = await readFor(await sse(s, token, sid, 'generate a video'), 250);
    expect(got.done).toBe(false);
    expect(parseSse(got.text).events).toHaveLength(1);
    expect(got.text).not.toMatch(/heartbeat/);

    s.fault({ endpoint: 'run_sse', kind: 'heartbeat-only' });
    got = await readFor(await sse(s, token, sid, 'hello'), 250);
    let p = parseSse(got.text);
    expect([got.done, p.events.length]).toEqual([false, 0]);
    expect(p.comments + p.named + p.emptyData + p.jsonHeartbeats).toBeGreaterThan(3);

    s.fault({ endpoint: 'run_sse', kind: 'garbage', afterEvents: 1 });
    p = parseSse(await (await sse(s, token, sid, 'hello')).text());
    expect(p.badData).toContain('{not json');
    expect(p.texts).toHaveLength(1);

    s.fault({ endpoint: 'run_sse', kind: 'flood' });
    got = await readFor(await sse(s, token, sid, 'hello'), 3000, 2 * 1024 * 1024);
    expect(got.bytes).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(got.text.startsWith('data: xxxx')).toBe(true);
    expect(got.text).not.toContain('\n');

    s.fault({ endpoint: 'run_sse', kind: 'stream-error', message: 'model overloaded' });
    let raw = await (await sse(s, token, sid, 'hello')).text();
    expect(raw).toBe('data: {"error":"model overloaded"}\n\n');
    s.fault({ endpoint: 'run_sse', kind: 'stream-error', form: 'system', message: 'model overloaded', afterEvents: 1 });
    raw = await (await sse(s, token, sid, 'generate a video')).text();
    p = parseSse(raw);
    expect(p.events.at(-1)).toMatchObject({ author: 'system', content: { parts: [{ text: 'Error: model overloaded' }] } });
    expect(s.maxConcurrentTurnsPerSession).toBeGreaterThanOrEqual(1);
  });

  it('generic faults on JSON endpoints: delay, drop, garbage, stall, flood, times', async () => {
    const credits = () => fetch(`${s.url}/api/credits/balance/simple`, { headers: auth(token) });
    s.fault({ endpoint: 'credits', kind: 'delay', delayMs: 150 });
    const t0 = Date.now();
    expect((await credits()).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    s.fault({ endpoint: 'credits', kind: 'drop' });
    await expect(credits()).rejects.toThrow();
    s.fault({ endpoint: 'credits', kind: 'garbage' });
    await expect((await credits()).json()).rejects.toThrow();
    s.fault({ endpoint: 'credits', kind: 'stall' });
    await expect(fetch(`${s.url}/api/credits/balance/simple`, { headers: auth(token), signal: AbortSignal.timeout(150) })).rejects.toThrow();
    s.fault({ endpoint: 'credits', kind: 'flood' });
    const got = await readFor(await credits(), 3000, 1024 * 1024);
    expect(got.bytes).toBeGreaterThanOrEqual(1024 * 1024);
    s.fault({ endpoint: 'state', kind: 'error', code: 1002, times: 2 });
    expect((await fetch(`${s.url}/api/state/nemo_agent/me/${sid}/latest`, { headers: auth(token) })).status).toBe(404);
    expect((await fetch(`${s.url}/api/state/nemo_agent/me/${sid}/latest`, { headers: auth(token) })).status).toBe(404);
    expect((await fetch(`${s.url}/api/state/nemo_agent/me/${sid}/latest`, { headers: auth(token) })).status).toBe(200);
    s.fault({ endpoint: 'upload', kind: 'error', code: 4002 });
    const fd = new FormData();
    fd.append('files', new Blob([PNG]), 'input.png');
    const r = await fetch(`${s.url}/api/upload-video/nemo_agent/me/${sid}`, { method: 'POST', headers: auth(token), body: fd });
    expect([r.status, ((await r.json()) as any).code]).toEqual([413, 4002]);
    expect(() => s.fault({ endpoint: 'nope' as never })).toThrow();
  });

  it('render faults: failed render, poll HTTP error, output 404 with working fallback, truncated download', async () => {
    const draft = (await state(s, token, sid)).data.state.draft;
    const start = (id: string) => fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ id, sessionId: sid, draft, output: { format: 'mp4', quality: 'high' } }) });
    await start('render_f1');
    s.fault({ endpoint: 'render_poll', kind: 'error', message: 'GPU node crashed' });
    let r = await fetch(`${s.url}/api/render/proxy/lambda/render_f1`, { headers: auth(token) });
    expect(await r.json()).toMatchObject({ id: 'render_f1', status: 'failed', error: 'GPU node crashed' });
    expect(s.renders.get('render_f1')!.status).toBe('failed');

    await start('render_f2');
    s.fault({ endpoint: 'render_poll', kind: 'error', status: 500 });
    r = await fetch(`${s.url}/api/render/proxy/lambda/render_f2`, { headers: auth(token) });
    expect([r.status, ((await r.json()) as any).success]).toEqual([500, false]);
    const last = (await pollUntilDone(s, token, 'render_f2')).bodies.at(-1);
    expect(last.status).toBe('completed');
    s.fault({ endpoint: 'output' });
    expect((await fetch(last.output.url)).status).toBe(404);
    r = await fetch(`${s.url}/api/render/proxy/render_f2/download`, { headers: auth(token) });
    expect(Buffer.from(await r.arrayBuffer()).equals(s.fixture.bytes)).toBe(true);
    s.fault({ endpoint: 'render_download', kind: 'drop' });
    r = await fetch(`${s.url}/api/render/proxy/render_f2/download`, { headers: auth(token) });
    await expect(r.arrayBuffer()).rejects.toThrow();
    expect((await fetch(`${s.url}/api/render/proxy/lambda/nope`, { headers: auth(token) })).status).toBe(404);

    await start('render_f3');
    r = await fetch(`${s.url}/api/render/proxy/lambda/render_f3/cancel`, { method: 'POST', headers: auth(token) });
    expect(await r.json()).toMatchObject({ success: true, data: { id: 'render_f3', status: 'failed' } });
    r = await start('render_f4');
    expect(r.status).toBe(200);
    r = await fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ id: 'render_f5', sessionId: sid, draft: { t: [] }, output: { format: 'mp4', quality: 'high' } }) });
    expect([r.status, ((await r.json()) as any).success]).toEqual([400, false]);
  });
});

describe('nemo-sim strictness: a request that breaks the contract fails as the backend would, and is recorded', () => {
  it('attribution headers on every endpoint, Accept on run_sse, language, source_type, render id and output', async () => {
    const s = await sim();
    const { token } = await anonToken(s);
    const sid = await newSession(s, token);
    expect(s.violations).toEqual([]);
    // No X-Skill-* on a non-render endpoint: an auth failure (1001), recorded.
    let r = await fetch(`${s.url}/api/credits/balance/simple`, { headers: { authorization: `Bearer ${token}` } });
    expect([r.status, ((await r.json()) as any).code]).toEqual([401, 1001]);
    // run_sse without Accept: text/event-stream.
    r = await fetch(`${s.url}/run_sse`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ app_name: 'nemo_agent', user_id: 'me', session_id: sid, new_message: { parts: [{ text: 'hi' }] } }) });
    expect(r.status).toBe(406);
    // create-session without a language.
    r = await fetch(`${s.url}/api/tasks/me/with-session/nemo_agent`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ task_name: 'project' }) });
    expect(r.status).toBe(422);
    // URL upload without source_type.
    r = await fetch(`${s.url}/api/upload-video/nemo_agent/me/${sid}`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ urls: ['https://x.test/a.png'] }) });
    expect(r.status).toBe(400);
    // Render with a foreign id shape, and without output.
    s.nextTurn('generate', sid);
    await (await sse(s, token, sid, 'go')).text();
    const draft = (await state(s, token, sid)).data.state.draft;
    r = await fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ id: 'draft-cli-1', sessionId: sid, draft, output: { format: 'mp4', quality: 'high' } }) });
    expect(r.status).toBe(400);
    r = await fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: jsonHeaders(token), body: JSON.stringify({ id: 'render_1', sessionId: sid, draft }) });
    expect(r.status).toBe(400);
    // A .jpeg is not on the skill's list (the sim keeps its own list, not the product's).
    const fd = new FormData();
    fd.append('files', new Blob([JPG], { type: 'image/jpeg' }), 'photo.jpeg');
    r = await fetch(`${s.url}/api/upload-video/nemo_agent/me/${sid}`, { method: 'POST', headers: auth(token), body: fd });
    expect(((await r.json()) as any).code).toBe(4001);
    // A path that does not exist.
    r = await fetch(`${s.url}/api/tasks/anon_1/with-session/nemo_agent`, { method: 'POST', headers: jsonHeaders(token), body: '{}' });
    expect(r.status).toBe(404);
    // The token in a URL (the old web-link style), even on a real endpoint.
    r = await fetch(`${s.url}/api/credits/balance/simple?nemo_token=${encodeURIComponent(token)}`, { headers: auth(token) });
    expect(r.status).toBe(200);
    expect(s.violations.map((v) => v.rule)).toEqual(['skill-headers', 'accept-sse', 'session-language', 'upload-source-type', 'render-id', 'render-output', 'route', 'token-in-url']);
    expect(() => s.assertNoViolations()).toThrow(/8 contract violation/);
  });

  it('per-address anonymous-token quota, 2001 mid-stream, 402 for the free plan, user id only in the state', async () => {
    const s = await sim({ anonymousTokensPerAddress: 2, chargeMidStream: true, freePlanExportBlocked: true, generationCost: 100, initialCredits: 100, turnMs: 20, editTurnMs: 20 });
    const a = await anonToken(s);
    await anonToken(s);
    let r = await fetch(`${s.url}/api/auth/anonymous-token`, { method: 'POST', headers: { ...SKILL, 'x-client-id': randomUUID() } });
    expect(r.status).toBe(429);
    expect(((await r.json()) as any).message).toMatch(/quota.*IP/);
    const sid = await newSession(s, a.token);
    await (await sse(s, a.token, sid, 'generate a cat video')).text(); // spends the 100 credits
    const draft = (await state(s, a.token, sid)).data.state.draft;
    r = await sse(s, a.token, sid, 'generate a dog video');
    expect(r.headers.get('content-type')).toMatch(/event-stream/);
    const raw = await r.text();
    expect(raw).toContain("I'll generate your video now");
    expect(raw).toMatch(/"code":2001/);
    r = await fetch(`${s.url}/api/render/proxy/lambda`, { method: 'POST', headers: jsonHeaders(a.token), body: JSON.stringify({ id: 'render_2', sessionId: sid, draft, output: { format: 'mp4', quality: 'high' } }) });
    expect([r.status, ((await r.json()) as any).code]).toEqual([402, 402]);
    expect(s.violations).toEqual([]);
  });
});

describe('nemo-sim control API and shutdown', () => {
  it('drives faults, turns and resets over HTTP', async () => {
    const s = await sim({ turnMs: 20, editTurnMs: 10 });
    const post = (name: string, body: unknown) => fetch(`${s.url}/__sim/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await (await fetch(`${s.url}/__sim/health`)).json()).toMatchObject({ ok: true, url: s.url });
    const { token } = await anonToken(s);
    const sid = await newSession(s, token);
    expect((await post('next-turn', { kind: 'question', sessionId: sid })).status).toBe(200);
    expect(parseSse(await (await sse(s, token, sid, 'hello')).text()).parts[0]!['functionCall'].name).toBe('ask_question');
    expect((await post('fault', { endpoint: 'credits', kind: 'error', status: 503 })).status).toBe(200);
    expect((await post('fault', { endpoint: 'bogus' })).status).toBe(400);
    expect((await fetch(`${s.url}/api/credits/balance/simple`, { headers: auth(token) })).status).toBe(503);
    const reqs = (await (await fetch(`${s.url}/__sim/requests?endpoint=credits`)).json()) as any[];
    expect(reqs).toHaveLength(1);
    expect(reqs[0].headers.authorization).toBe(`Bearer ${token}`);
    await post('credits', { token, available: 7 });
    expect(((await (await fetch(`${s.url}/api/credits/balance/simple`, { headers: auth(token) })).json()) as any).data.available).toBe(7);
    await post('reset', {});
    expect(s.requests).toHaveLength(0);
    await post('drop-session', { sessionId: sid });
    expect(s.sessions.has(sid)).toBe(false);
  });

  it('close() ends open streams', async () => {
    const s = await startNemoSim({ heartbeatMs: 20 });
    const { token } = await anonToken(s);
    const sid = await newSession(s, token);
    s.fault({ endpoint: 'run_sse', kind: 'heartbeat-only' });
    const r = await sse(s, token, sid, 'hello');
    const reading = readFor(r, 5000);
    const t0 = Date.now();
    await s.close();
    const got = await reading;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(got.done || got.error !== undefined).toBe(true);
  });
});
