/**
 * The clients the Discord outbox posts with.
 *
 * - `rest`: `@discordjs/rest` for JSON calls (messages, edits, typing, lookups). It applies `timeout`
 *   to the whole request and retries a timed-out, reset or 5xx request up to `retries` times
 *   (eng-anchors §3.3) — harmless for an edit or a typing call. Rate-limit answers (429) are waited
 *   out and resent by the library, which is safe because a 429 means nothing was posted.
 * - `interactionRest`: the same library for interaction-token routes (the acknowledgement that
 *   replaces "thinking…"). Discord does not count interaction routes against the bot's global limit
 *   (50 requests/s), but @discordjs/rest counts every request of a client against it: behind a burst
 *   of 1,000 slash commands the last acknowledgement would wait 20 s, and every channel message of
 *   the process with it. Its own client, without the global budget, keeps acknowledgements and
 *   channel traffic out of each other's way; per-route limits and 429 answers still apply.
 * - `uploader`: video uploads, streamed from disk (stream-upload.ts) instead of the library's
 *   whole-file Buffers; never resent after a timeout or a 5xx, since the video may already be posted.
 */
import { REST, RESTEvents } from '@discordjs/rest';
import type { Config } from '../../src/config.js';
import { registerSecret, registerTokenPattern, type Logger } from '../../src/log.js';
import { DISCORD_TOKEN_PATTERN } from './token.js';
import { redactRoute } from './errors.js';
import { DiscordStreamUploader } from './stream-upload.js';

/** Defaults, in one place, with the reason for each. */
export const REST_DEFAULTS = {
  /** Ordinary JSON calls: the library default. */
  timeoutMs: 15_000,
  /** JSON calls are retried on timeout/5xx like the library default (an edit or typing call twice is harmless). */
  retries: 3,
  /** Interaction routes are outside Discord's global limit; the library's own budget is lifted for them. */
  interactionGlobalPerSecond: 1_000_000,
  /** Uploads of up to 100 MiB over a slow link. */
  uploadTimeoutMs: 10 * 60_000,
} as const;

export interface DiscordRestClients {
  /** JSON requests (messages, edits, typing, lookups). */
  rest: REST;
  /** Interaction-token routes (`auth: false`): acknowledgements and follow-ups. */
  interactionRest: REST;
  /** Multipart video uploads, streamed. */
  uploader: DiscordStreamUploader;
}

export interface RestClientOptions {
  config: Config;
  logger: Logger;
  /** Overrides for tests (e.g. a short upload timeout). */
  uploadTimeoutMs?: number;
}

function makeRest(config: Config, token: string, logger: Logger, globalRequestsPerSecond?: number): REST {
  const rest = new REST({
    api: config.DISCORD_API_URL,
    version: '10',
    timeout: REST_DEFAULTS.timeoutMs,
    retries: REST_DEFAULTS.retries,
    ...(globalRequestsPerSecond ? { globalRequestsPerSecond } : {}),
  }).setToken(token);
  // Only the bucket route and the wait are logged: the `url` field of this event holds interaction
  // tokens on webhook routes.
  rest.on(RESTEvents.RateLimited, (info) => {
    logger.debug({ route: redactRoute(info.route), retryAfterMs: info.retryAfter, global: info.global }, 'discord: rate limited, waiting');
  });
  return rest;
}

/** Build the clients for `config.DISCORD_TOKEN` and register the token with the log scrubber. */
export function createRestClients(opts: RestClientOptions): DiscordRestClients {
  const token = opts.config.DISCORD_TOKEN;
  if (!token) throw new Error('DISCORD_TOKEN is not set');
  registerSecret(token, { pinned: true });
  registerTokenPattern(DISCORD_TOKEN_PATTERN); // also when this adapter is used without the registry
  return {
    rest: makeRest(opts.config, token, opts.logger),
    interactionRest: makeRest(opts.config, token, opts.logger, REST_DEFAULTS.interactionGlobalPerSecond),
    uploader: new DiscordStreamUploader({
      api: opts.config.DISCORD_API_URL,
      token,
      timeoutMs: opts.uploadTimeoutMs ?? REST_DEFAULTS.uploadTimeoutMs,
      logger: opts.logger,
    }),
  };
}
