/**
 * The simulator's `node:http` server: routing, the request log, fault dispatch and the in-process
 * `NemoSim` handle. No framework, so the wire behaviour (headers, chunking, resets) is exactly what
 * a real HTTP server does.
 */
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control.js';
import type { Call, SimContext } from './context.js';
import { sendSessionNotFound, violate } from './context.js';
import { loadFixture } from './fixture.js';
import {
  bearerToken, clientGoneSignal, dropConnection, flood, isRecord, lowerHeaders, parseJsonLoose, readBody,
  sendDetail, sendError, sendJson, sleep, stallForever,
} from './http.js';
import {
  handleOutput, handleRenderCancel, handleRenderDownload, handleRenderPoll, handleRenderStart, rendersHandleOwnFault,
} from './renders.js';
import { handleAnonymousToken, handleClaimToken, handleCreateSession, handleCredits, handleState } from './routes.js';
import { handleRunSse } from './sse.js';
import { SimStore } from './store.js';
import {
  DEFAULT_OPTIONS, ENDPOINT_NAMES, FAULT_KINDS, type EndpointName, type Fault, type NemoSim, type SimOptions, type SimRequest,
} from './types.js';
import { handleUpload } from './upload.js';

interface Route {
  endpoint: EndpointName;
  methods: string[];
  re: RegExp;
}

/** Paths exactly as the contract has them (literal `me`, no trailing slash): client path bugs show up as 404. */
const ROUTES: Route[] = [
  { endpoint: 'anonymous_token', methods: ['POST'], re: /^\/api\/auth\/anonymous-token$/ },
  { endpoint: 'create_session', methods: ['POST'], re: /^\/api\/tasks\/me\/with-session\/nemo_agent$/ },
  { endpoint: 'claim_token', methods: ['POST'], re: /^\/api\/auth\/claim-token$/ },
  { endpoint: 'run_sse', methods: ['POST'], re: /^\/run_sse$/ },
  { endpoint: 'upload', methods: ['POST'], re: /^\/api\/upload-video\/nemo_agent\/me\/([^/]+)$/ },
  { endpoint: 'credits', methods: ['GET'], re: /^\/api\/credits\/balance\/simple$/ },
  { endpoint: 'state', methods: ['GET'], re: /^\/api\/state\/nemo_agent\/me\/([^/]+)\/latest$/ },
  { endpoint: 'render_start', methods: ['POST'], re: /^\/api\/render\/proxy\/lambda$/ },
  { endpoint: 'render_cancel', methods: ['POST'], re: /^\/api\/render\/proxy\/lambda\/([^/]+)\/cancel$/ },
  { endpoint: 'render_poll', methods: ['GET'], re: /^\/api\/render\/proxy\/lambda\/([^/]+)$/ },
  { endpoint: 'render_download', methods: ['GET'], re: /^\/api\/render\/proxy\/([^/]+)\/download$/ },
  { endpoint: 'output', methods: ['GET', 'HEAD'], re: /^\/cdn\/render-result\/([^/]+)\.mp4$/ },
];

const SKILL_HEADERS = ['x-skill-source', 'x-skill-version', 'x-skill-platform'];

const HANDLERS: Record<EndpointName, (ctx: SimContext, call: Call) => void | Promise<void>> = {
  anonymous_token: handleAnonymousToken,
  create_session: handleCreateSession,
  claim_token: handleClaimToken,
  run_sse: handleRunSse,
  upload: handleUpload,
  credits: handleCredits,
  state: handleState,
  render_start: handleRenderStart,
  render_poll: handleRenderPoll,
  render_download: handleRenderDownload,
  render_cancel: handleRenderCancel,
  output: handleOutput,
};

const SESSION_ENDPOINTS = new Set<EndpointName>(['upload', 'state', 'claim_token', 'create_session']);

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Throw on a fault a test could not have meant (typo in endpoint or kind). */
export function validateFault(f: unknown): Fault {
  if (!isRecord(f) || !ENDPOINT_NAMES.includes(f['endpoint'] as EndpointName)) throw new Error(`fault: unknown endpoint ${JSON.stringify(isRecord(f) ? f['endpoint'] : f)}`);
  if (f['kind'] !== undefined && !FAULT_KINDS.includes(f['kind'] as Fault['kind'] & string)) throw new Error(`fault: unknown kind ${JSON.stringify(f['kind'])}`);
  return f as unknown as Fault;
}

/** Faults that replace the endpoint's answer (run_sse and the byte endpoints handle theirs themselves). */
async function applyGenericFault(ctx: SimContext, call: Call, fault: Fault): Promise<void> {
  const { req, res, endpoint } = call;
  if (fault.kind !== 'drop' && fault.kind !== 'reset') req.resume();
  switch (fault.kind ?? 'error') {
    case 'error':
    case 'stream-error':
      return sendError(res, ctx.opts, endpoint, { status: fault.status, code: fault.code, message: fault.message ?? 'Internal Server Error' });
    case 'not-found':
      if (SESSION_ENDPOINTS.has(endpoint)) return sendSessionNotFound(ctx, call);
      if (endpoint.startsWith('render_')) return sendJson(res, 404, { success: false, error: 'Render not found' });
      return sendDetail(res, 404, 'Not Found');
    case 'drop':
    case 'reset':
      return dropConnection(req, res);
    case 'stall':
    case 'heartbeat-only':
      return stallForever(res, call.gone);
    case 'garbage': {
      const junk = '{"code":0,"data":<html><body>502 Bad Gateway</body></html>';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(junk) });
      return void res.end(junk);
    }
    case 'flood':
      res.writeHead(200, { 'content-type': 'application/json' });
      return flood(res, '{"code":0,"data":"', 'x', call.gone);
    case 'delay':
      return; // handled before dispatch
  }
}

export interface SimHooks {
  /** Called for every recorded request once its body is known (the CLI logs with it). */
  onRequest?(r: SimRequest): void;
}

export async function startNemoSim(opts: Partial<SimOptions> = {}, hooks: SimHooks = {}): Promise<NemoSim> {
  const options: SimOptions = { ...DEFAULT_OPTIONS, ...opts, staticTokens: { ...(opts.staticTokens ?? {}) } };
  const store = new SimStore(options);
  const fixture = loadFixture();
  const closing = new AbortController();
  // Every open request listens to it (through AbortSignal.any): thousands at once are expected.
  setMaxListeners(0, closing.signal);
  let url = '';
  const ctx: SimContext = { opts: options, store, fixture, baseUrl: () => url, closing: closing.signal };

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = new URL(req.url ?? '/', 'http://sim.invalid').pathname;
    if (path.startsWith('/__sim/')) return handleControl(sim, store, req, res, path, method);
    if (path === '/' && (method === 'GET' || method === 'HEAD')) {
      // A reachability probe of the base URL (start-up checks, doctor) calls no API: the backend's
      // root answers 404, and nothing is recorded.
      req.resume();
      return sendDetail(res, 404, 'Not Found');
    }

    const headers = lowerHeaders(req);
    let route: Route | undefined;
    let m: RegExpExecArray | null = null;
    for (const r of ROUTES) if ((m = r.re.exec(path))) { route = r; break; }
    const params = m ? m.slice(1).map(decode) : [];
    const rec: SimRequest = { seq: store.nextSeq(), endpoint: route?.endpoint ?? 'unknown', method, path, headers, body: undefined, at: Date.now() };
    const token = bearerToken(headers);
    if (token) rec.token = token;
    if (route && (route.endpoint === 'upload' || route.endpoint === 'state') && params[0]) rec.sessionId = params[0];
    store.requests.push(rec);

    const flag = (rule: string, detail: string): void => violate(ctx, { rec }, rule, detail);
    // The skill: never put the nmv_usr_* token in a URL (logs, proxies and browsers keep URLs).
    const rawUrl = req.url ?? '';
    if (/nmv_usr_/.test(rawUrl) || (token && (rawUrl.includes(token) || rawUrl.includes(encodeURIComponent(token))))) flag('token-in-url', `${rec.endpoint} URL carries the token`);
    if (!route) {
      req.resume();
      flag('route', `no such endpoint: ${method} ${path}`);
      return sendDetail(res, 404, 'Not Found');
    }
    if (!route.methods.includes(method)) {
      req.resume();
      flag('method', `${method} not allowed on ${route.endpoint}`);
      return sendJson(res, 405, { detail: 'Method Not Allowed' }, { allow: route.methods.join(', ') });
    }
    const endpoint = route.endpoint;
    // Every API call carries the three attribution headers (the output URL is a plain CDN link).
    const missing = endpoint === 'output' ? [] : SKILL_HEADERS.filter((h) => !(headers[h] ?? '').trim());
    if (missing.length && options.requireSkillHeaders) {
      req.resume();
      flag('skill-headers', `${endpoint} without ${missing.join(', ')}`);
      if (endpoint.startsWith('render_')) return sendJson(res, 402, { success: false, error: 'Export blocked: free plan (missing X-Skill-Source / X-Skill-Version / X-Skill-Platform)', code: 402 });
      return sendError(res, options, endpoint, { code: 1001, message: `Unrecognised client: missing ${missing.join(', ')}` });
    }
    let body: unknown;
    let bodyValid = true;
    if (endpoint !== 'upload' && method === 'POST') {
      const raw = await readBody(req);
      if (!raw.ok) {
        if (raw.reason === 'too-large') sendError(res, options, endpoint, { status: 413, message: 'Request body too large' });
        return;
      }
      ({ value: body, valid: bodyValid } = parseJsonLoose(raw.raw));
      rec.body = body;
      if (raw.raw.length > 0 && options.requireSkillHeaders && !/^application\/json\b/i.test(headers['content-type'] ?? '')) {
        flag('content-type', `${endpoint} JSON body sent as ${headers['content-type'] ?? 'no content type'}`);
        return sendJson(res, 415, { detail: 'Unsupported Media Type: expected application/json' });
      }
      if (isRecord(body)) {
        const sid = body['session_id'] ?? body['sessionId'];
        if (typeof sid === 'string') rec.sessionId = sid;
      }
    }
    const gone = clientGoneSignal(res, closing.signal);
    // Render calls and the output URL name a render: they belong to its session.
    if (!rec.sessionId && (endpoint.startsWith('render_') || endpoint === 'output') && params[0]) rec.sessionId = store.renders.get(params[0])?.sessionId;
    let fault = store.takeFault(endpoint, { token: rec.token, sessionId: rec.sessionId, clientId: headers['x-client-id'] });
    if (fault?.kind === 'delay') {
      if (!(await sleep(fault.delayMs ?? 1000, gone))) return void res.destroy();
      fault = undefined;
    }
    const call: Call = { endpoint, req, res, rec, body, bodyValid, params, gone };
    if (fault) call.fault = fault;
    try {
      if (fault && endpoint !== 'run_sse' && !rendersHandleOwnFault(call)) await applyGenericFault(ctx, call, fault);
      else await HANDLERS[endpoint](ctx, call);
    } finally {
      hooks.onRequest?.(rec);
    }
  }

  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    onRequest(req, res).catch(() => {
      // Never crash on bad input: answer 500 if we still can, else cut the connection.
      if (!res.headersSent) sendJson(res, 500, { code: 500, message: 'simulator internal error' });
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.address === '0.0.0.0' || addr.address === '::' ? '127.0.0.1' : addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  url = `http://${host}:${addr.port}`;

  let closed: Promise<void> | undefined;
  const sim: NemoSim = {
    url,
    options,
    fixture,
    requests: store.requests,
    violations: store.violations,
    assertNoViolations: () => {
      if (store.violations.length === 0) return;
      const lines = store.violations.map((v) => `  #${v.seq} ${v.endpoint} [${v.rule}] ${v.detail}`);
      throw new Error(`Nemo simulator: ${store.violations.length} contract violation(s):\n${lines.join('\n')}`);
    },
    requestsTo: (endpoint) => store.requests.filter((r) => r.endpoint === endpoint),
    clearRequests: () => void (store.requests.length = 0),
    fault: (f) => store.addFault(validateFault(f)),
    clearFaults: () => store.clearFaults(),
    nextTurn: (kind, sessionId) => store.forceTurn(kind, sessionId),
    sessions: store.sessions,
    renders: store.renders,
    get maxConcurrentTurnsPerSession() {
      return store.maxConcurrent;
    },
    set maxConcurrentTurnsPerSession(v: number) {
      store.maxConcurrent = v;
    },
    addToken: (token, o) => void store.addToken(token, o),
    expireToken: (token) => store.expireToken(token),
    setCredits: (token, available) => store.setCredits(token, available),
    dropSession: (sessionId) => store.dropSession(sessionId),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
  return sim;
}
