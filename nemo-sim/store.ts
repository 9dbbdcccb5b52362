/**
 * The simulator's memory: tokens (accounts), anonymous client ids, sessions, renders, queued faults,
 * forced turn kinds and the request log. Everything lives in plain Maps so tests can inspect it.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { EndpointName, Fault, SimOptions, SimRender, SimRequest, SimSession, SimViolation, TurnKind } from './types.js';

export interface Account {
  token: string;
  userId: string;
  anonymous: boolean;
  clientId?: string;
  available: number;
  frozen: number;
  /** ms epoch; Infinity for static tokens. */
  expiresAt: number;
  expired: boolean;
}

export type AuthResult = { ok: true; account: Account } | { ok: false; reason: 'missing' | 'unknown' | 'expired' };

export const randomId = (bytes = 8): string => randomBytes(bytes).toString('hex');

/** A long numeric string like the documented "5529798706024415232". */
function numericId(): string {
  let s = String(randomInt(1, 10));
  for (let i = 0; i < 18; i++) s += String(randomInt(0, 10));
  return s;
}

export class SimStore {
  readonly accounts = new Map<string, Account>();
  /** X-Client-Id → its latest anonymous token and the stable anon user id. */
  readonly clients = new Map<string, { token: string; userId: string }>();
  readonly sessions = new Map<string, SimSession>();
  readonly renders = new Map<string, SimRender>();
  readonly requests: SimRequest[] = [];
  readonly violations: SimViolation[] = [];
  /** Remote address → times (ms epoch) it was issued an anonymous token. */
  private readonly issuedByAddress = new Map<string, number[]>();
  private faults: Array<Fault & { left: number }> = [];
  private forcedGlobal: TurnKind[] = [];
  private forcedBySession = new Map<string, TurnKind[]>();
  private seq = 0;
  maxConcurrent = 0;

  constructor(private readonly opts: SimOptions) {
    this.loadStaticTokens();
  }

  private loadStaticTokens(): void {
    for (const [token, o] of Object.entries(this.opts.staticTokens)) {
      this.addToken(token, { credits: o.credits, anonymous: o.anonymous });
    }
  }

  nextSeq(): number {
    return ++this.seq;
  }

  // ---- tokens ---------------------------------------------------------------------------------

  addToken(token: string, o: { credits?: number; anonymous?: boolean } = {}): Account {
    const anonymous = o.anonymous ?? false;
    const acc: Account = {
      token,
      userId: anonymous ? `anon_${randomId(8)}` : `usr_${randomId(8)}`,
      anonymous,
      available: o.credits ?? this.opts.initialCredits,
      frozen: 0,
      expiresAt: anonymous ? Date.now() + this.opts.tokenTtlMs : Number.POSITIVE_INFINITY,
      expired: false,
    };
    this.accounts.set(token, acc);
    return acc;
  }

  authenticate(token: string | undefined): AuthResult {
    if (!token) return { ok: false, reason: 'missing' };
    const acc = this.accounts.get(token);
    if (!acc) return { ok: false, reason: 'unknown' };
    if (acc.expired || Date.now() >= acc.expiresAt) {
      acc.expired = true;
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, account: acc };
  }

  /**
   * One anonymous token per client id while it is valid (else 'rate-limited'). A renewed token keeps
   * the client's anon user id, so its sessions stay reachable after a 1001 re-auth.
   */
  issueAnonymous(clientId: string, address = 'unknown'): Account | 'rate-limited' | 'address-quota' {
    const prev = this.clients.get(clientId);
    if (prev) {
      const acc = this.accounts.get(prev.token);
      if (acc && !acc.expired && Date.now() < acc.expiresAt) return 'rate-limited';
    }
    const now = Date.now();
    const issued = (this.issuedByAddress.get(address) ?? []).filter((at) => now - at < this.opts.tokenTtlMs);
    if (issued.length >= this.opts.anonymousTokensPerAddress) return 'address-quota';
    issued.push(now);
    this.issuedByAddress.set(address, issued);
    const token = `nmv_usr_anon_${randomId(12)}`;
    const acc = this.addToken(token, { anonymous: true, credits: this.opts.initialCredits });
    acc.clientId = clientId;
    if (prev) acc.userId = prev.userId;
    this.clients.set(clientId, { token, userId: acc.userId });
    return acc;
  }

  expireToken(token: string): void {
    const acc = this.accounts.get(token);
    if (acc) acc.expired = true;
  }

  setCredits(token: string, available: number): void {
    const acc = this.accounts.get(token) ?? this.addToken(token, { credits: available });
    acc.available = available;
  }

  // ---- sessions -------------------------------------------------------------------------------

  createSession(acc: Account, o: { language?: string; taskName?: string }): SimSession {
    let id = numericId();
    while (this.sessions.has(id)) id = numericId();
    const s: SimSession = {
      id,
      taskId: `task_${randomId(8)}`,
      token: acc.token,
      userId: acc.userId,
      language: o.language,
      taskName: o.taskName,
      uploads: [],
      turns: 0,
      activeTurns: 0,
      generated: [],
    };
    this.sessions.set(id, s);
    return s;
  }

  /** The session if it exists AND belongs to this account's user; channels never see each other's. */
  ownedSession(acc: Account, sessionId: string | undefined): SimSession | undefined {
    if (!sessionId) return undefined;
    const s = this.sessions.get(sessionId);
    return s && s.userId === acc.userId ? s : undefined;
  }

  dropSession(sessionId: string): void {
    this.sessions.delete(sessionId);
    this.forcedBySession.delete(sessionId);
  }

  noteStreamOpened(s: SimSession): void {
    s.activeTurns++;
    if (s.activeTurns > this.maxConcurrent) this.maxConcurrent = s.activeTurns;
  }

  // ---- faults and forced turns ----------------------------------------------------------------

  addFault(f: Fault): void {
    const times = f.times ?? 1;
    if (times <= 0) return;
    this.faults.push({ ...f, kind: f.kind ?? 'error', left: times });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Consume one hit of the oldest fault queued for this endpoint (and this call, when scoped). */
  takeFault(endpoint: EndpointName, call: { token?: string; sessionId?: string; clientId?: string } = {}): Fault | undefined {
    const inScope = (f: Fault): boolean =>
      !f.scope || ((f.scope.token === undefined || f.scope.token === call.token) && (f.scope.sessionId === undefined || f.scope.sessionId === call.sessionId) && (f.scope.clientId === undefined || f.scope.clientId === call.clientId));
    const i = this.faults.findIndex((f) => f.endpoint === endpoint && inScope(f));
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    f.left--;
    if (f.left <= 0) this.faults.splice(i, 1);
    const { left: _left, ...fault } = f;
    return fault;
  }

  pendingFaults(): Fault[] {
    return this.faults.map(({ left, ...f }) => ({ ...f, times: left }));
  }

  forceTurn(kind: TurnKind, sessionId?: string): void {
    if (sessionId === undefined) this.forcedGlobal.push(kind);
    else this.forcedBySession.set(sessionId, [...(this.forcedBySession.get(sessionId) ?? []), kind]);
  }

  /** A session-specific forced kind wins over a global one. */
  takeForcedTurn(sessionId: string): TurnKind | undefined {
    const own = this.forcedBySession.get(sessionId);
    if (own && own.length > 0) return own.shift();
    return this.forcedGlobal.shift();
  }

  clearForcedTurns(): void {
    this.forcedGlobal = [];
    this.forcedBySession.clear();
  }

  /** Control API reset: the log, faults and forced turns; with `all`, also every account, session and render. */
  reset(all: boolean): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.clearFaults();
    this.clearForcedTurns();
    if (!all) return;
    this.accounts.clear();
    this.clients.clear();
    this.issuedByAddress.clear();
    this.sessions.clear();
    this.renders.clear();
    this.maxConcurrent = 0;
    this.loadStaticTokens();
  }
}
