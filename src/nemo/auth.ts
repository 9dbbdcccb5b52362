/**
 * The recovery rules of the seed's error table that need the credential handle.
 *
 * Why one class: every authenticated call (and the SSE turn, for its pre-stream answer) must apply
 * the same rules in the same order, and concurrent calls on one conversation must share a single
 * token renewal instead of racing the backend's "one anonymous token per client id" limit.
 *   1001/1010/1011/401 → anonymous: new token with the SAME client id, replace, await `save`, once more;
 *                        fixed token: NemoError 'auth'.
 *   429 → wait `rateLimitRetryMs`, once more (ordinary endpoints).   400 on anonymous-token → a new client id, once more.
 *   429 on anonymous-token → NemoError 'token_quota' at once: the skill's "retry in 30 s once" is the
 *       caller's (the worker waits as a delayed job, holding no slot, then tries exactly once more).
 *   2001 / 402 → details.registerUrl for an anonymous token (with `?bind=<id>` when the id is known,
 *       else `bindMissing`, so the caller can read it from the state), details.topUpUrl for a registered one.
 */
import { randomUUID } from 'node:crypto';
import { registerSecret } from '../log.js';
import { isNemoError } from './errors.js';
import { callJson, sleep, type HttpDeps } from './http.js';
import { anonymousTokenSchema, parseData } from './schemas.js';
import { SUPPORTED_EXTENSIONS, type CredentialHandle, type NemoCredential } from './types.js';

/** `<webUrl>/register?bind=<userId>` for an anonymous credential with a user id, else undefined. */
export function registrationUrl(webUrl: string, credential: NemoCredential): string | undefined {
  if (!credential.anonymous || !credential.userId) return undefined;
  return `${webUrl.replace(/\/+$/, '')}/register?bind=${encodeURIComponent(credential.userId)}`;
}

/** `<webUrl>/register`, for an anonymous user whose bind id the backend has not shown (yet). */
export function plainRegistrationUrl(webUrl: string): string {
  return `${webUrl.replace(/\/+$/, '')}/register`;
}

export interface AuthRecoveryOptions {
  webUrl: string;
  rateLimitRetryMs: number;
  uploadMaxBytes: number;
}

export class AuthRecovery {
  private readonly renewing = new WeakMap<CredentialHandle, Promise<void>>();

  constructor(
    private readonly http: HttpDeps,
    private readonly opts: AuthRecoveryOptions,
  ) {}

  async anonymousToken(clientId?: string, signal?: AbortSignal): Promise<NemoCredential & { clientId: string }> {
    // The client id re-issues tokens for the same anonymous user once one expires: treat it as a secret.
    let id = clientId || `nemo-bot-${randomUUID()}`;
    registerSecret(id);
    let newIdTried = false;
    for (;;) {
      try {
        const data = await callJson(this.http, { endpoint: 'anonymous_token', method: 'POST', path: '/api/auth/anonymous-token', clientId: id, signal });
        const d = parseData(anonymousTokenSchema, data, 'anonymous_token', this.http.logger);
        registerSecret(d.token);
        this.http.logger.debug({ endpoint: 'anonymous_token', credits: d.credits, hasUserId: Boolean(d.user_id) }, 'nemo: anonymous token acquired');
        return { token: d.token, anonymous: true, clientId: id, ...(d.user_id ? { userId: d.user_id } : {}), ...(d.expires_at ? { expiresAt: d.expires_at } : {}) };
      } catch (err) {
        if (isNemoError(err) && err.kind === 'missing_client_id' && !newIdTried) {
          newIdTried = true;
          id = `nemo-bot-${randomUUID()}`;
          registerSecret(id);
          this.http.logger.warn({ endpoint: 'anonymous_token' }, 'nemo: 400 on anonymous-token, retrying once with a new client id');
          continue;
        }
        if (isNemoError(err) && err.kind === 'token_quota') {
          this.http.logger.warn({ endpoint: 'anonymous_token', backendMessage: err.details.backendMessage }, 'nemo: 429 on anonymous-token (free token quota used up)');
        }
        throw err;
      }
    }
  }

  /** Replace an expired anonymous token (same client id); concurrent callers share one renewal. */
  renew(auth: CredentialHandle, used: NemoCredential, signal?: AbortSignal): Promise<void> {
    if (auth.credential.token !== used.token) return Promise.resolve(); // someone already renewed it
    let p = this.renewing.get(auth);
    if (!p) {
      p = (async () => {
        this.http.logger.info({ endpoint: 'anonymous_token' }, 'nemo: token rejected, requesting a new anonymous token (same client id)');
        const fresh = await this.anonymousToken(used.clientId, signal);
        const renewed: NemoCredential = { ...used, ...fresh, ...(fresh.userId ?? used.userId ? { userId: fresh.userId ?? used.userId } : {}) };
        auth.credential = renewed;
        await auth.save?.(renewed);
      })().finally(() => this.renewing.delete(auth));
      this.renewing.set(auth, p);
    }
    return p;
  }

  /** Add what the user needs to act on an error (registration/top-up link, formats, size limit). */
  decorate(err: unknown, credential: NemoCredential): unknown {
    if (!isNemoError(err)) return err;
    if (err.kind === 'no_credits' || err.kind === 'plan_blocked') {
      if (credential.anonymous) {
        const reg = registrationUrl(this.opts.webUrl, credential);
        err.details.registerUrl = reg ?? plainRegistrationUrl(this.opts.webUrl);
        err.details.bindMissing = reg === undefined;
      } else if (err.kind === 'no_credits') err.details.topUpUrl = this.opts.webUrl;
    } else if (err.kind === 'unsupported_file') err.details.supportedTypes ??= SUPPORTED_EXTENSIONS;
    else if (err.kind === 'file_too_large') err.details.maxUploadMb ??= Math.floor(this.opts.uploadMaxBytes / (1024 * 1024));
    return err;
  }

  /** Run `fn` with the current token and apply the recovery rules (see the file comment of client.ts). */
  async withAuth<T>(auth: CredentialHandle, fn: (token: string) => Promise<T>, o: { signal?: AbortSignal; retry429?: boolean } = {}): Promise<T> {
    let reauthed = false;
    let rateRetried = false;
    for (;;) {
      const cred = auth.credential;
      registerSecret(cred.token);
      try {
        return await fn(cred.token);
      } catch (err) {
        if (isNemoError(err) && err.kind === 'auth' && cred.anonymous && !reauthed) {
          reauthed = true;
          await this.renew(auth, cred, o.signal);
          continue;
        }
        if (isNemoError(err) && err.kind === 'rate_limited' && o.retry429 !== false && !rateRetried) {
          rateRetried = true;
          this.http.logger.warn({ endpoint: err.endpoint, waitMs: this.opts.rateLimitRetryMs }, 'nemo: 429, retrying once after a wait');
          await sleep(this.opts.rateLimitRetryMs, o.signal);
          continue;
        }
        throw this.decorate(err, auth.credential);
      }
    }
  }

  /** The create-session/state answers may carry the anonymous user id the registration link needs. */
  async learnUserId(auth: CredentialHandle, userId: string | undefined): Promise<void> {
    const cred = auth.credential;
    if (!userId || !cred.anonymous || cred.userId === userId) return;
    const updated = { ...cred, userId };
    auth.credential = updated;
    await auth.save?.(updated);
  }
}
