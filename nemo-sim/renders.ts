/**
 * The render proxy (`{success, data|error}` envelope): start, poll, cancel, the Bearer fallback
 * download, and the unauthenticated output URL. Status moves by the clock: `pending` for
 * renderStepMs, `processing` for renderStepMs, then `completed`, unless a fault or cancel fails it.
 */
import type { ServerResponse } from 'node:http';
import { requireAuth, SESSION_NOT_FOUND, violate, type Call, type SimContext } from './context.js';
import { isDraftReady } from './draft.js';
import { cutConnection, flood, isRecord, sendError, sendJson, sendText } from './http.js';
import type { Account } from './store.js';
import type { RenderStatusName, SimRender } from './types.js';

/** A render whose status is computed from the clock each time it is read. */
export class RenderJob implements SimRender {
  startPosts = 1;
  polls = 0;
  failWith?: string;
  cancelled?: boolean;
  /** A poll has reported it completed: from then on it stays completed (a fail fault no longer applies). */
  completedSeen = false;
  private forced?: RenderStatusName;

  constructor(
    readonly id: string,
    readonly sessionId: string,
    readonly createdAt: number,
    readonly draft: unknown,
    readonly userId: string,
    private readonly stepMs: () => number,
  ) {}

  get status(): RenderStatusName {
    if (this.forced) return this.forced;
    if (this.failWith !== undefined) return 'failed';
    const elapsed = Date.now() - this.createdAt;
    const step = this.stepMs();
    return elapsed < step ? 'pending' : elapsed < 2 * step ? 'processing' : 'completed';
  }

  /** Tests may force a status; the clock no longer applies then. */
  set status(v: RenderStatusName) {
    this.forced = v;
  }

  get progress(): number {
    const status = this.status;
    if (status === 'completed') return 100;
    if (status !== 'processing') return status === 'failed' ? Math.min(99, this.rawProgress()) : 0;
    return this.rawProgress();
  }

  private rawProgress(): number {
    const step = Math.max(1, this.stepMs());
    const frac = Math.min(1, Math.max(0, (Date.now() - this.createdAt - step) / step));
    return Math.round(10 + 80 * frac);
  }

  get completedAt(): number | undefined {
    return this.status === 'completed' ? this.createdAt + 2 * this.stepMs() : undefined;
  }
}

export const outputUrl = (ctx: SimContext, id: string): string => `${ctx.baseUrl()}/cdn/render-result/${encodeURIComponent(id)}.mp4`;

function ownedRender(ctx: SimContext, acc: Account, id: string | undefined): RenderJob | undefined {
  const r = id === undefined ? undefined : ctx.store.renders.get(id);
  return r instanceof RenderJob && r.userId === acc.userId ? r : undefined;
}

const notFound = (res: ServerResponse): void => sendJson(res, 404, { success: false, error: 'Render not found' });

/** POST /api/render/proxy/lambda `{id, sessionId, draft, output?}`. */
export function handleRenderStart(ctx: SimContext, call: Call): void {
  const { res, body } = call;
  const acc = requireAuth(ctx, call);
  if (!acc) return;
  if (ctx.opts.freePlanExportBlocked && acc.anonymous) {
    return sendJson(res, 402, { success: false, error: 'Export is not available on the free plan. Register or upgrade to unlock export.', code: 402 });
  }
  if (!call.bodyValid || !isRecord(body)) return sendJson(res, 400, { success: false, error: 'Invalid JSON body' });
  const id = body['id'];
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) return sendJson(res, 400, { success: false, error: 'id must be a non-empty string' });
  if (ctx.opts.requireSkillHeaders) {
    // The documented body: {"id":"render_<ts>","sessionId":"<sid>","draft":<json>,"output":{"format":"mp4","quality":"high"}}.
    if (!id.startsWith('render_')) {
      violate(ctx, call, 'render-id', `render id ${JSON.stringify(id.slice(0, 40))} does not start with render_`);
      return sendJson(res, 400, { success: false, error: 'id must look like render_<ts>' });
    }
    const output = body['output'];
    if (!isRecord(output) || output['format'] !== 'mp4' || typeof output['quality'] !== 'string') {
      violate(ctx, call, 'render-output', `render output ${JSON.stringify(output ?? null).slice(0, 80)}`);
      return sendJson(res, 400, { success: false, error: 'output must be {"format":"mp4","quality":…}' });
    }
  }
  const existing = ctx.store.renders.get(id);
  if (existing) {
    existing.startPosts++;
    return sendJson(res, 409, { success: false, error: 'duplicate render id' });
  }
  const sid = typeof body['sessionId'] === 'string' ? body['sessionId'] : undefined;
  const s = ctx.store.ownedSession(acc, sid);
  if (!s) return sendError(res, ctx.opts, 'render_start', { code: 1002, message: SESSION_NOT_FOUND });
  if (!isDraftReady(body['draft'])) return sendJson(res, 400, { success: false, error: 'Draft is not ready: no track has segments' });
  const job = new RenderJob(id, s.id, Date.now(), body['draft'], acc.userId, () => ctx.opts.renderStepMs);
  ctx.store.renders.set(id, job);
  sendJson(res, 200, { success: true, data: { id, status: 'pending', progress: 0 } });
}

/** The poll body in the configured shape. */
export function pollBody(ctx: SimContext, r: RenderJob): unknown {
  const status = r.status;
  const url = status === 'completed' ? outputUrl(ctx, r.id) : undefined;
  const error = status === 'failed' ? (r.failWith ?? 'Render failed') : undefined;
  if (ctx.opts.renderShape === 'data') {
    return {
      success: true,
      data: { id: r.id, status, progress: r.progress, createdAt: r.createdAt, ...(url ? { outputUrl: url, completedAt: r.completedAt } : {}), ...(error ? { error } : {}) },
    };
  }
  return {
    id: r.id,
    taskId: r.id,
    status,
    progress: r.progress,
    ...(url ? { output: { url, duration: ctx.fixture.durationS, size: ctx.fixture.bytes.length } } : {}),
    ...(error ? { error } : {}),
  };
}

/** A render_poll 'error' fault with neither status nor code fails the render instead of the HTTP call. */
const isRenderFailFault = (call: Call): boolean =>
  call.fault?.kind === 'error' && call.fault.status === undefined && call.fault.code === undefined;

/**
 * GET /api/render/proxy/lambda/{id}. A render_poll fault of kind 'error' WITHOUT status and code makes
 * the polled render fail (`status:"failed", error:<message>`); with either it is an HTTP error instead.
 */
export function handleRenderPoll(ctx: SimContext, call: Call): void {
  const acc = requireAuth(ctx, call);
  if (!acc) return;
  const r = ownedRender(ctx, acc, call.params[0]);
  if (!r) return notFound(call.res);
  r.polls++;
  // A fail fault fails a render the client has not yet seen completed, however far the clock got
  // (so a slow first poll on a loaded machine still meets the failure the test asked for).
  if (isRenderFailFault(call) && !r.completedSeen && !r.cancelled) {
    r.failWith = call.fault?.message ?? 'Render failed';
  }
  if (r.status === 'completed') r.completedSeen = true;
  sendJson(call.res, 200, pollBody(ctx, r));
}

/** POST /api/render/proxy/lambda/{id}/cancel: a running render fails with "cancelled". */
export function handleRenderCancel(ctx: SimContext, call: Call): void {
  const acc = requireAuth(ctx, call);
  if (!acc) return;
  const r = ownedRender(ctx, acc, call.params[0]);
  if (!r) return notFound(call.res);
  const status = r.status;
  if (status === 'pending' || status === 'processing') {
    r.cancelled = true;
    r.failWith = 'cancelled';
  }
  sendJson(call.res, 200, { success: true, data: { id: r.id, status: r.status, ...(r.cancelled ? { cancelled: true } : {}) } });
}

/** GET /api/render/proxy/{id}/download (Bearer): the fixture bytes once the render completed. */
export async function handleRenderDownload(ctx: SimContext, call: Call): Promise<void> {
  const acc = requireAuth(ctx, call);
  if (!acc) return;
  const r = ownedRender(ctx, acc, call.params[0]);
  if (!r) return notFound(call.res);
  if (r.status !== 'completed') return sendJson(call.res, 409, { success: false, error: `Render is ${r.status}` });
  await sendVideo(ctx, call, `${r.id}.mp4`);
}

/** GET|HEAD /cdn/render-result/{id}.mp4 (no auth). Any 'error'/'not-found' fault → 404 (use the fallback). */
export async function handleOutput(ctx: SimContext, call: Call): Promise<void> {
  const k = call.fault?.kind;
  if (k === 'error' || k === 'not-found' || k === 'stream-error') return sendText(call.res, call.fault?.status ?? 404, 'Not Found');
  const r = call.params[0] === undefined ? undefined : ctx.store.renders.get(call.params[0]);
  if (!r || r.status !== 'completed') return sendText(call.res, 404, 'Not Found');
  await sendVideo(ctx, call, `${r.id}.mp4`);
}

/**
 * Stream the fixture (HEAD and single `bytes=` ranges supported). Byte faults: 'drop' sends half then
 * cuts the connection, 'garbage' sends bytes that are not an MP4, 'flood' sends endless bytes.
 */
async function sendVideo(ctx: SimContext, call: Call, filename: string): Promise<void> {
  const { res, req } = call;
  const bytes = ctx.fixture.bytes;
  const base = { 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-disposition': `attachment; filename="${filename}"` };
  const kind = call.fault?.kind;
  if (kind === 'flood') {
    res.writeHead(200, { 'content-type': 'video/mp4' });
    return flood(res, '', '\u0000', call.gone);
  }
  if (kind === 'garbage') {
    const junk = Buffer.from('<html><body>502 Bad Gateway</body></html>');
    res.writeHead(200, { ...base, 'content-length': junk.length });
    return void res.end(junk);
  }
  if (kind === 'drop') {
    res.writeHead(200, { ...base, 'content-length': bytes.length });
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    return cutConnection(res);
  }
  let body = bytes;
  let status = 200;
  const headers: Record<string, string | number> = { ...base };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    let start = range[1] ? Number(range[1]) : bytes.length - Number(range[2]);
    let end = range[1] && range[2] ? Number(range[2]) : bytes.length - 1;
    start = Math.max(0, start);
    end = Math.min(end, bytes.length - 1);
    if (start > end || start >= bytes.length) {
      res.writeHead(416, { 'content-range': `bytes */${bytes.length}` });
      return void res.end();
    }
    body = bytes.subarray(start, end + 1);
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${bytes.length}`;
  }
  headers['content-length'] = body.length;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Fault handling for the render endpoints that the generic handler must not do (see handleRenderPoll). */
export const rendersHandleOwnFault = (call: Call): boolean =>
  (call.endpoint === 'render_poll' && isRenderFailFault(call)) ||
  ((call.endpoint === 'render_download' || call.endpoint === 'output') && ['drop', 'garbage', 'flood'].includes(call.fault?.kind ?? '')) ||
  (call.endpoint === 'output' && ['error', 'not-found', 'stream-error'].includes(call.fault?.kind ?? ''));
