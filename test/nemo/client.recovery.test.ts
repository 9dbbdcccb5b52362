/**
 * The seed's error table, row by row, driven through the simulator; each test asserts the recovery
 * on the sim's request log (which calls, how many, with which token and client id).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_EXTENSIONS } from '../../src/nemo/types.js';
import { NemoClient } from '../../src/nemo/client.js';
import { anonHandle, clientOptions, handle, nemoError, rig, WEB_URL, type Rig } from './helpers.js';

for (const errorStyle of ['http', 'code200'] as const) {
  describe(`error table (errorStyle ${errorStyle})`, () => {
    let r: Rig;
    beforeAll(async () => {
      r = await rig({ errorStyle });
    });
    afterAll(() => r.close());

    it('1001 (expired anonymous token): one new token with the SAME client id, saved, then one retry', async () => {
      const { sim, client } = r;
      const auth = await anonHandle(client, `cid-1001-${errorStyle}`);
      const session = await client.createSession(auth);
      const oldToken = auth.credential.token;
      const oldUser = auth.credential.userId;
      sim.expireToken(oldToken);
      sim.clearRequests();

      const state = await client.getState(auth, session.sessionId); // the renewed token keeps the same anon user
      expect(state.sessionId).toBe(session.sessionId);
      expect(sim.requests.map((q) => q.endpoint)).toEqual(['state', 'anonymous_token', 'state']);
      expect(sim.requests[1]!.headers['x-client-id']).toBe(`cid-1001-${errorStyle}`);
      expect(sim.requests[0]!.token).toBe(oldToken);
      expect(sim.requests[2]!.token).toBe(auth.credential.token);
      expect(auth.credential.token).not.toBe(oldToken);
      expect(auth.credential).toMatchObject({ anonymous: true, clientId: `cid-1001-${errorStyle}`, userId: oldUser });
      expect(auth.saved).toEqual([auth.credential]);
    });

    it('1010, 1011 and 401 are re-authenticated the same way', async () => {
      const { sim, client } = r;
      for (const f of [{ code: 1010 }, { code: 1011 }, { status: 401 }]) {
        const auth = await anonHandle(client);
        sim.expireToken(auth.credential.token);
        sim.fault({ endpoint: 'credits', ...f, message: 'token invalid' });
        sim.clearRequests();
        await client.getCredits(auth);
        expect(sim.requests.map((q) => q.endpoint), JSON.stringify(f)).toEqual(['credits', 'anonymous_token', 'credits']);
        expect(auth.saved).toHaveLength(1);
      }
    });

    it('concurrent calls share one renewal', async () => {
      const { sim, client } = r;
      const auth = await anonHandle(client);
      sim.expireToken(auth.credential.token);
      sim.clearRequests();
      await Promise.all([client.getCredits(auth), client.getCredits(auth), client.getCredits(auth)]);
      expect(sim.requestsTo('anonymous_token')).toHaveLength(1);
      expect(auth.saved).toHaveLength(1);
    });

    it('a rejected fixed token is NemoError auth, with no anonymous-token call', async () => {
      const { sim, client } = r;
      const auth = handle({ token: `fixed-bad-${errorStyle}`, anonymous: false });
      sim.clearRequests();
      const e = await nemoError(client.getCredits(auth));
      expect(e).toMatchObject({ kind: 'auth', nemoCode: 1001, endpoint: 'credits', retryable: false });
      expect(sim.requests.map((q) => q.endpoint)).toEqual(['credits']);
    });

    it('re-auth that does not help ends in auth after exactly one retry', async () => {
      const { sim, client } = r;
      const auth = await anonHandle(client);
      sim.expireToken(auth.credential.token);
      sim.fault({ endpoint: 'credits', code: 1001, times: 2 });
      sim.clearRequests();
      expect((await nemoError(client.getCredits(auth))).kind).toBe('auth');
      expect(sim.requests.map((q) => q.endpoint)).toEqual(['credits', 'anonymous_token', 'credits']);
    });

    it('1002 / 404 "Session not found" → session_lost (no retry)', async () => {
      const { sim, client } = r;
      const auth = await anonHandle(client);
      const s = await client.createSession(auth);
      sim.dropSession(s.sessionId);
      sim.clearRequests();
      expect((await nemoError(client.getState(auth, s.sessionId))).kind).toBe('session_lost');
      const e = await nemoError(client.runTurn(auth, s.sessionId, 'hello')); // ADK's {"detail":"Session not found"}
      expect(e).toMatchObject({ kind: 'session_lost', status: 404 });
      expect(sim.requests.map((q) => q.endpoint)).toEqual(['state', 'run_sse']);
    });

    it('429 → wait rateLimitRetryMs, retry once; twice → rate_limited', async () => {
      const { sim, client } = r;
      const auth = await anonHandle(client);
      sim.fault({ endpoint: 'credits', status: 429, message: 'slow down' });
      sim.clearRequests();
      await client.getCredits(auth);
      const [a, b] = sim.requestsTo('credits');
      expect(sim.requestsTo('credits')).toHaveLength(2);
      expect(b!.at - a!.at).toBeGreaterThanOrEqual(45);

      sim.fault({ endpoint: 'credits', status: 429, times: 2 });
      sim.clearRequests();
      const e = await nemoError(client.getCredits(auth));
      expect(e).toMatchObject({ kind: 'rate_limited', retryable: true });
      expect(sim.requestsTo('credits')).toHaveLength(2);
    });

    it('429 on anonymous-token (one token per client id) → token_quota at once; the one delayed retry is the worker\'s', async () => {
      const { sim, client } = r;
      await client.acquireAnonymousToken('cid-twice-' + errorStyle);
      sim.clearRequests();
      const e = await nemoError(client.acquireAnonymousToken('cid-twice-' + errorStyle));
      expect(e).toMatchObject({ kind: 'token_quota', retryable: false });
      expect(sim.requestsTo('anonymous_token')).toHaveLength(1);
    });

    it('400 missing client id → a new client id, retried once; twice → missing_client_id', async () => {
      const { sim, client } = r;
      sim.fault({ endpoint: 'anonymous_token', status: 400, message: 'X-Client-Id header is required' });
      sim.clearRequests();
      const cred = await client.acquireAnonymousToken('cid-400-' + errorStyle);
      const reqs = sim.requestsTo('anonymous_token');
      expect(reqs).toHaveLength(2);
      expect(reqs[0]!.headers['x-client-id']).toBe('cid-400-' + errorStyle);
      expect(reqs[1]!.headers['x-client-id']).not.toBe('cid-400-' + errorStyle);
      expect(cred.clientId).toBe(reqs[1]!.headers['x-client-id']);

      sim.fault({ endpoint: 'anonymous_token', status: 400, times: 2 });
      expect((await nemoError(client.acquireAnonymousToken())).kind).toBe('missing_client_id');
      // A missing id is generated (a UUID) before the first call.
      const generated = await client.acquireAnonymousToken();
      expect(generated.clientId).toMatch(/^nemo-bot-[0-9a-f-]{36}$/);
    });

    it('an anonymous-token answer without a token → bad_response (logged, not thrown raw)', async () => {
      const { sim, client } = r;
      sim.fault({ endpoint: 'anonymous_token', status: 200, code: 0, message: 'ok?' }); // HTTP 200 {code:0} with no data
      const e = await nemoError(client.acquireAnonymousToken());
      expect(e).toMatchObject({ kind: 'bad_response', endpoint: 'anonymous_token' });
    });

    it('2001 → no_credits: anonymous gets the registration link with bind=<anon id>, registered gets top-up', async () => {
      const { sim, client } = r;
      const anon = await anonHandle(client);
      const s = await client.createSession(anon);
      sim.setCredits(anon.credential.token, 10);
      sim.clearRequests();
      const e = await nemoError(client.runTurn(anon, s.sessionId, 'generate a video'));
      expect(e).toMatchObject({ kind: 'no_credits', nemoCode: 2001 });
      expect(e.details.registerUrl).toBe(`${WEB_URL}/register?bind=${anon.credential.userId}`);
      expect(client.registrationUrl(anon.credential)).toBe(e.details.registerUrl);
      expect(sim.requestsTo('run_sse')).toHaveLength(1);

      const fixed = handle({ token: `fixed-poor-${errorStyle}`, anonymous: false });
      sim.addToken(fixed.credential.token, { credits: 0 });
      const s2 = await client.createSession(fixed);
      const e2 = await nemoError(client.runTurn(fixed, s2.sessionId, 'generate a video'));
      expect(e2.kind).toBe('no_credits');
      expect(e2.details).toMatchObject({ topUpUrl: WEB_URL });
      expect(e2.details.registerUrl).toBeUndefined();
      // The same code on an ordinary endpoint.
      sim.fault({ endpoint: 'credits', code: 2001, message: 'Insufficient credits' });
      expect((await nemoError(client.getCredits(fixed))).details.topUpUrl).toBe(WEB_URL);
    });

    it('2001 for an anonymous token when the backend returned no user id → the registration link, flagged without its bind id', async () => {
      const { sim } = r;
      const quiet = await rig({ errorStyle, returnUserId: false });
      try {
        const anon = await anonHandle(quiet.client);
        expect(anon.credential.userId).toBeUndefined();
        const s = await quiet.client.createSession(anon);
        quiet.sim.setCredits(anon.credential.token, 0);
        const e = await nemoError(quiet.client.runTurn(anon, s.sessionId, 'generate a video'));
        expect(e.kind).toBe('no_credits');
        expect(e.details).toEqual(expect.objectContaining({ registerUrl: `${WEB_URL}/register`, bindMissing: true }));
        expect(e.details.topUpUrl).toBeUndefined();
        expect(quiet.client.registrationUrl(anon.credential)).toBeUndefined();
        // The state carries the id (sim default): reading it is how the caller completes the link.
        await quiet.client.getState(anon, s.sessionId);
        expect(quiet.client.registrationUrl(anon.credential)).toMatch(/\/register\?bind=anon_/);
      } finally {
        await quiet.close();
      }
      expect(sim.url).toBeTruthy();
    });

    it('402 → plan_blocked; 403 → forbidden', async () => {
      const { sim, client } = r;
      const auth = await anonHandle(client);
      const s = await client.createSession(auth);
      sim.fault({ endpoint: 'render_start', status: 402, message: 'Register to unlock export' });
      const e = await nemoError(client.startRender(auth, { sessionId: s.sessionId, draft: { t: [] }, renderId: client.newRenderId() }));
      expect(e).toMatchObject({ kind: 'plan_blocked', retryable: false });
      sim.fault({ endpoint: 'state', status: 403, message: 'missing scope' });
      expect((await nemoError(client.getState(auth, s.sessionId))).kind).toBe('forbidden');
    });

    it('4001 / 4002 from the backend → unsupported_file / file_too_large with details', async () => {
      const { sim, client } = r;
      const auth = await anonHandle(client);
      const s = await client.createSession(auth);
      sim.fault({ endpoint: 'upload', code: 4001, message: 'Unsupported file type' });
      const e1 = await nemoError(client.uploadUrls(auth, s.sessionId, ['https://example.com/a.mp4']));
      expect(e1).toMatchObject({ kind: 'unsupported_file', nemoCode: 4001 });
      expect(e1.details.supportedTypes).toEqual(SUPPORTED_EXTENSIONS);
      sim.fault({ endpoint: 'upload', code: 4002, message: 'File too large' });
      const e2 = await nemoError(client.uploadUrls(auth, s.sessionId, ['https://example.com/a.mp4']));
      expect(e2).toMatchObject({ kind: 'file_too_large', nemoCode: 4002, details: { maxUploadMb: 200 } });
      // The sim's own checks reach the same kinds.
      expect((await nemoError(client.uploadUrls(auth, s.sessionId, ['https://example.com/a.exe']))).kind).toBe('unsupported_file');
    });

    it('5xx → backend (retryable, not retried); dropped connection → network; garbage / flood → bad_response', async () => {
      const { sim, client } = r;
      const auth = await anonHandle(client);
      sim.fault({ endpoint: 'credits', status: 503, message: 'upstream down' });
      sim.clearRequests();
      expect(await nemoError(client.getCredits(auth))).toMatchObject({ kind: 'backend', status: 503, retryable: true });
      expect(sim.requestsTo('credits')).toHaveLength(1);
      sim.fault({ endpoint: 'credits', kind: 'drop' });
      expect(await nemoError(client.getCredits(auth))).toMatchObject({ kind: 'network', retryable: true });
      sim.fault({ endpoint: 'credits', kind: 'garbage' });
      expect((await nemoError(client.getCredits(auth))).kind).toBe('bad_response');
    });

    it('a slow answer hits requestTimeoutMs → network (timed out); a flood is cut at maxJsonBytes', async () => {
      const { sim } = r;
      const client = new NemoClient(clientOptions(sim, { requestTimeoutMs: 200, maxJsonBytes: 64 * 1024 }));
      try {
        const auth = await anonHandle(client);
        sim.fault({ endpoint: 'credits', kind: 'delay', delayMs: 1500 });
        const t0 = Date.now();
        const e = await nemoError(client.getCredits(auth));
        expect(e.kind).toBe('network');
        expect(e.message).toMatch(/timed out/);
        expect(Date.now() - t0).toBeLessThan(1000);
        sim.fault({ endpoint: 'credits', kind: 'flood' });
        expect((await nemoError(client.getCredits(auth))).kind).toBe('bad_response');
      } finally {
        await client.close();
      }
    });

    it('render start failure or duplicate id → onNewRenderId(new) before one retry', async () => {
      const { sim, client } = r;
      const auth = handle({ token: `fixed-render-${errorStyle}`, anonymous: false });
      sim.addToken(auth.credential.token, { credits: 1000 });
      const s = await client.createSession(auth);
      await client.runTurn(auth, s.sessionId, 'generate a clip');
      const { draft } = await client.getState(auth, s.sessionId);

      const persisted: string[] = [];
      sim.fault({ endpoint: 'render_start', status: 500, message: 'lambda unavailable' });
      sim.clearRequests();
      const first = client.newRenderId();
      const used = await client.startRender(auth, { sessionId: s.sessionId, draft: draft!, renderId: first, onNewRenderId: async (id) => void persisted.push(id) });
      expect(used).not.toBe(first);
      expect(persisted).toEqual([used]);
      expect(sim.requestsTo('render_start').map((q) => (q.body as { id: string }).id)).toEqual([first, used]);

      // Duplicate id (409 "duplicate render id").
      const again = await client.startRender(auth, { sessionId: s.sessionId, draft: draft!, renderId: used, onNewRenderId: async (id) => void persisted.push(id) });
      expect(again).not.toBe(used);
      expect(persisted).toEqual([used, again]);

      // Two failures: the error surfaces after exactly one retry.
      sim.fault({ endpoint: 'render_start', status: 500, times: 2 });
      sim.clearRequests();
      const e = await nemoError(client.startRender(auth, { sessionId: s.sessionId, draft: draft!, renderId: client.newRenderId() }));
      expect(e.kind).toBe('backend');
      expect(sim.requestsTo('render_start')).toHaveLength(2);

      // A render that fails while polling: the caller starts over with a new id (once).
      const id = client.newRenderId();
      await client.startRender(auth, { sessionId: s.sessionId, draft: draft!, renderId: id });
      sim.fault({ endpoint: 'render_poll', kind: 'error', message: 'render crashed' });
      expect((await client.pollRender(auth, id)).status).toBe('failed');
      const retryId = client.newRenderId();
      expect(await client.startRender(auth, { sessionId: s.sessionId, draft: draft!, renderId: retryId })).toBe(retryId);
    });
  });
}
