/**
 * The grammY `Api` both the bot and the outbox use, with a retry policy that cannot post twice.
 *
 * `@grammyjs/auto-retry` waits out 429 `retry_after` and retries 5xx and network errors — with no
 * limits by default, and its network-error loop ignores `maxRetryAttempts` altogether. A 429 means
 * Telegram did nothing, so retrying any call after it is safe. A 5xx or a dropped connection during
 * `sendMessage`/`sendVideo` may mean the message *was* posted, so those calls are not retried on such
 * errors (the core decides). Calls that are safe to repeat (edits, deletes, getFile, chat actions,
 * setup calls) also get a few bounded retries on 5xx and network errors. `getUpdates` is left to the
 * poll loop, which has its own backoff and must be abortable at once.
 */
import { Api, HttpError, type Transformer } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';
import type { Config } from '../../src/config.js';
import { registerSecret, registerTokenPattern } from '../../src/log.js';
import { TELEGRAM_TOKEN_PATTERN } from './token.js';

/** Methods that create a message: retried only after a 429. */
const POSTING_METHODS = new Set(['sendMessage', 'sendVideo', 'sendDocument', 'sendPhoto', 'sendAnimation', 'sendMediaGroup', 'copyMessage', 'forwardMessage']);

/** At most this many retries of one call, and never when Telegram asks for a longer wait. */
export const RETRY_LIMITS = { maxRetryAttempts: 3, maxDelaySeconds: 60 } as const;
/** Extra retries of safe calls after a network error, 1 s then 2 s apart. */
const NETWORK_RETRIES = 2;

type AnyCall = (method: string, payload: unknown, signal?: AbortSignal) => Promise<unknown>;
type AnyTransformer = (prev: AnyCall, method: string, payload: unknown, signal?: AbortSignal) => Promise<unknown>;

export function retryPolicy(): Transformer {
  const rateLimitOnly = autoRetry({ ...RETRY_LIMITS, rethrowInternalServerErrors: true, rethrowHttpErrors: true }) as unknown as AnyTransformer;
  const safe = autoRetry({ ...RETRY_LIMITS, rethrowInternalServerErrors: false, rethrowHttpErrors: true }) as unknown as AnyTransformer;
  const policy: AnyTransformer = (prev, method, payload, signal) => {
    if (method === 'getUpdates') return prev(method, payload, signal);
    if (POSTING_METHODS.has(method)) return rateLimitOnly(prev, method, payload, signal);
    return safe(withNetworkRetries(prev), method, payload, signal);
  };
  return policy as unknown as Transformer;
}

function withNetworkRetries(prev: AnyCall): AnyCall {
  return async (method, payload, signal) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (err) {
        if (!(err instanceof HttpError) || signal?.aborted || attempt >= NETWORK_RETRIES) throw err;
        await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
      }
    }
  };
}

/** A grammY Api for TELEGRAM_BOT_TOKEN at TELEGRAM_API_ROOT; registers the token as a log secret. */
export function createApi(config: Config): Api {
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  registerSecret(token, { pinned: true });
  registerTokenPattern(TELEGRAM_TOKEN_PATTERN); // also when this adapter is used without the registry
  registerSecret(config.TELEGRAM_WEBHOOK_SECRET, { pinned: true });
  const api = new Api(token, { apiRoot: config.TELEGRAM_API_ROOT });
  api.config.use(retryPolicy());
  return api;
}
