/**
 * Every endpoint round trip against the simulator, in both error envelopes/styles and both render
 * poll shapes: headers on the wire, request bodies, normalized results.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nemoClientOptionsFromConfig, registrationUrl } from '../../src/nemo/client.js';
import { loadConfig } from '../../src/platforms/config.js';
import { isReadyToExport, summarizeTimeline } from '../../src/nemo/draft.js';
import type { CredentialHandle, RenderStatus } from '../../src/nemo/types.js';
import { anonHandle, handle, nemoError, rig, WEB_URL, type Rig } from './helpers.js';
import type { NemoClient } from '../../src/nemo/client.js';
import { timelineWords } from '../../src/core/i18n.js';

const words = timelineWords('en');

const tmp = (name: string) => join(tmpdir(), `nemo-test-${process.pid}-${Date.now()}-${name}`);

async function waitForRender(client: NemoClient, auth: CredentialHandle, id: string): Promise<RenderStatus> {
  for (let i = 0; i < 100; i++) {
    const s = await client.pollRender(auth, id);
    if (s.status === 'completed' || s.status === 'failed') return s;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error('render did not finish');
}

describe('config mapping', () => {
  it('converts units and copies every Nemo setting', () => {
    const cfg = loadConfig({ NEMO_SSE_MAX_EVENT_KB: '64', NEMO_UPLOAD_MAX_MB: '10', NEMO_SKILL_SOURCE: 'src', NEMO_API_URL: 'http://x.test/' });
    const o = nemoClientOptionsFromConfig(cfg);
    expect(o).toMatchObject({
      apiUrl: 'http://x.test',
      webUrl: 'https://nemovideo.com',
      skill: { source: 'src', version: '1.9', platform: 'unknown' },
      sseMaxEventBytes: 65536,
      uploadMaxBytes: 10 * 1024 * 1024,
      sseTimeoutMs: 900_000,
      sseIdleTimeoutMs: 600_000,
      rateLimitRetryMs: 30_000,
    });
    expect(registrationUrl('https://w.test/', { token: 't', anonymous: true, userId: 'anon_1' })).toBe('https://w.test/register?bind=anon_1');
    expect(registrationUrl('https://w.test', { token: 't', anonymous: false, userId: 'usr_1' })).toBeUndefined();
  });
});

for (const errorStyle of ['http', 'code200'] as const) {
  for (const renderShape of ['top-level', 'data'] as const) {
    describe(`round trips (errorStyle ${errorStyle}, renderShape ${renderShape})`, () => {
      let r: Rig;
      beforeAll(async () => {
        r = await rig({ errorStyle, renderShape });
      });
      afterAll(() => r.close());

      it('anonymous token → session → claim link → credits → generate → state → render → download', async () => {
        const { sim, client } = r;
        const auth = await anonHandle(client, 'client-roundtrip-1');
        expect(auth.credential).toMatchObject({ anonymous: true, clientId: 'client-roundtrip-1' });
        expect(auth.credential.userId).toMatch(/^anon_/);
        expect(auth.credential.expiresAt).toBeTruthy();
        const [tokReq] = sim.requestsTo('anonymous_token');
        expect(tokReq!.headers['x-client-id']).toBe('client-roundtrip-1');
        expect(tokReq!.headers['authorization']).toBeUndefined();

        const session = await client.createSession(auth, { language: 'zh-CN' });
        expect(session.sessionId).toMatch(/^\d+$/);
        expect(session.taskId).toMatch(/^task_/);
        expect(session.userId).toBe(auth.credential.userId);
        expect(sim.requestsTo('create_session')[0]!.body).toEqual({ task_name: 'project', language: 'zh-CN' });

        const link = await client.claimLink(auth, { sessionId: session.sessionId, taskId: session.taskId! });
        expect(link.url).toBe(`${WEB_URL}/workspace/claim?ct=${link.claimToken}`);
        expect(link.url).not.toContain(auth.credential.token);
        expect(link.expiresInS).toBe(604800);
        expect(sim.requestsTo('claim_token')[0]!.body).toEqual({ task_id: session.taskId, session_id: session.sessionId });

        expect(await client.getCredits(auth)).toEqual({ available: 100, frozen: 0, total: 100 });

        const empty = await client.getState(auth, session.sessionId);
        expect(isReadyToExport(empty.draft)).toBe(false);

        const turn = await client.runTurn(auth, session.sessionId, 'generate a video of a city timelapse');
        expect(turn.toolCalls).toEqual(['generate_video_with_seedance']);
        const [sseReq] = sim.requestsTo('run_sse');
        expect(sseReq!.body).toEqual({ app_name: 'nemo_agent', user_id: 'me', session_id: session.sessionId, new_message: { parts: [{ text: 'generate a video of a city timelapse' }] } });
        expect(sseReq!.headers['accept']).toBe('text/event-stream');

        const state = await client.getState(auth, session.sessionId);
        expect(state).toMatchObject({ sessionId: session.sessionId, taskId: session.taskId });
        expect(state.videoInfos.length).toBe(1);
        expect(state.canvasConfig).toMatchObject({ aspect_ratio: '16:9' });
        expect(isReadyToExport(state.draft)).toBe(true);
        expect(summarizeTimeline(state.draft, { words })).toBe('Timeline (2 tracks): 1. Video: animated clip (0-5s) 2. BGM: Lo-fi (0-5s, 35%)');
        expect(await client.getCredits(auth)).toEqual({ available: 0, frozen: 0, total: 0 });

        const renderId = client.newRenderId();
        expect(renderId).toMatch(/^render_\d+_[0-9a-f]+$/);
        expect(await client.startRender(auth, { sessionId: session.sessionId, draft: state.draft!, renderId })).toBe(renderId);
        expect(sim.requestsTo('render_start')[0]!.body).toEqual({ id: renderId, sessionId: session.sessionId, draft: state.draft, output: { format: 'mp4', quality: 'high' } });
        const first = await client.pollRender(auth, renderId);
        expect(['pending', 'processing']).toContain(first.status);
        const done = await waitForRender(client, auth, renderId);
        expect(done).toMatchObject({ id: renderId, status: 'completed', progress: 100 });
        expect(done.outputUrl).toBe(`${sim.url}/cdn/render-result/${renderId}.mp4`);

        const dest = tmp('out.mp4');
        try {
          const dl = await client.downloadRender(auth, { renderId, outputUrl: done.outputUrl, destPath: dest, maxBytes: 10 * 1024 * 1024 });
          expect(dl).toEqual({ bytes: sim.fixture.bytes.length, via: 'output_url' });
          expect((await readFile(dest)).equals(sim.fixture.bytes)).toBe(true);
          const [outReq] = sim.requestsTo('output');
          expect(outReq!.headers['authorization']).toBeUndefined(); // plain GET to the CDN
        } finally {
          await rm(dest, { force: true });
        }

        // Every authenticated request carried Bearer + the three skill headers; X-Client-Id only on anonymous-token.
        for (const req of sim.requests.filter((q) => q.endpoint !== 'output')) {
          expect(req.headers['x-skill-source'], req.path).toBe('nemo-bot-test');
          expect(req.headers['x-skill-version']).toBe('1.9');
          expect(req.headers['x-skill-platform']).toBe('test');
          if (req.endpoint === 'anonymous_token') continue;
          expect(req.headers['authorization']).toBe(`Bearer ${auth.credential.token}`);
          expect(req.headers['x-client-id'], req.path).toBeUndefined();
        }
      });

      it('output URL 404 → proxy download with Bearer; cancel; failed render; unknown render', async () => {
        const { sim, client } = r;
        const auth = handle({ token: `static-${errorStyle}-${renderShape}`, anonymous: false });
        sim.addToken(auth.credential.token, { credits: 1000 });
        const session = await client.createSession(auth);
        await client.runTurn(auth, session.sessionId, 'animate this clip');
        const { draft } = await client.getState(auth, session.sessionId);

        const id = client.newRenderId();
        await client.startRender(auth, { sessionId: session.sessionId, draft: draft!, renderId: id });
        const done = await waitForRender(client, auth, id);
        sim.fault({ endpoint: 'output', kind: 'not-found' });
        const dest = tmp('fallback.mp4');
        try {
          const dl = await client.downloadRender(auth, { renderId: id, outputUrl: done.outputUrl, destPath: dest, maxBytes: 10 * 1024 * 1024 });
          expect(dl.via).toBe('fallback');
          expect((await readFile(dest)).equals(sim.fixture.bytes)).toBe(true);
          const fb = sim.requestsTo('render_download').at(-1)!;
          expect(fb.path).toBe(`/api/render/proxy/${id}/download`);
          expect(fb.headers['authorization']).toBe(`Bearer ${auth.credential.token}`);
          // No output URL at all → straight to the fallback.
          expect((await client.downloadRender(auth, { renderId: id, destPath: dest, maxBytes: 10 * 1024 * 1024 })).via).toBe('fallback');
        } finally {
          await rm(dest, { force: true });
        }

        // Over the byte limit: the partial file is deleted.
        const small = tmp('small.mp4');
        const tooBig = await nemoError(client.downloadRender(auth, { renderId: id, outputUrl: done.outputUrl, destPath: small, maxBytes: 1000 }));
        expect(tooBig.kind).toBe('download_too_large');
        await expect(stat(small)).rejects.toThrow();
        sim.fault({ endpoint: 'output', kind: 'flood' });
        expect((await nemoError(client.downloadRender(auth, { renderId: id, outputUrl: done.outputUrl, destPath: small, maxBytes: 200_000 }))).kind).toBe('download_too_large');
        await expect(stat(small)).rejects.toThrow();

        // Cancel a running render: it then reports failed.
        const id2 = client.newRenderId();
        await client.startRender(auth, { sessionId: session.sessionId, draft: draft!, renderId: id2 });
        await client.cancelRender(auth, id2);
        expect(sim.requestsTo('render_cancel').at(-1)!.path).toBe(`/api/render/proxy/lambda/${id2}/cancel`);
        expect(await client.pollRender(auth, id2)).toMatchObject({ status: 'failed', error: 'cancelled' });

        // A render the backend reports failed.
        const id3 = client.newRenderId();
        await client.startRender(auth, { sessionId: session.sessionId, draft: draft!, renderId: id3 });
        sim.fault({ endpoint: 'render_poll', kind: 'error', message: 'Lambda crashed' });
        expect(await client.pollRender(auth, id3)).toMatchObject({ id: id3, status: 'failed', error: 'Lambda crashed' });

        expect((await nemoError(client.pollRender(auth, 'render_nope'))).kind).toBe('render_not_found');
        await client.cancelRender(auth, 'render_nope'); // 404 on cancel is logged, not thrown
      });
    });
  }
}
