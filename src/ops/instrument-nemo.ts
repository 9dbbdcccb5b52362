/**
 * Metrics around the Nemo client, without touching it: a wrapper with the same `NemoApi` that counts
 * errors by endpoint and kind, times SSE turns and renders, tracks open streams and remembers the
 * shared token's credits.
 */
import { isNemoError } from '../nemo/errors.js';
import type { Endpoint } from '../nemo/http.js';
import type { CredentialHandle, NemoApi, RenderStatus } from '../nemo/types.js';
import type { Metrics } from './metrics.js';

/** The endpoint a method calls, for errors that do not name one. */
const ENDPOINT_OF: Partial<Record<keyof NemoApi, Endpoint>> = {
  acquireAnonymousToken: 'anonymous_token',
  createSession: 'create_session',
  claimLink: 'claim_token',
  runTurn: 'run_sse',
  uploadFiles: 'upload',
  uploadUrls: 'upload',
  getCredits: 'credits',
  getState: 'state',
  startRender: 'render_start',
  pollRender: 'render_poll',
  downloadRender: 'render_download',
  cancelRender: 'render_cancel',
};

/** `render_<ms>_<hex>` (src/nemo/render.ts): the id carries the time it was chosen. */
export function renderStartedAt(renderId: string): number | undefined {
  const m = /^render_(\d{12,})_/.exec(renderId);
  return m ? Number(m[1]) : undefined;
}

export function instrumentNemo(nemo: NemoApi, metrics: Metrics, sharedToken?: string): NemoApi {
  const countError = (method: keyof NemoApi, err: unknown): void => {
    if (isNemoError(err)) {
      const code = err.nemoCode ?? err.status;
      metrics.nemoErrors.inc({ endpoint: err.endpoint ?? ENDPOINT_OF[method] ?? method, kind: err.kind, code: code === undefined ? 'none' : String(code) });
    } else {
      metrics.nemoErrors.inc({ endpoint: ENDPOINT_OF[method] ?? method, kind: 'unexpected', code: 'none' });
    }
  };
  const wrap = <K extends keyof NemoApi>(method: K): NemoApi[K] => {
    const fn = nemo[method] as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => {
      const out = fn.apply(nemo, args);
      if (out instanceof Promise) return out.catch((err: unknown) => { countError(method, err); throw err; });
      return out;
    }) as NemoApi[K];
  };

  return {
    acquireAnonymousToken: wrap('acquireAnonymousToken'),
    createSession: wrap('createSession'),
    claimLink: wrap('claimLink'),
    uploadFiles: wrap('uploadFiles'),
    uploadUrls: wrap('uploadUrls'),
    getState: wrap('getState'),
    startRender: wrap('startRender'),
    downloadRender: wrap('downloadRender'),
    cancelRender: wrap('cancelRender'),
    newRenderId: () => nemo.newRenderId(),
    registrationUrl: (credential) => nemo.registrationUrl(credential),

    async runTurn(auth, sessionId, text, opts) {
      const started = performance.now();
      metrics.sseOpen.inc();
      let outcome = 'ok';
      try {
        return await nemo.runTurn(auth, sessionId, text, opts);
      } catch (err) {
        outcome = isNemoError(err) ? err.kind : 'unexpected';
        countError('runTurn', err);
        throw err;
      } finally {
        metrics.sseOpen.dec();
        metrics.turnDuration.observe({ outcome }, (performance.now() - started) / 1000);
      }
    },

    async getCredits(auth: CredentialHandle) {
      try {
        const credits = await nemo.getCredits(auth);
        if (sharedToken && auth.credential.token === sharedToken) metrics.creditsLeft.set(credits.available);
        return credits;
      } catch (err) {
        countError('getCredits', err);
        throw err;
      }
    },

    async pollRender(auth, renderId, signal): Promise<RenderStatus> {
      let status: RenderStatus;
      try {
        status = await nemo.pollRender(auth, renderId, signal);
      } catch (err) {
        countError('pollRender', err);
        throw err;
      }
      const since = renderStartedAt(status.id || renderId);
      if ((status.status === 'completed' || status.status === 'failed') && since !== undefined) {
        metrics.renderDuration.observe({ outcome: status.status }, Math.max(0, Date.now() - since) / 1000);
      }
      return status;
    },
  };
}
