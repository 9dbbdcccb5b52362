/**
 * Every environment variable nemo-bot reads, in one zod schema.
 *
 * Why one schema: the README table, `.env.example` and start-up validation are all derived from (or
 * tested against) this object, so a variable cannot exist in code without being documented. Units are
 * in the names (`_MS`, `_MB`) so nobody has to guess.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''])
    .default(def ? 'true' : 'false')
    .transform((v) => (v === '' ? def : ['true', '1', 'yes', 'on'].includes(v)));

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
/** Megabytes may be fractional (e.g. 0.5) so small limits can be set in tests. */
const megabytes = (def: number) => z.coerce.number().positive().default(def);

const urlBase = () =>
  z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
    .transform((u) => u.replace(/\/+$/, ''));
const httpUrl = (def: string) => urlBase().default(def);
const optionalHttpUrl = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .pipe(urlBase().optional());

const optionalString = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** The schema fields, kept as a plain object so docs and tests can iterate them. */
export const configFields = {
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
  // --- Nemo backend ---------------------------------------------------------------------------
  NEMO_API_URL: httpUrl('https://mega-api-prod.nemovideo.ai').describe('Nemo backend base URL.'),
  NEMO_WEB_URL: httpUrl('https://nemovideo.com').describe('Nemo web app URL (registration, top-up and project links).'),
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
  // --- Telegram ---------------------------------------------------------------------------------
  TELEGRAM_BOT_TOKEN: optionalString().describe('Bot token from @BotFather. Telegram is enabled when set.'),
  TELEGRAM_API_ROOT: httpUrl('https://api.telegram.org').describe('Bot API root, no trailing slash (a local Bot API server or a test fake).'),
  TELEGRAM_WEBHOOK_URL: optionalHttpUrl().describe('Public HTTPS URL for webhook mode; long polling when unset.'),
  TELEGRAM_WEBHOOK_SECRET: optionalString().describe('Secret checked in the X-Telegram-Bot-Api-Secret-Token header (webhook mode).'),
  TELEGRAM_WEBHOOK_PORT: int(8080, 0).describe('Port the webhook HTTP server listens on (webhook mode).'),
  TELEGRAM_MAX_UPLOAD_MB: megabytes(50).describe('Largest video sent as a file (50 on the cloud Bot API, up to 2000 with a local server); larger ones go as a link.'),
  TELEGRAM_MAX_DOWNLOAD_MB: megabytes(20).describe('Largest user file the bot can fetch (20 on the cloud Bot API).'),
  TELEGRAM_POLL_LEASE_MS: int(10_000, 500).describe('Lease that lets only one bot process long-poll; another takes over this soon after the holder dies.'),
  // --- Discord ----------------------------------------------------------------------------------
  DISCORD_TOKEN: optionalString().describe('Bot token from the Discord developer portal. Discord is enabled when set.'),
  DISCORD_APPLICATION_ID: optionalString().describe('Application id (read from the API when unset).'),
  DISCORD_API_URL: httpUrl('https://discord.com/api').describe('Discord REST API base (discord.js REST `api` option).'),
  DISCORD_GUILD_ID: optionalString().describe('Register slash commands to this guild (instant); globally when unset.'),
  DISCORD_CHANNEL_IDS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .describe('Comma-separated channel ids where every message is for the bot.'),
  DISCORD_MESSAGE_CONTENT: bool(false).describe('Request the privileged Message Content intent (needed for DISCORD_CHANNEL_IDS without mentions).'),
  DISCORD_MAX_UPLOAD_MB: megabytes(10).describe('Upload limit when a guild\'s own limit is unknown (10 MiB default).'),
  DISCORD_SHARD_LEASE_MS: int(10_000, 500).describe('Lease that lets one bot process hold each gateway shard; another takes over this soon after the holder dies.'),
} as const;

export const configSchema = z.object(configFields);
export type Config = z.infer<typeof configSchema>;

/** Thrown when the environment is invalid; the message lists every bad variable and why. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse `env` into a typed config, collecting every problem before failing. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configFields)) {
    const v = env[key];
    if (v !== undefined) input[key] = v;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const cfg = parsed.data;
  const problems: string[] = [];
  if (cfg.TELEGRAM_WEBHOOK_URL && !cfg.TELEGRAM_WEBHOOK_SECRET)
    problems.push('TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set');
  if (problems.length) throw new ConfigError(problems);
  return cfg;
}

/** Read `.env` from the working directory when present (real environment variables win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** The values that must never appear in logs (registered with the redactor at start-up). */
export function configSecrets(cfg: Config): string[] {
  return [cfg.NEMO_TOKEN, cfg.TELEGRAM_BOT_TOKEN, cfg.TELEGRAM_WEBHOOK_SECRET, cfg.DISCORD_TOKEN].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}
