/**
 * The `@discordjs/rest` clients the outbox uses.
 *
 * Why two: `@discordjs/rest` applies `timeout` to the *whole* request (upload included) and retries
 * a timed-out, reset or 5xx request up to `retries` times (eng-anchors §3.3). For a JSON message
 * that is harmless; for an MP4 upload that may already have been posted it means the user gets the
 * video twice. So uploads go through a client with a long timeout and `retries: 0`. Rate-limit
 * answers (429) are handled separately by the library — it waits `retry_after` and resends, which is
 * safe because a 429 means nothing was posted — and that stays on for both clients.
 *
 * A third client answers through interaction tokens (the acknowledgement that replaces "thinking…").
 * Discord does not count interaction routes against the bot's global limit (50 requests/s), but
 * @discordjs/rest counts every request of a client against it: behind a burst of 1,000 slash commands
 * the last acknowledgement would wait 20 s, and every channel message of the process with it. Its own
 * client, without the global budget, keeps acknowledgements and channel traffic out of each other's
 * way; per-route limits and 429 answers still apply.
 */
import { REST, RESTEvents } from '@discordjs/rest';
import type { Config } from '../../src/config.js';
import { registerSecret, type Logger } from '../../src/log.js';
import { redactRoute } from './errors.js';

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
  /** Never resend a multipart upload that may have succeeded. */
  uploadRetries: 0,
} as const;

export interface DiscordRestClients {
  /** JSON requests (messages, edits, typing, lookups). */
  rest: REST;
  /** Multipart uploads only. */
  uploadRest: REST;
  /** Interaction-token routes (`auth: false`): acknowledgements and follow-ups. */
  interactionRest: REST;
}

export interface RestClientOptions {
  config: Config;
  logger: Logger;
  /** Overrides for tests (e.g. a short upload timeout). */
  uploadTimeoutMs?: number;
}

function makeRest(config: Config, token: string, timeout: number, retries: number, logger: Logger, globalRequestsPerSecond?: number): REST {
  const rest = new REST({ api: config.DISCORD_API_URL, version: '10', timeout, retries, ...(globalRequestsPerSecond ? { globalRequestsPerSecond } : {}) }).setToken(token);
  // Only the bucket route and the wait are logged: the `url` field of this event holds interaction
  // tokens on webhook routes.
  rest.on(RESTEvents.RateLimited, (info) => {
    logger.debug({ route: redactRoute(info.route), retryAfterMs: info.retryAfter, global: info.global }, 'discord: rate limited, waiting');
  });
  return rest;
}

/** Build both clients for `config.DISCORD_TOKEN` and register the token with the log scrubber. */
export function createRestClients(opts: RestClientOptions): DiscordRestClients {
  const token = opts.config.DISCORD_TOKEN;
  if (!token) throw new Error('DISCORD_TOKEN is not set');
  registerSecret(token);
  return {
    rest: makeRest(opts.config, token, REST_DEFAULTS.timeoutMs, REST_DEFAULTS.retries, opts.logger),
    uploadRest: makeRest(
      opts.config,
      token,
      opts.uploadTimeoutMs ?? REST_DEFAULTS.uploadTimeoutMs,
      REST_DEFAULTS.uploadRetries,
      opts.logger,
    ),
    interactionRest: makeRest(
      opts.config,
      token,
      REST_DEFAULTS.timeoutMs,
      REST_DEFAULTS.retries,
      opts.logger,
      REST_DEFAULTS.interactionGlobalPerSecond,
    ),
  };
}
