/**
 * The environment variables of nemo-bot's own core, as a zod schema, and the parser that adds each
 * platform's section to it.
 *
 * Each platform adapter supplies its own section (adapters/<id>/config.ts: its variables and their
 * checks); the full schema is composed where the platform registry lives (src/platforms/config.ts),
 * so this file never imports an adapter. The README table, `.env.example` and start-up validation
 * are all derived from (or tested against) the full schema, so a variable cannot exist in code
 * without being documented. Units are in the names (`_MS`, `_MB`) so nobody has to guess.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';

export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''])
    .default(def ? 'true' : 'false')
    .transform((v) => (v === '' ? def : ['true', '1', 'yes', 'on'].includes(v)));

/** Credits below which a result warns that the balance is low (about two generations). */
const LOW_BALANCE_DEFAULT = 200;
export const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
/** Megabytes may be fractional (e.g. 0.5) so small limits can be set in tests. */
export const megabytes = (def: number) => z.coerce.number().positive().default(def);

const urlBase = () =>
  z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
    .transform((u) => u.replace(/\/+$/, ''));
export const httpUrl = (def: string) => urlBase().default(def);
export const optionalHttpUrl = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .pipe(urlBase().optional());

export const optionalString = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** The core's schema fields, kept as a plain object so docs and tests can iterate them. */
export const coreConfigFields = {
  // --- process --------------------------------------------------------------------------------
  ROLE: z.enum(['all', 'bot', 'worker']).default('all').describe('Which part this process runs: all (bot + worker), bot (platform adapters only) or worker (queue jobs only).'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level. Secrets are redacted at every level.'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379').describe('Redis connection URL; a db number in the path (redis://host:6379/3) is honoured.'),
  REDIS_CLUSTER: bool(false).describe('REDIS_URL is one node of a Redis Cluster (the others are discovered); each lane queue then gets a hash-tagged prefix so it lives in one slot.'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('nemo').describe('Prefix of every Redis key (BullMQ queues and sessions); lets several deployments or test runs share one Redis.'),
  WORKER_CONCURRENCY: int(10_000, 1).describe('Chat turns one worker process holds at once. A turn mostly waits on Nemo\'s SSE stream (a few tens of KiB each), so this can be large; the open-file limit (ulimit -n) must exceed it.'),
  WORKER_THREAD: bool(true).describe('With ROLE=all, run the worker in a thread of its own: acknowledgements never wait behind job work, and a second core is used.'),
  TASK_CONCURRENCY: int(256, 1).describe('Short jobs one worker runs at once: render starts and polls, credits and status answers. A lane of their own, so they never wait behind turns.'),
  TRANSFER_CONCURRENCY: int(8, 1).describe('Bandwidth-heavy transfers one worker runs at once (video downloads and uploads to the chat, user files to Nemo), so memory and bandwidth stay bounded.'),
  NEMO_TOKEN_MAX_TURNS: int(10_000, 0).describe('With a shared NEMO_TOKEN: turns running at once for that token across all workers (0 = no cap). Waiting turns are served round-robin across conversations and see their place.'),
  MAX_QUEUED_PER_USER: int(5, 1).describe('Turns and exports one user may have waiting or running at once; beyond it the user is told to wait and nothing is queued.'),
  LOW_BALANCE_WARNING: int(LOW_BALANCE_DEFAULT, 0).describe('A finished job whose balance left is below this many credits adds a low-balance warning to its result (0 turns the warning off). A generation costs about 100.'),
  USER_MESSAGES_PER_MINUTE: int(20, 1).describe('Messages one user may send per minute (abuse limit); beyond it the rest are dropped unqueued and the user is told once to slow down.'),
  MAX_QUEUED_PER_CONVERSATION: int(20, 1).describe('Turns and exports one conversation (channel or chat) may have waiting or running at once.'),
  HEALTH_PORT: int(8081, 0).describe('Port of /healthz (alive), /readyz (Redis plus the platforms or the queue answer) and /metrics (Prometheus); 0 turns it off. A port already in use is logged and skipped.'),
  STARTUP_CHECKS: bool(true).describe('Check at start that a platform token is set (bot roles), that Redis answers with maxmemory-policy noeviction and that NEMO_API_URL answers; exit 1 with one line when one fails.'),
  TEMP_DIR: optionalString().describe('Directory for downloaded inputs and rendered videos (default: the OS temp dir). Files are deleted after delivery.'),
  // --- conversation behaviour -----------------------------------------------------------------
  STILL_WORKING_INTERVAL_MS: int(120_000, 100).describe('Send "⏳ Still working..." when this long passes with nothing new for the user.'),
  AUTO_EXPORT: bool(true).describe('Export and post the MP4 automatically when a turn leaves a draft that is ready to export.'),
  RENDER_POLL_INTERVAL_MS: int(30_000, 10).describe('Delay between render status polls once a render runs a while (the first polls come after 5, 10 and 20 s); each poll is a delayed job, not a sleep.'),
  RENDER_MAX_POLLS: int(20, 1).describe('Polls before a render counts as failed.'),
  TURN_RECOVERY_FIRST_MS: int(30_000, 10).describe('After a lost SSE stream or a worker crash mid-turn: wait this long, then check the project state.'),
  TURN_RECOVERY_INTERVAL_MS: int(60_000, 10).describe('Then check the state again this often.'),
  TURN_RECOVERY_MAX_CHECKS: int(5, 1).describe('Unchanged state checks before the turn is reported as failed.'),
  COSMETIC_UPDATES_PER_SEC: int(20, 0).describe('Optional chat updates (typing indicators, elapsed-time refreshes, places in line) one process sends per second per platform; essential messages are never held back.'),
  SILENT_TURN_RECHECK_MS: int(2_000, 10).describe('After a turn that answered with no text (a silent edit): first wait before re-reading the project state; each further re-check waits twice as long (4 re-checks).'),
  PROGRESS_EDIT_INTERVAL_MS: int(5_000, 0).describe('Minimum time between edits of one status message (platform limits may raise it).'),
  JOB_LOCK_DURATION_MS: int(15_000, 100).describe('BullMQ lock duration: how soon a crashed worker\'s job can be taken over (renewed every half of it while the worker lives).'),
  JOB_STALLED_INTERVAL_MS: int(5_000, 50).describe('BullMQ stalled-job check interval.'),
  JOB_MAX_STALLED_COUNT: int(5, 1).describe('How many worker crashes one job survives before it fails.'),
  INBOX_REPLAY_AFTER_MS: int(15_000, 100).describe('A message whose bot process died before queueing it is replayed from the inbox by another process after this long.'),
  DOWNLOAD_MAX_MB: megabytes(1024).describe('Largest rendered video the worker downloads.'),
  FFMPEG_PATH: optionalString().describe('ffmpeg executable that takes a real frame of each uploaded video as its thumbnail (Telegram). Unset: `ffmpeg` is looked up on PATH; `off`: never used. Without it the thumbnail is the input image or a generated poster.'),
  // --- Nemo backend ---------------------------------------------------------------------------
  NEMO_API_URL: httpUrl('https://mega-api-prod.nemovideo.ai').describe('Nemo backend base URL.'),
  NEMO_WEB_URL: httpUrl('https://nemovideo.com').describe('Nemo web app URL (registration, top-up and project links).'),
  TOKEN_ENCRYPTION_KEY: optionalString()
    .refine((v) => v === undefined || /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32, 'must be 32 bytes: 64 hex characters or base64')
    .describe('Key for users\' own Nemo tokens (/login), encrypted at rest with AES-256-GCM: 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`). Unset: a key derived from the bot\'s own platform token (Telegram\'s, else Discord\'s) is used, so changing that token forgets the stored logins (users /login again).'),
  NEMO_TOKEN: optionalString().describe('A Nemo API token (nmv_usr_…). When unset each conversation gets its own free anonymous token.'),
  NEMO_SKILL_SOURCE: z.string().min(1).default('video-leonardo').describe('X-Skill-Source attribution header.'),
  NEMO_SKILL_VERSION: z.string().min(1).default('1.9').describe('X-Skill-Version attribution header.'),
  NEMO_SKILL_PLATFORM: z.string().min(1).default('unknown').describe('X-Skill-Platform attribution header.'),
  NEMO_LANGUAGE: z.string().min(2).default('en').describe('Default session language when the user\'s language is unknown.'),
  NEMO_REQUEST_TIMEOUT_MS: int(30_000, 100).describe('Timeout of ordinary (non-streaming) Nemo requests.'),
  NEMO_RATE_LIMIT_RETRY_MS: int(30_000, 0).describe('Wait before the single retry after a Nemo 429 (for the free-token request, the job waits as a delayed job).'),
  NEMO_SSE_TIMEOUT_MS: int(900_000, 100).describe('Hard limit of one SSE turn (the skill\'s 15 minutes).'),
  NEMO_SSE_IDLE_TIMEOUT_MS: int(600_000, 100).describe('A turn that sends only heartbeats this long has timed out (the skill\'s 10 minutes).'),
  NEMO_SSE_STALL_TIMEOUT_MS: int(300_000, 100).describe('A turn that sends no bytes at all (not even heartbeats) this long has stalled.'),
  NEMO_SSE_MAX_EVENT_KB: int(1024, 1).describe('Largest single SSE event accepted; a longer unterminated line is cut.'),
  NEMO_UPLOAD_MAX_MB: megabytes(200).describe('Largest file sent to Nemo (the skill\'s 200 MB).'),
} as const;

export type CoreConfig = z.infer<z.ZodObject<typeof coreConfigFields>>;

/**
 * The variables of every platform section, merged in by each adapter's config.ts (declaration
 * merging: `declare module '.../src/config.js' { interface PlatformConfig extends MyConfig {} }`),
 * so the one `Config` type carries them without this file importing an adapter.
 */
export interface PlatformConfig {}

export type Config = CoreConfig & PlatformConfig;

/** A platform's part of the configuration (adapters/<id>/config.ts). */
export interface ConfigSection {
  /** Its variables (each with `.describe(...)`: the docs are generated from it). */
  readonly fields: Readonly<Record<string, z.ZodType>>;
  /** Checks across its variables, each problem as `NAME: why`. */
  check?(config: Config): string[];
}

/** Thrown when the environment is invalid; the message lists every bad variable and why. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The core's fields plus every section's, refusing a variable two sections both claim. */
export function composeConfigFields(sections: readonly ConfigSection[]): Record<string, z.ZodType> {
  const fields: Record<string, z.ZodType> = { ...coreConfigFields };
  for (const section of sections) {
    for (const [name, schema] of Object.entries(section.fields)) {
      if (name in fields) throw new Error(`config variable ${name} is defined twice`);
      fields[name] = schema;
    }
  }
  return fields;
}

/**
 * Parse `env` with the core's schema plus `sections`, collecting every problem before failing.
 * Callers use `loadConfig` from src/platforms/config.ts, which passes the registered platforms' sections.
 */
export function parseConfig(env: NodeJS.ProcessEnv, sections: readonly ConfigSection[]): Config {
  const fields = composeConfigFields(sections);
  const input: Record<string, string> = {};
  for (const key of Object.keys(fields)) {
    const v = env[key];
    if (v !== undefined) input[key] = v;
  }
  const parsed = z.object(fields).safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const cfg = parsed.data as unknown as Config; // the core's fields plus the sections' (typed through PlatformConfig)
  const problems = sections.flatMap((s) => s.check?.(cfg) ?? []);
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}

/** Read `.env` from the working directory when present (real environment variables win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
