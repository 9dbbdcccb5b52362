/**
 * The fake's HTTP plumbing: a small router with `:param` patterns, bot-token auth, call recording,
 * and fault injection (the next N calls of a route answer 429 with Discord's rate-limit headers, or
 * any other status, optionally after a delay).
 *
 * Bodies are always read in full before answering, as Discord does, so a client uploading a file
 * never sees its socket reset mid-upload and the recorded call holds the bytes that were sent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, type ParsedBody } from './multipart.js';
import type { StoredFile } from './state.js';

export interface RecordedCall {
  method: string;
  /** Path after `/api/v10`, decoded (`/webhooks/1/tok/messages/@original`). */
  path: string;
  /** The matched route pattern (`/channels/:id/messages`), or the path when nothing matched. */
  route: string;
  query: Record<string, string>;
  /** JSON body, or `payload_json` of a multipart request. */
  body: unknown;
  files: StoredFile[];
  multipart: boolean;
  status: number;
  /** True when the answer came from an injected fault. */
  fault: boolean;
  at: number;
}

export interface FaultSpec {
  method?: string;
  /** A route pattern (`/channels/:id/messages`) or a RegExp tested against `METHOD /path`. */
  route: string | RegExp;
  /** Only multipart (file upload) requests, or only JSON ones. */
  multipart?: boolean;
  /** How many matching calls fail (default 1). */
  times?: number;
  /** HTTP status to answer; `0` = no fault, only `delayMs`. */
  status: number;
  /** For 429: seconds to wait (default 0.2). */
  retryAfter?: number;
  global?: boolean;
  /** Discord JSON error code and message for non-429 faults. */
  code?: number;
  message?: string;
  /** Wait this long before answering (a slow server / slow upload acknowledgement). */
  delayMs?: number;
}

export interface Reply {
  status: number;
  json?: unknown;
  raw?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteContext {
  req: IncomingMessage;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: ParsedBody;
}

export interface Route {
  method: string;
  pattern: string;
  /** `bot`: needs `Authorization: Bot <token>`; `none`: interaction/webhook/CDN routes. */
  auth: 'bot' | 'none';
  handle: (ctx: RouteContext) => Promise<Reply> | Reply;
}

/** A JSON error the way Discord sends it. */
export function discordError(status: number, code: number, message: string, errors?: unknown): Reply {
  return { status, json: errors ? { code, message, errors } : { code, message } };
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) params[p[i]!.slice(1)] = s[i]!;
    else if (p[i] !== s[i]) return undefined;
  }
  return params;
}

export class FakeHttp {
  readonly calls: RecordedCall[] = [];
  private readonly faults: Array<FaultSpec & { left: number }> = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly routes: Route[],
    private readonly token: string,
    /** Prefix of API routes (`/api/v10`); other paths are tried as-is (the CDN). */
    private readonly apiPrefix = '/api/v10',
  ) {}

  /** Fail the next matching calls. */
  inject(fault: FaultSpec): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Called after every recorded call (lets `waitFor` wake up at once). */
  onCall(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = (req.method ?? 'GET').toUpperCase();
    const isApi = url.pathname.startsWith(this.apiPrefix);
    const path = (isApi ? url.pathname.slice(this.apiPrefix.length) : url.pathname)
      .split('/')
      .map((seg) => decodeURIComponent(seg))
      .join('/');
    let body: ParsedBody = { json: undefined, files: [], multipart: false, size: 0 };
    let reply: Reply;
    let route = path;
    let fault = false;
    try {
      body = await readBody(req);
      const found = this.routes.map((r) => ({ r, params: r.method === method ? match(r.pattern, path) : undefined })).find((x) => x.params);
      if (found) route = found.r.pattern;
      const injected = this.takeFault(method, route, path, body.multipart);
      if (injected?.delayMs) await new Promise((r) => setTimeout(r, injected.delayMs));
      if (injected && injected.status !== 0) {
        fault = true;
        reply = this.faultReply(injected);
      } else if (!found) {
        reply = discordError(404, 0, '404: Not Found');
      } else if (found.r.auth === 'bot' && req.headers.authorization !== `Bot ${this.token}`) {
        reply = discordError(401, 0, '401: Unauthorized');
      } else {
        reply = await found.r.handle({ req, method, path, params: found.params!, query: url.searchParams, body });
      }
    } catch (err) {
      reply = discordError(400, 50109, `The request body contains invalid JSON. (${(err as Error).message})`);
    }
    this.calls.push({
      method,
      path,
      route,
      query: Object.fromEntries(url.searchParams),
      body: body.json,
      files: body.files,
      multipart: body.multipart,
      status: reply.status,
      fault,
      at: Date.now(),
    });
    this.send(res, reply);
    for (const fn of this.listeners) fn();
  }

  private takeFault(method: string, route: string, path: string, multipart: boolean): (FaultSpec & { left: number }) | undefined {
    const f = this.faults.find(
      (x) =>
        x.left > 0 &&
        (!x.method || x.method.toUpperCase() === method) &&
        (x.multipart === undefined || x.multipart === multipart) &&
        (typeof x.route === 'string' ? x.route === route || x.route === path : x.route.test(`${method} ${path}`)),
    );
    if (f) f.left -= 1;
    return f;
  }

  private faultReply(f: FaultSpec): Reply {
    if (f.status === 429) {
      const retryAfter = f.retryAfter ?? 0.2;
      const headers: Record<string, string> = {
        'retry-after': String(retryAfter),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(retryAfter),
        'x-ratelimit-bucket': 'fake-bucket',
        'x-ratelimit-scope': f.global ? 'global' : 'user',
      };
      if (f.global) headers['x-ratelimit-global'] = 'true';
      return { status: 429, headers, json: { message: 'You are being rate limited.', retry_after: retryAfter, global: Boolean(f.global) } };
    }
    return discordError(f.status, f.code ?? 0, f.message ?? `fake fault ${f.status}`);
  }

  private send(res: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.raw) {
      headers['content-type'] = reply.contentType ?? 'application/octet-stream';
      res.writeHead(reply.status, headers).end(reply.raw);
    } else if (reply.json !== undefined) {
      headers['content-type'] = 'application/json';
      res.writeHead(reply.status, headers).end(JSON.stringify(reply.json));
    } else {
      res.writeHead(reply.status, headers).end();
    }
  }
}
