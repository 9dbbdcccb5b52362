/**
 * No token in any log line: client calls with recognisable fake tokens at debug level, into a capture
 * stream, through successes, re-auth, errors with stack and cause, stream failures and downloads.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NemoClient } from '../../src/nemo/client.js';
import { isNemoError } from '../../src/nemo/errors.js';
import { startNemoSim, type NemoSim } from '../../nemo-sim/index.js';
import { captureLogger, clientOptions, handle } from './helpers.js';

// Shapes that the generic token patterns of log.ts would NOT catch: only registration protects them.
const FIXED = 'FixedTok-zebra-3141592653-quokka';
const RICH = 'RichTok-aardvark-2718281828-yak';

describe('logs never contain a token', () => {
  let sim: NemoSim;
  beforeAll(async () => {
    sim = await startNemoSim({ turnMs: 150, heartbeatMs: 30, editTurnMs: 20, renderStepMs: 40, staticTokens: { [FIXED]: { credits: 0 }, [RICH]: { credits: 1000 } } });
  });
  afterAll(async () => {
    await sim.close();
    sim.assertNoViolations();
  });

  it('across successes, recoveries and failures at debug level', async () => {
    const cap = captureLogger();
    const client = new NemoClient(clientOptions(sim, { logger: cap.logger, sseStallTimeoutMs: 300, sseIdleTimeoutMs: 300, sseMaxEventBytes: 16 * 1024 }));
    const tokens = new Set<string>([FIXED, RICH]);
    const dest = join(tmpdir(), `nemo-logs-${process.pid}.mp4`);
    const logErr = (err: unknown) => cap.logger.error({ err }, 'caller logged the error');
    const attempt = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (err) {
        if (!isNemoError(err)) throw err;
        logErr(err);
      }
    };
    try {
      // Anonymous: acquire, expire, renew (the new token is registered as it arrives).
      const anon = handle(await client.acquireAnonymousToken('cid-logs'));
      tokens.add(anon.credential.token);
      const s = await client.createSession(anon);
      sim.expireToken(anon.credential.token);
      await client.getCredits(anon);
      tokens.add(anon.credential.token);
      const claim = await client.claimLink(anon, { sessionId: s.sessionId, taskId: s.taskId! });
      tokens.add(claim.claimToken);
      cap.logger.info({ url: claim.url }, 'caller logged the claim link');
      await attempt(client.runTurn(anon, s.sessionId, 'generate a video')); // 100 credits: fine
      await attempt(client.runTurn(anon, s.sessionId, 'generate another video')); // 2001

      // A fixed token that gets rejected, with stack and cause chains.
      const fixed = handle({ token: FIXED, anonymous: false });
      await attempt(client.runTurn(fixed, s.sessionId, 'hi'));
      sim.expireToken(FIXED);
      await attempt(client.getCredits(fixed));

      // Stream failures and transport errors carry undici causes.
      const rich = handle({ token: RICH, anonymous: false });
      const rs = await client.createSession(rich);
      for (const kind of ['drop', 'stall', 'flood', 'stream-error', 'garbage'] as const) {
        sim.fault({ endpoint: 'run_sse', kind, afterEvents: 1 });
        await attempt(client.runTurn(rich, rs.sessionId, 'generate a video'));
      }
      sim.fault({ endpoint: 'credits', kind: 'drop' });
      await attempt(client.getCredits(rich));
      sim.fault({ endpoint: 'state', kind: 'garbage' });
      await attempt(client.getState(rich, rs.sessionId));
      sim.fault({ endpoint: 'credits', status: 500, message: `echo of ${RICH}` });
      await attempt(client.getCredits(rich));

      // Render + both download paths.
      await client.runTurn(rich, rs.sessionId, 'generate a video');
      const { draft } = await client.getState(rich, rs.sessionId);
      const id = await client.startRender(rich, { sessionId: rs.sessionId, draft: draft!, renderId: client.newRenderId() });
      await new Promise((res) => setTimeout(res, 120));
      const st = await client.pollRender(rich, id);
      sim.fault({ endpoint: 'output', kind: 'not-found' });
      await client.downloadRender(rich, { renderId: id, outputUrl: st.outputUrl, destPath: dest, maxBytes: 10 * 1024 * 1024 });
      sim.fault({ endpoint: 'output', kind: 'not-found' });
      sim.fault({ endpoint: 'render_download', kind: 'drop' });
      await attempt(client.downloadRender(rich, { renderId: id, outputUrl: st.outputUrl, destPath: dest, maxBytes: 10 * 1024 * 1024 }));
    } finally {
      await client.close();
      await rm(dest, { force: true });
    }

    const out = cap.text();
    expect(cap.lines.length).toBeGreaterThan(30);
    expect(out).toContain('"level":20'); // debug lines were written
    expect(out).toContain('"stack"'); // error logs with stacks were written
    expect(out).toContain('"cause"');
    for (const t of tokens) expect(out.includes(t), `token ${t.slice(0, 8)}… leaked`).toBe(false);
    expect(out).not.toMatch(/Bearer\s+[A-Za-z0-9]/);
    expect(out).not.toMatch(/nmv_usr_[A-Za-z0-9]/);
  });

  // Regression guard: pino runs `formatters.log` (scrubValue, which already serializes the Error)
  // BEFORE `serializers.err`; serializeError must pass such an object through instead of "[object Object]".
  it('log.ts keeps the scrubbed stack and cause of an error logged as {err}', () => {
    const cap = captureLogger();
    cap.logger.error({ err: new Error('boom nmv_usr_secret123', { cause: new Error('inner') }) }, 'x');
    const line = JSON.parse(cap.lines[0]!) as { err: { stack?: string; cause?: unknown } };
    expect(line.err.stack).toContain('boom');
    expect(line.err.cause).toBeTruthy();
    expect(cap.lines[0]).not.toContain('nmv_usr_secret123');
  });
});
