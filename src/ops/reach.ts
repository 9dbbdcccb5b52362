/**
 * Does an HTTP(S) base URL answer at all? Any HTTP status counts (a 404 at `/` is still a server);
 * DNS failures, refused connections, TLS errors and timeouts do not.
 */
import { request } from 'undici';

export interface Reach {
  ok: boolean;
  status?: number;
  /** The error code or message when it did not answer. */
  error?: string;
}

export async function reach(url: string, timeoutMs = 5_000): Promise<Reach> {
  try {
    const res = await request(url, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    return { ok: true, status: res.statusCode };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const code = e.cause?.code ?? e.code ?? (e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : undefined);
    return { ok: false, error: code ?? (err instanceof Error ? err.message : String(err)) };
  }
}
