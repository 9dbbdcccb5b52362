/**
 * Types at the boundary of the Nemo client: what callers pass in and get back.
 *
 * Wire shapes (snake_case, envelopes, both render-poll shapes) stay inside the client's zod schemas;
 * these are the normalized, camelCase results the rest of the bot trusts.
 */
import type { Logger } from '../log.js';

/** The file extensions the backend accepts (seed list, plus `.jpeg` which the official CLI takes). */
export const SUPPORTED_EXTENSIONS = [
  'mp4', 'mov', 'avi', 'webm', 'mkv',
  'jpg', 'jpeg', 'png', 'gif', 'webp',
  'mp3', 'wav', 'm4a', 'aac',
] as const;

export interface SkillHeaders {
  source: string;
  version: string;
  platform: string;
}

/** A token plus what we know about it. Anonymous tokens keep the client id they were issued for. */
export interface NemoCredential {
  token: string;
  anonymous: boolean;
  /** X-Client-Id the anonymous token belongs to (reused when the token expires). */
  clientId?: string;
  /** `anon_…` id when the backend returned one: the `bind` id of the registration link. */
  userId?: string;
  expiresAt?: string;
}

/**
 * The credential a call uses. On 1001/401 the client fetches a new anonymous token with the SAME
 * client id, replaces `credential`, awaits `save` (so the conversation keeps it), and retries once.
 */
export interface CredentialHandle {
  credential: NemoCredential;
  save?(renewed: NemoCredential): Promise<void>;
}

export interface NemoSession {
  sessionId: string;
  taskId?: string;
  /** `anon_…` id when create-session returned one. */
  userId?: string;
}

export interface QuestionOption {
  id: string;
  label: string;
}

/** The agent stopped to ask the user something (an `ask_question` tool call). */
export interface AgentQuestion {
  id?: string;
  prompt: string;
  options: QuestionOption[];
  allowMultiple: boolean;
}

/** One parsed SSE event, in our words. */
export type TurnEvent =
  | { type: 'text'; text: string; author?: string; /** A streaming chunk (ADK `partial:true`); the final event repeats the whole text. */ partial?: boolean }
  | { type: 'tool_call'; name: string; id?: string; args: unknown }
  | { type: 'tool_result'; name: string; id?: string; response: unknown }
  | { type: 'question'; question: AgentQuestion }
  | { type: 'heartbeat' };

export interface TurnResult {
  /** The agent's reply text, joined, with the trailing "temporary issue" noise dropped ('' when none). */
  text: string;
  /** No text at all: the caller should poll state and describe what changed. */
  silent: boolean;
  question?: AgentQuestion;
  /** Names of the tools the agent called, in order. */
  toolCalls: string[];
  eventCount: number;
  heartbeatCount: number;
}

export interface RunTurnOptions {
  signal?: AbortSignal;
  /** Called for every event as it arrives (progress, still-working timers). */
  onEvent?(event: TurnEvent): void;
}

export interface UploadFile {
  path: string;
  /** File name as the user sent it; its extension decides the type check. */
  name: string;
  mimeType?: string;
}

export interface UploadedFile {
  filename: string;
  fileType?: string;
  url?: string;
  durationS?: number;
  width?: number;
  height?: number;
}

export interface Credits {
  available: number;
  frozen: number;
  total: number;
}

/** Draft JSON with the documented short keys; anything else is kept as-is. */
export interface DraftSegment {
  d?: number;
  m?: Record<string, unknown>;
  [key: string]: unknown;
}
export interface DraftTrack {
  tt?: number;
  sg?: DraftSegment[];
  m?: Record<string, unknown>;
  [key: string]: unknown;
}
export interface Draft {
  t?: DraftTrack[];
  d?: number;
  m?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ProjectState {
  sessionId?: string;
  taskId?: string;
  /** `anon_…` id if the state carried one. */
  userId?: string;
  draft?: Draft;
  videoInfos: unknown[];
  canvasConfig?: Record<string, unknown>;
  generatedMedia?: unknown;
}

export type RenderPhase = 'pending' | 'processing' | 'completed' | 'failed';

export interface RenderStatus {
  id: string;
  status: RenderPhase;
  progress?: number;
  outputUrl?: string;
  error?: string;
}

export interface StartRenderOptions {
  sessionId: string;
  draft: Draft;
  /** The id to use; chosen (and persisted) by the caller before calling. */
  renderId: string;
  /**
   * Called with a fresh id BEFORE the retry POST (duplicate id or failure), so the caller can persist
   * it first and a crash never leaves an unknown render running.
   */
  onNewRenderId?(renderId: string): Promise<void>;
  signal?: AbortSignal;
}

export interface DownloadOptions {
  renderId: string;
  outputUrl?: string;
  destPath: string;
  maxBytes: number;
  signal?: AbortSignal;
}

export interface DownloadResult {
  bytes: number;
  via: 'output_url' | 'fallback';
}

export interface ClaimLink {
  claimToken: string;
  url: string;
  expiresInS?: number;
}

export interface NemoClientOptions {
  apiUrl: string;
  webUrl: string;
  skill: SkillHeaders;
  defaultLanguage: string;
  requestTimeoutMs: number;
  rateLimitRetryMs: number;
  sseTimeoutMs: number;
  sseIdleTimeoutMs: number;
  sseStallTimeoutMs: number;
  sseMaxEventBytes: number;
  uploadMaxBytes: number;
  logger?: Logger;
}

/** What the core needs from Nemo. `NemoClient` (client.ts) implements it against the real HTTP API. */
export interface NemoApi {
  /** POST /api/auth/anonymous-token. A missing client id is generated; 400 → new id, retry once; 429 → wait, retry once. */
  acquireAnonymousToken(clientId?: string): Promise<NemoCredential & { clientId: string }>;
  createSession(auth: CredentialHandle, opts?: { language?: string; taskName?: string }): Promise<NemoSession>;
  claimLink(auth: CredentialHandle, session: { sessionId: string; taskId: string }): Promise<ClaimLink>;
  /** POST /run_sse: one turn. Never re-sends; throws NemoError stream_* on timeouts and drops. */
  runTurn(auth: CredentialHandle, sessionId: string, text: string, opts?: RunTurnOptions): Promise<TurnResult>;
  uploadFiles(auth: CredentialHandle, sessionId: string, files: UploadFile[], signal?: AbortSignal): Promise<UploadedFile[]>;
  uploadUrls(auth: CredentialHandle, sessionId: string, urls: string[], signal?: AbortSignal): Promise<UploadedFile[]>;
  getCredits(auth: CredentialHandle): Promise<Credits>;
  getState(auth: CredentialHandle, sessionId: string): Promise<ProjectState>;
  /** `render_<ts>_<random>` */
  newRenderId(): string;
  /** POST /api/render/proxy/lambda; duplicate id or failure → onNewRenderId(new) then one retry. Returns the id in use. */
  startRender(auth: CredentialHandle, opts: StartRenderOptions): Promise<string>;
  pollRender(auth: CredentialHandle, renderId: string, signal?: AbortSignal): Promise<RenderStatus>;
  /** Streams to destPath with a byte limit; falls back to /api/render/proxy/{id}/download. */
  downloadRender(auth: CredentialHandle, opts: DownloadOptions): Promise<DownloadResult>;
  cancelRender(auth: CredentialHandle, renderId: string): Promise<void>;
  /** `<webUrl>/register?bind=<userId>` for anonymous credentials with a user id, else undefined. */
  registrationUrl(credential: NemoCredential): string | undefined;
}
