/**
 * Public types of the Nemo simulator. These are a contract: the Nemo client tests, the bot core, the
 * demo and the benchmarks all drive the simulator through them, so change them only by adding.
 */
import type { Draft } from '../src/nemo/types.js';

export type HeartbeatForm = 'comment' | 'event' | 'empty' | 'json';

export interface SimOptions {
  host: string;
  /** 0 = random free port. */
  port: number;
  /** Duration of a generation turn. */
  turnMs: number;
  /** Extra: when > turnMs, every generation turn takes a random time in [turnMs, turnMsMax] (the CLI's 30-90 s). */
  turnMsMax: number;
  /** Duration of edit / question / chat turns. */
  editTurnMs: number;
  /** Heartbeat spacing during turns. */
  heartbeatMs: number;
  /** Heartbeat forms, rotated in this order within each stream. */
  heartbeatForms: HeartbeatForm[];
  /** Time a render spends in `pending`, and again in `processing`. */
  renderStepMs: number;
  /** Poll shape: [D] `{status, progress, output:{url}}` or [H/C] `{success:true, data:{id,status,progress,outputUrl}}`. */
  renderShape: 'top-level' | 'data';
  /** Business errors as HTTP status + `{code,message}`, or HTTP 200 + `{code≠0,message}`. */
  errorStyle: 'http' | 'code200';
  /** In-stream errors: older ADK `data: {"error":"…"}` or newer ADK event by author "system" with "Error: …". */
  streamErrorForm: 'legacy' | 'system';
  tokenTtlMs: number;
  initialCredits: number;
  generationCost: number;
  editCost: number;
  /**
   * Include `user_id` (`anon_…`) in anonymous-token and create-session responses. Default false: the
   * official v1.0+ examples show `{token, credits}` and `{task_id, session_id}` only.
   */
  returnUserId: boolean;
  /** Include `user_id` in the state response (the skill: take the bind id "from create-session or state response when needed"). */
  stateUserId: boolean;
  /** Anonymous tokens one address may get per `tokenTtlMs` (the skill: 10 per IP per 7 days); beyond → 429. */
  anonymousTokensPerAddress: number;
  /** Charge a generation when its tool call starts (mid-stream): without credits the stream carries a 2001 error event. */
  chargeMidStream: boolean;
  /** Anonymous (free plan) tokens may not export: render start answers 402 (the plan, not credits). */
  freePlanExportBlocked: boolean;
  /** A silent edit (`edit-silent`) lands in the draft this long after its stream closed (the backend finishes it later). */
  silentEditLagMs: number;
  /** Generation turns end with the documented "I encountered a temporary issue…" noise. */
  trailingNoise: boolean;
  /** 2: a generation first leaves the raw clip in the draft, and adds the music halfway later (the seed's two stages). Default 1. */
  generationStages: 1 | 2;
  /**
   * Strict contract checks (recorded in `violations`): X-Skill-* headers on every API call (render → 402,
   * others → 1001), `Accept: text/event-stream` on /run_sse, `language` on create-session, `source_type`
   * on URL uploads, `render_` ids and `output` on render start.
   */
  requireSkillHeaders: boolean;
  maxUploadBytes: number;
  /** Tokens accepted from the start (e.g. a fixed NEMO_TOKEN). Not anonymous unless said so. */
  staticTokens: Record<string, { credits: number; anonymous?: boolean }>;
}

export const DEFAULT_OPTIONS: SimOptions = {
  host: '127.0.0.1',
  port: 0,
  turnMs: 400,
  turnMsMax: 0,
  editTurnMs: 100,
  heartbeatMs: 100,
  heartbeatForms: ['comment', 'event', 'empty', 'json'],
  renderStepMs: 150,
  renderShape: 'top-level',
  errorStyle: 'http',
  streamErrorForm: 'legacy',
  tokenTtlMs: 7 * 24 * 3600 * 1000,
  initialCredits: 100,
  generationCost: 100,
  editCost: 0,
  returnUserId: false,
  stateUserId: true,
  anonymousTokensPerAddress: 10,
  chargeMidStream: false,
  freePlanExportBlocked: false,
  silentEditLagMs: 0,
  trailingNoise: true,
  generationStages: 1,
  requireSkillHeaders: true,
  maxUploadBytes: 200 * 1024 * 1024,
  staticTokens: {},
};

export type EndpointName =
  | 'anonymous_token'
  | 'create_session'
  | 'claim_token'
  | 'run_sse'
  | 'upload'
  | 'credits'
  | 'state'
  | 'render_start'
  | 'render_poll'
  | 'render_download'
  | 'render_cancel'
  | 'output';

export const ENDPOINT_NAMES: readonly EndpointName[] = [
  'anonymous_token', 'create_session', 'claim_token', 'run_sse', 'upload', 'credits', 'state',
  'render_start', 'render_poll', 'render_download', 'render_cancel', 'output',
];

export interface SimRequest {
  seq: number;
  endpoint: EndpointName | 'unknown';
  method: string;
  path: string;
  /** Lower-case keys; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON (or the raw text when it was not JSON), or for multipart `{files:[{field, filename, size}]}`. */
  body: unknown;
  token?: string;
  sessionId?: string;
  /** Date.now() when the request arrived. */
  at: number;
}

/** `gui`: (forced only) a reply full of web-editor instructions: drag, open a panel, check billing, click a button. */
export type TurnKind = 'generate' | 'edit-text' | 'edit-silent' | 'question' | 'chat' | 'gui';
export const TURN_KINDS: readonly TurnKind[] = ['generate', 'edit-text', 'edit-silent', 'question', 'chat', 'gui'];

export type FaultKind =
  | 'error' | 'not-found' | 'drop' | 'stall' | 'heartbeat-only' | 'garbage' | 'flood' | 'stream-error' | 'delay' | 'reset';
/** 'reset': the connection is cut before any answer (a network failure; on /run_sse the turn never starts). */
export const FAULT_KINDS: readonly FaultKind[] = [
  'error', 'not-found', 'drop', 'stall', 'heartbeat-only', 'garbage', 'flood', 'stream-error', 'delay', 'reset',
];

export interface Fault {
  endpoint: EndpointName;
  /** How many matching calls it hits (default 1). */
  times?: number;
  /** Default 'error'. */
  kind?: FaultKind;
  /** 'error': HTTP status (with errorStyle http), e.g. 401, 404, 429, 500. */
  status?: number;
  /** 'error': business code in the body, e.g. 1001, 1002, 2001, 4001, 4002. */
  code?: number;
  message?: string;
  /** SSE kinds: emit this many normal events first (default 0). */
  afterEvents?: number;
  /** 'delay': answer normally after this long (default 1000). */
  delayMs?: number;
  /** 'stream-error' form override. */
  form?: 'legacy' | 'system';
  /**
   * Only calls of one conversation match (every field given must equal): its Bearer token, its
   * session (render calls and the output URL are matched through their render's session) or its
   * X-Client-Id. Lets tests fault many conversations at once without stealing each other's faults.
   */
  scope?: { token?: string; sessionId?: string; clientId?: string };
}

export interface UploadRecord {
  filename: string;
  size: number;
  fileType: string;
  cdnUrl: string;
  viaUrl?: string;
}

export interface SimSession {
  id: string;
  taskId: string;
  /** The token that created it. */
  token: string;
  /** Owner. Anonymous users keep their id across tokens issued for the same X-Client-Id. */
  userId: string;
  language?: string;
  taskName?: string;
  draft?: Draft;
  uploads: UploadRecord[];
  /** POSTs to /run_sse naming this session. */
  turns: number;
  /** /run_sse streams open right now. */
  activeTurns: number;
  /** Extra: the last turn asked a question; the next plain reply is treated as the answer (a generation). */
  pendingQuestion?: boolean;
  /** Extra: ids of generated clips (state.generated_media). */
  generated?: Array<{ id: string; url: string; durationS: number }>;
}

export type RenderStatusName = 'pending' | 'processing' | 'completed' | 'failed';

export interface SimRender {
  id: string;
  sessionId: string;
  /** Computed from the clock (pending → processing → completed) unless failed or cancelled. */
  status: RenderStatusName;
  createdAt: number;
  /** POSTs to render start with this id (duplicates included). */
  startPosts: number;
  polls: number;
  draft: unknown;
  /** Set by a render_poll 'error' fault without status, or by cancel: the render reports failed with this error. */
  failWith?: string;
  /** Extra: owner user id (other users get 404). */
  userId?: string;
  cancelled?: boolean;
}

/** A request that broke the contract: the sim failed it the way the backend would, and kept this record. */
export interface SimViolation {
  seq: number;
  endpoint: EndpointName | 'unknown';
  /** Short rule name, e.g. 'skill-headers', 'accept-sse', 'session-language'. */
  rule: string;
  detail: string;
  at: number;
}

export interface NemoSim {
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  options: SimOptions;
  fixture: { path: string; bytes: Buffer; width: number; height: number; durationS: number };
  requests: SimRequest[];
  /** Contract violations seen so far (client bugs). End-to-end tests assert this stays empty. */
  violations: SimViolation[];
  /** Throw, listing them, when any violation was recorded. */
  assertNoViolations(): void;
  requestsTo(endpoint: EndpointName): SimRequest[];
  clearRequests(): void;
  fault(f: Fault): void;
  clearFaults(): void;
  nextTurn(kind: TurnKind, sessionId?: string): void;
  sessions: Map<string, SimSession>;
  renders: Map<string, SimRender>;
  /** Highest number of simultaneously open /run_sse streams seen for one session (assign 0 to reset). */
  maxConcurrentTurnsPerSession: number;
  addToken(token: string, o?: { credits?: number; anonymous?: boolean }): void;
  expireToken(token: string): void;
  setCredits(token: string, available: number): void;
  dropSession(sessionId: string): void;
  close(): Promise<void>;
}
