/**
 * `NemoClient`: the bot's only way to talk to the NemoVideo backend (`NemoApi` in types.ts).
 *
 * This file holds the endpoints. Everything else lives next to it: auth.ts (the recovery rules of the
 * seed's error table: re-auth with the same client id, 429 retry, 2001 links), http.ts (one round
 * trip), envelope.ts (envelopes, error kinds), schemas.ts (response shapes), sse.ts + sse-events.ts
 * (a turn), upload.ts, render.ts, download.ts, and draft.ts + gui.ts (words for the chat).
 */
import { Agent, interceptors, type Dispatcher } from 'undici';
import type { Config } from '../config.js';
import { registerSecret, silentLogger, type Logger } from '../log.js';
import { AuthRecovery, registrationUrl } from './auth.js';
import { downloadRender, type DownloadDeps } from './download.js';
import { NemoError, isNemoError } from './errors.js';
import { callJson, type Endpoint, type HttpDeps } from './http.js';
import { newRenderId, normalizePhase, toRenderStatus } from './render.js';
import {
  claimSchema, creditsSchema, parseData, renderPollSchema, renderStartSchema, sessionSchema,
  stateInnerSchema, stateSchema, uploadSchema,
} from './schemas.js';
import { runSseTurn } from './sse.js';
import type {
  ClaimLink, CredentialHandle, Credits, DownloadOptions, DownloadResult, NemoApi, NemoClientOptions, NemoCredential,
  NemoSession, ProjectState, RenderStatus, RunTurnOptions, StartRenderOptions, TurnResult, UploadedFile, UploadFile,
} from './types.js';
import { checkUploads, multipartBody, toUploadedFiles, uploadTimeoutMs } from './upload.js';

export { registrationUrl } from './auth.js';

/** Options beyond the `NemoClientOptions` contract (tests and embedding). */
export interface NemoClientExtras {
  /** An undici dispatcher to use instead of the client's own Agent (not closed by `close()`). */
  dispatcher?: Dispatcher;
  /** Largest JSON answer read into memory. Default 16 MiB. */
  maxJsonBytes?: number;
}

/** Map the validated config onto client options (units converted: KB/MB → bytes). */
export function nemoClientOptionsFromConfig(cfg: Config, logger?: Logger): NemoClientOptions {
  registerSecret(cfg.NEMO_TOKEN, { pinned: true });
  return {
    apiUrl: cfg.NEMO_API_URL,
    webUrl: cfg.NEMO_WEB_URL,
    skill: { source: cfg.NEMO_SKILL_SOURCE, version: cfg.NEMO_SKILL_VERSION, platform: cfg.NEMO_SKILL_PLATFORM },
    defaultLanguage: cfg.NEMO_LANGUAGE,
    requestTimeoutMs: cfg.NEMO_REQUEST_TIMEOUT_MS,
    rateLimitRetryMs: cfg.NEMO_RATE_LIMIT_RETRY_MS,
    sseTimeoutMs: cfg.NEMO_SSE_TIMEOUT_MS,
    sseIdleTimeoutMs: cfg.NEMO_SSE_IDLE_TIMEOUT_MS,
    sseStallTimeoutMs: cfg.NEMO_SSE_STALL_TIMEOUT_MS,
    sseMaxEventBytes: cfg.NEMO_SSE_MAX_EVENT_KB * 1024,
    uploadMaxBytes: cfg.NEMO_UPLOAD_MAX_MB * 1024 * 1024,
    ...(logger ? { logger } : {}),
  };
}

const enc = encodeURIComponent;

export class NemoClient implements NemoApi {
  private readonly opts: NemoClientOptions;
  private readonly log: Logger;
  private readonly http: HttpDeps;
  private readonly ownAgent?: Agent;
  private readonly download: DownloadDeps;
  private readonly auth: AuthRecovery;

  constructor(opts: NemoClientOptions & NemoClientExtras) {
    this.opts = { ...opts, apiUrl: opts.apiUrl.replace(/\/+$/, ''), webUrl: opts.webUrl.replace(/\/+$/, '') };
    this.log = opts.logger ?? silentLogger;
    if (!opts.dispatcher) this.ownAgent = new Agent({ connect: { timeout: opts.requestTimeoutMs } });
    const dispatcher = opts.dispatcher ?? this.ownAgent!;
    this.http = {
      apiUrl: this.opts.apiUrl,
      skill: opts.skill,
      dispatcher,
      logger: this.log,
      requestTimeoutMs: opts.requestTimeoutMs,
      maxJsonBytes: opts.maxJsonBytes ?? 16 * 1024 * 1024,
    };
    // Downloads may be redirected (CDN, signed URLs); undici drops Authorization on cross-origin hops.
    this.download = { ...this.http, dispatcher: dispatcher.compose(interceptors.redirect({ maxRedirections: 3 })) };
    this.auth = new AuthRecovery(this.http, { webUrl: this.opts.webUrl, rateLimitRetryMs: opts.rateLimitRetryMs, uploadMaxBytes: opts.uploadMaxBytes });
  }

  /** Close the client's own connection pool (no-op for an injected dispatcher). */
  async close(): Promise<void> {
    await this.ownAgent?.close();
  }

  // --- auth ------------------------------------------------------------------------------------

  acquireAnonymousToken(clientId?: string): Promise<NemoCredential & { clientId: string }> {
    return this.auth.anonymousToken(clientId);
  }

  registrationUrl(credential: NemoCredential): string | undefined {
    return registrationUrl(this.opts.webUrl, credential);
  }

  private json(auth: CredentialHandle, endpoint: Endpoint, method: 'GET' | 'POST', path: string, json?: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.auth.withAuth(auth, (token) => callJson(this.http, { endpoint, method, path, token, json, signal }), { signal });
  }

  // --- sessions --------------------------------------------------------------------------------

  async createSession(auth: CredentialHandle, opts: { language?: string; taskName?: string } = {}): Promise<NemoSession> {
    const body = { task_name: opts.taskName ?? 'project', language: opts.language ?? this.opts.defaultLanguage };
    const data = await this.json(auth, 'create_session', 'POST', '/api/tasks/me/with-session/nemo_agent', body);
    const d = parseData(sessionSchema, data, 'create_session', this.log);
    await this.auth.learnUserId(auth, d.user_id);
    return { sessionId: d.session_id, ...(d.task_id ? { taskId: d.task_id } : {}), ...(d.user_id ? { userId: d.user_id } : {}) };
  }

  async claimLink(auth: CredentialHandle, session: { sessionId: string; taskId: string }): Promise<ClaimLink> {
    const data = await this.json(auth, 'claim_token', 'POST', '/api/auth/claim-token', { task_id: session.taskId, session_id: session.sessionId });
    const d = parseData(claimSchema, data, 'claim_token', this.log);
    registerSecret(d.claim_token);
    const url = `${this.opts.webUrl}/workspace/claim?ct=${enc(d.claim_token)}`;
    return { claimToken: d.claim_token, url, ...(d.expires_in !== undefined ? { expiresInS: d.expires_in } : {}) };
  }

  // --- turns -----------------------------------------------------------------------------------

  /**
   * One turn. The POST is sent once; only an auth answer that arrives before any event (nothing ran)
   * triggers a new anonymous token and one more POST. 429 is NOT retried here: the worker decides.
   */
  async runTurn(auth: CredentialHandle, sessionId: string, text: string, opts: RunTurnOptions = {}): Promise<TurnResult> {
    let reauthed = false;
    for (;;) {
      const cred = auth.credential;
      try {
        return await runSseTurn(this.http, {
          token: cred.token,
          sessionId,
          text,
          signal: opts.signal,
          onEvent: opts.onEvent,
          totalMs: this.opts.sseTimeoutMs,
          idleMs: this.opts.sseIdleTimeoutMs,
          stallMs: this.opts.sseStallTimeoutMs,
          maxEventBytes: this.opts.sseMaxEventBytes,
        });
      } catch (err) {
        if (isNemoError(err) && err.kind === 'auth' && cred.anonymous && !reauthed) {
          reauthed = true;
          await this.auth.renew(auth, cred, opts.signal);
          continue;
        }
        throw this.auth.decorate(err, auth.credential);
      }
    }
  }

  // --- uploads ---------------------------------------------------------------------------------

  async uploadFiles(auth: CredentialHandle, sessionId: string, files: UploadFile[], signal?: AbortSignal): Promise<UploadedFile[]> {
    const checked = await checkUploads(files, this.opts.uploadMaxBytes); // refuses before any byte is sent
    if (checked.length === 0) return [];
    const body = multipartBody(checked);
    const timeoutMs = uploadTimeoutMs(this.opts.requestTimeoutMs, body.contentLength);
    const path = `/api/upload-video/nemo_agent/me/${enc(sessionId)}`;
    const data = await this.auth.withAuth(auth, (token) => callJson(this.http, { endpoint: 'upload', method: 'POST', path, token, body, signal, timeoutMs }), { signal });
    return toUploadedFiles(parseData(uploadSchema, data, 'upload', this.log), this.log);
  }

  async uploadUrls(auth: CredentialHandle, sessionId: string, urls: string[], signal?: AbortSignal): Promise<UploadedFile[]> {
    if (urls.length === 0) return [];
    const data = await this.json(auth, 'upload', 'POST', `/api/upload-video/nemo_agent/me/${enc(sessionId)}`, { urls, source_type: 'url' }, signal);
    return toUploadedFiles(parseData(uploadSchema, data, 'upload', this.log), this.log);
  }

  // --- credits and state -----------------------------------------------------------------------

  async getCredits(auth: CredentialHandle): Promise<Credits> {
    const d = parseData(creditsSchema, await this.json(auth, 'credits', 'GET', '/api/credits/balance/simple'), 'credits', this.log);
    const frozen = d.frozen ?? 0;
    return { available: d.available, frozen, total: d.total ?? d.available + frozen };
  }

  async getState(auth: CredentialHandle, sessionId: string): Promise<ProjectState> {
    const data = await this.json(auth, 'state', 'GET', `/api/state/nemo_agent/me/${enc(sessionId)}/latest`);
    const d = parseData(stateSchema, data, 'state', this.log);
    // `data.state` is documented; a state laid out directly in `data` is accepted too.
    const flat = !d.state && typeof data === 'object' && data !== null && ('draft' in data || 'video_infos' in data);
    const inner = d.state ?? (flat ? parseData(stateInnerSchema, data, 'state', this.log) : undefined);
    if (!inner) this.log.debug({ endpoint: 'state' }, 'nemo state: answer without state (new session?)');
    await this.auth.learnUserId(auth, d.user_id);
    const out: ProjectState = { videoInfos: inner?.video_infos ?? [] };
    if (d.session_id) out.sessionId = d.session_id;
    if (d.task_id) out.taskId = d.task_id;
    if (d.user_id) out.userId = d.user_id;
    if (inner?.draft) out.draft = inner.draft;
    if (inner?.canvas_config) out.canvasConfig = inner.canvas_config;
    if (inner?.generated_media !== undefined) out.generatedMedia = inner.generated_media;
    return out;
  }

  // --- render ----------------------------------------------------------------------------------

  newRenderId(): string {
    return newRenderId();
  }

  async startRender(auth: CredentialHandle, o: StartRenderOptions): Promise<string> {
    let id = o.renderId;
    for (let attempt = 0; ; attempt++) {
      try {
        const body = { id, sessionId: o.sessionId, draft: o.draft, output: { format: 'mp4', quality: 'high' } };
        const data = await this.json(auth, 'render_start', 'POST', '/api/render/proxy/lambda', body, o.signal);
        const d = renderStartSchema.safeParse(data);
        if (!d.success) this.log.warn({ endpoint: 'render_start' }, 'nemo render: unexpected submit answer, polling by our id');
        else if (d.data?.status && normalizePhase(d.data.status) === 'failed') {
          throw new NemoError({ kind: 'render_failed', message: `Nemo render_start: render ${id} failed on submit`, endpoint: 'render_start' });
        }
        this.log.debug({ endpoint: 'render_start', renderId: id, attempt }, 'nemo render: started');
        return id;
      } catch (err) {
        const duplicate = isNemoError(err) && (err.status === 409 || err.nemoCode === 409 || /duplicate|already exists/i.test(err.details.backendMessage ?? ''));
        const retriable = isNemoError(err) && (duplicate || ['backend', 'network', 'render_failed', 'bad_response'].includes(err.kind));
        if (attempt > 0 || !retriable) {
          if (attempt > 0 && duplicate) throw new NemoError({ kind: 'render_failed', message: `Nemo render_start: duplicate id again (${id})`, endpoint: 'render_start', cause: err });
          throw err;
        }
        const next = newRenderId();
        this.log.warn({ endpoint: 'render_start', renderId: id, nextRenderId: next, kind: (err as NemoError).kind, duplicate }, 'nemo render: submit failed, retrying once with a new id');
        await o.onNewRenderId?.(next);
        id = next;
      }
    }
  }

  async pollRender(auth: CredentialHandle, renderId: string, signal?: AbortSignal): Promise<RenderStatus> {
    const data = await this.json(auth, 'render_poll', 'GET', `/api/render/proxy/lambda/${enc(renderId)}`, undefined, signal);
    return toRenderStatus(renderId, parseData(renderPollSchema, data, 'render_poll', this.log), this.log);
  }

  async downloadRender(auth: CredentialHandle, o: DownloadOptions): Promise<DownloadResult> {
    return downloadRender(this.download, o, (fn) => this.auth.withAuth(auth, fn, { signal: o.signal }));
  }

  async cancelRender(auth: CredentialHandle, renderId: string): Promise<void> {
    try {
      await this.json(auth, 'render_cancel', 'POST', `/api/render/proxy/lambda/${enc(renderId)}/cancel`);
    } catch (err) {
      if (isNemoError(err) && err.status === 404) {
        this.log.info({ endpoint: 'render_cancel', renderId }, 'nemo render: cancel answered 404 (render gone or endpoint missing)');
        return;
      }
      throw err;
    }
  }
}
