/**
 * Downloading a finished render: the output URL first, then the authenticated proxy download.
 *
 * Why two paths with different manners: the output URL is a third-party CDN address that gets a plain
 * GET with NO Nemo headers (the official CLI does the same), while `/api/render/proxy/{id}/download`
 * needs Bearer auth (and so the client's re-auth rule, passed in as `authed`). Both write through the
 * byte-limited sink of render.ts, which deletes a partial file on any failure.
 */
import { request } from 'undici';
import { NemoError, isNemoError } from './errors.js';
import { baseHeaders, deadline, interpret, readBounded, transportError, type Endpoint, type HttpDeps } from './http.js';
import { declaredTooLarge, writeBounded } from './render.js';
import type { DownloadOptions, DownloadResult } from './types.js';

/** The HTTP deps, with a dispatcher that follows redirects. */
export type DownloadDeps = HttpDeps;

/** Runs a call with the current token under the client's recovery rules. */
export type Authed = <T>(fn: (token: string) => Promise<T>) => Promise<T>;

export async function downloadRender(deps: DownloadDeps, o: DownloadOptions, authed: Authed): Promise<DownloadResult> {
  let first: unknown;
  if (o.outputUrl) {
    try {
      return { bytes: await fetchTo(deps, 'output', o.outputUrl, undefined, o), via: 'output_url' };
    } catch (err) {
      if (isNemoError(err) && (err.kind === 'download_too_large' || err.kind === 'cancelled')) throw err;
      first = err;
      deps.logger.warn({ endpoint: 'output', renderId: o.renderId, err }, 'nemo download: output URL failed, using the proxy download');
    }
  }
  try {
    const url = `${deps.apiUrl}/api/render/proxy/${encodeURIComponent(o.renderId)}/download`;
    const bytes = await authed((token) => fetchTo(deps, 'render_download', url, token, o));
    return { bytes, via: 'fallback' };
  } catch (err) {
    if (isNemoError(err) && ['download_too_large', 'cancelled', 'auth', 'plan_blocked', 'no_credits'].includes(err.kind)) throw err;
    throw new NemoError({
      kind: 'download_failed',
      message: `Nemo download of ${o.renderId} failed${o.outputUrl ? ' (output URL and fallback)' : ''}: ${(err as Error).message}`,
      endpoint: 'render_download',
      cause: first ? new AggregateError([first, err], 'both downloads failed') : err,
    });
  }
}

/** GET `url` into `o.destPath` (plain GET without Nemo headers when `token` is undefined). */
async function fetchTo(deps: DownloadDeps, endpoint: Endpoint, url: string, token: string | undefined, o: DownloadOptions): Promise<number> {
  const dl = deadline(undefined, o.signal);
  const rt = deps.requestTimeoutMs;
  try {
    const res = await request(url, {
      dispatcher: deps.dispatcher,
      method: 'GET',
      headers: token ? baseHeaders(deps.skill, token) : {},
      signal: dl.signal,
      headersTimeout: rt,
      bodyTimeout: rt,
    });
    const ctype = String(res.headers['content-type'] ?? '').toLowerCase();
    if (res.statusCode >= 300 || ctype.includes('json')) {
      const raw = await readBounded(res.body, deps.maxJsonBytes);
      if (endpoint === 'output') {
        throw new NemoError({ kind: 'download_failed', message: `Nemo output URL: HTTP ${res.statusCode}`, status: res.statusCode, endpoint });
      }
      interpret(endpoint, res.statusCode, raw, deps.logger); // throws the mapped error
      throw new NemoError({ kind: 'bad_response', message: `Nemo ${endpoint}: JSON instead of a video`, status: res.statusCode, endpoint });
    }
    if (declaredTooLarge(res.headers, o.maxBytes)) {
      res.body.destroy();
      throw new NemoError({ kind: 'download_too_large', message: `Nemo download: Content-Length over ${o.maxBytes} bytes`, endpoint });
    }
    const bytes = await writeBounded(res.body, o.destPath, o.maxBytes, dl.signal);
    deps.logger.debug({ endpoint, renderId: o.renderId, bytes }, 'nemo download: done');
    return bytes;
  } catch (err) {
    throw transportError(endpoint, err, dl.reason);
  } finally {
    dl.done();
  }
}
