/**
 * `/__sim/*`: the control API for driving a simulator that runs in another process (`npm run sim`),
 * e.g. from the demo or the benchmarks. Control calls are not recorded in the request log.
 *
 *   GET  /__sim/health                  {ok, url, sessions, renders}
 *   GET  /__sim/requests[?endpoint=e]   SimRequest[]
 *   GET  /__sim/state                   sessions, renders, pending faults, maxConcurrentTurnsPerSession
 *   POST /__sim/fault                   Fault JSON
 *   POST /__sim/clear-faults
 *   POST /__sim/next-turn               {kind, sessionId?}
 *   POST /__sim/reset                   {all?: boolean}  log + faults + forced turns (all: also tokens, sessions, renders)
 *   POST /__sim/token                   {token, credits?, anonymous?}
 *   POST /__sim/expire-token            {token}
 *   POST /__sim/credits                 {token, available}
 *   POST /__sim/drop-session            {sessionId}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord, parseJsonLoose, readBody, sendJson } from './http.js';
import type { SimStore } from './store.js';
import { TURN_KINDS, type NemoSim, type TurnKind } from './types.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export async function handleControl(sim: NemoSim, store: SimStore, req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
  const name = path.slice('/__sim/'.length);
  if (method === 'GET') {
    req.resume();
    if (name === 'health') return sendJson(res, 200, { ok: true, url: sim.url, sessions: sim.sessions.size, renders: sim.renders.size });
    if (name === 'requests') {
      const endpoint = new URL(req.url ?? '/', 'http://sim.invalid').searchParams.get('endpoint');
      return sendJson(res, 200, endpoint ? sim.requests.filter((r) => r.endpoint === endpoint) : sim.requests);
    }
    if (name === 'state') {
      return sendJson(res, 200, {
        sessions: [...sim.sessions.values()],
        renders: [...sim.renders.values()].map((r) => ({ id: r.id, sessionId: r.sessionId, status: r.status, polls: r.polls, startPosts: r.startPosts, failWith: r.failWith })),
        faults: store.pendingFaults(),
        maxConcurrentTurnsPerSession: sim.maxConcurrentTurnsPerSession,
      });
    }
    return sendJson(res, 404, { error: `unknown control GET ${name}` });
  }
  if (method !== 'POST') return sendJson(res, 405, { error: 'GET or POST' });

  const raw = await readBody(req, 1024 * 1024);
  const parsed = raw.ok ? parseJsonLoose(raw.raw) : { value: undefined, valid: false };
  const b: Record<string, unknown> = isRecord(parsed.value) ? parsed.value : {};
  if (!parsed.valid) return sendJson(res, 400, { error: 'invalid JSON' });
  try {
    switch (name) {
      case 'fault':
        sim.fault(b as never);
        break;
      case 'clear-faults':
        sim.clearFaults();
        break;
      case 'next-turn': {
        if (!TURN_KINDS.includes(b['kind'] as TurnKind)) return sendJson(res, 400, { error: `kind must be one of ${TURN_KINDS.join(', ')}` });
        sim.nextTurn(b['kind'] as TurnKind, str(b['sessionId']));
        break;
      }
      case 'reset':
        store.reset(b['all'] === true);
        break;
      case 'token': {
        const token = str(b['token']);
        if (!token) return sendJson(res, 400, { error: 'token required' });
        sim.addToken(token, {
          credits: typeof b['credits'] === 'number' ? b['credits'] : undefined,
          anonymous: typeof b['anonymous'] === 'boolean' ? b['anonymous'] : undefined,
        });
        break;
      }
      case 'expire-token':
        sim.expireToken(str(b['token']) ?? '');
        break;
      case 'credits': {
        const token = str(b['token']);
        if (!token || typeof b['available'] !== 'number') return sendJson(res, 400, { error: 'token and available required' });
        sim.setCredits(token, b['available']);
        break;
      }
      case 'drop-session':
        sim.dropSession(str(b['sessionId']) ?? '');
        break;
      default:
        return sendJson(res, 404, { error: `unknown control POST ${name}` });
    }
  } catch (e) {
    return sendJson(res, 400, { error: (e as Error).message });
  }
  sendJson(res, 200, { ok: true });
}
