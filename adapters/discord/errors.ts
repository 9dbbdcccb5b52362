/**
 * Discord REST errors, reduced to what is safe and useful to log or branch on.
 *
 * Why this file exists: `@discordjs/rest`'s `DiscordAPIError` keeps the full request `url` (on
 * webhook routes it contains the interaction token) and `requestBody.files` (the uploaded bytes).
 * Logging the raw error would leak a credential and dump megabytes into the log. Everything that
 * leaves this adapter goes through {@link describeDiscordError}, which keeps a whitelist and
 * replaces webhook tokens in routes before the logger's own scrubber even sees them.
 */

import { OutboxError, type OutboxErrorKind } from '../../src/core/outbox.js';

/** Discord JSON error codes the adapter reacts to (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const DiscordCode = {
  UnknownMessage: 10008,
  UnknownWebhook: 10015,
  UnknownInteraction: 10062,
  RequestTooLarge: 40005,
  AlreadyAcknowledged: 40060,
  UnknownChannel: 10003,
  MissingAccess: 50001,
  CannotSendToUser: 50007,
  EmptyMessage: 50006,
  MissingPermissions: 50013,
  InvalidWebhookToken: 50027,
} as const;

/** A log-safe summary of any error thrown by `@discordjs/rest` (or anything else). */
export interface DiscordErrorSummary {
  type: string;
  message: string;
  /** HTTP status, when the server answered. */
  status?: number;
  /** Discord's JSON error code (e.g. 50013), when the server sent one. */
  code?: number | string;
  method?: string;
  /** The request path with webhook/interaction tokens replaced by `:token`. */
  route?: string;
}

/** Replace the secret segment of webhook and interaction-callback paths. */
export function redactRoute(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // already a path
  }
  return path
    .replace(/(\/webhooks\/\d+\/)[^/?]+/g, '$1:token')
    .replace(/(\/interactions\/\d+\/)[^/?]+/g, '$1:token');
}

/** Turn a thrown value into a whitelisted, token-free summary. */
export function describeDiscordError(err: unknown): DiscordErrorSummary {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err).slice(0, 200) };
  const rec = err as unknown as Record<string, unknown>;
  const out: DiscordErrorSummary = {
    type: err.constructor?.name ?? 'Error',
    // DiscordAPIError messages are Discord's own text ("Missing Permissions"); HTTPError and
    // AbortError messages never contain the URL. Keep them short anyway.
    message: err.message.split('\n', 1)[0]!.slice(0, 200),
  };
  if (typeof rec.status === 'number') out.status = rec.status;
  if (typeof rec.code === 'number' || typeof rec.code === 'string') out.code = rec.code;
  if (typeof rec.method === 'string') out.method = rec.method.toUpperCase();
  if (typeof rec.url === 'string') out.route = redactRoute(rec.url);
  return out;
}

/** The Discord JSON error code of a thrown `DiscordAPIError`, if any. */
export function discordCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The HTTP status of a thrown REST error, if any. */
export function httpStatusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The interaction token is dead or unknown: the acknowledgement must go through the channel instead. */
export function isInteractionGone(err: unknown): boolean {
  const code = discordCodeOf(err);
  return (
    code === DiscordCode.UnknownInteraction ||
    code === DiscordCode.UnknownWebhook ||
    code === DiscordCode.InvalidWebhookToken ||
    httpStatusOf(err) === 401
  );
}

/**
 * Which permission a 50013/50001 answer means for the operation that got it, in the words of the
 * Discord UI (so an admin can find the toggle). `undefined` for any other error.
 */
export function missingPermissionFor(
  err: unknown,
  operation: 'send' | 'edit' | 'upload' | 'typing' | 'read',
): string | undefined {
  const code = discordCodeOf(err);
  if (code === DiscordCode.MissingAccess) return 'View Channel (and Read Message History)';
  if (code !== DiscordCode.MissingPermissions) return undefined;
  switch (operation) {
    case 'upload':
      return 'Attach Files';
    case 'read':
      return 'View Channel';
    default:
      return 'Send Messages (Send Messages in Threads for threads)';
  }
}

/** The outbox error kind of anything `@discordjs/rest` or the stream uploader threw. */
export function discordErrorKind(err: unknown): OutboxErrorKind {
  const code = discordCodeOf(err);
  const status = httpStatusOf(err);
  if (status === 429 || (err instanceof Error && err.name === 'RateLimitError')) return 'rate_limited';
  if (status === 413 || code === DiscordCode.RequestTooLarge) return 'too_large';
  if (code === DiscordCode.MissingPermissions || code === DiscordCode.MissingAccess || code === DiscordCode.CannotSendToUser || status === 403) return 'forbidden';
  if (code === DiscordCode.UnknownMessage || code === DiscordCode.UnknownChannel || status === 404) return 'not_found';
  if (status === undefined || status >= 500 || status === 408) return 'transient';
  return 'permanent';
}

/**
 * The outbox error a Discord failure leaves the adapter as: the core's kinds, plus Discord's code and
 * status (for log lines and the adapter's own branches), and a log-safe message (no route tokens, no
 * request body).
 */
export class DiscordOutboxError extends OutboxError {
  override readonly name = 'DiscordOutboxError';
  /** Discord's JSON error code (e.g. 50013), when the server sent one. */
  readonly code?: number | string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  readonly summary: DiscordErrorSummary;

  constructor(err: unknown, operation: string, posting: boolean) {
    const summary = describeDiscordError(err);
    const retryAfter = (err as { retryAfter?: unknown } | null)?.retryAfter;
    super(discordErrorKind(err), `discord ${operation} failed${summary.status ? ` (${summary.status}${summary.code !== undefined ? `/${summary.code}` : ''})` : ''}: ${summary.message}`, {
      ...(typeof retryAfter === 'number' ? { retryAfterMs: retryAfter } : {}),
      mayHavePosted: posting,
    });
    if (summary.code !== undefined) this.code = summary.code;
    if (summary.status !== undefined) this.status = summary.status;
    this.summary = summary;
  }
}

/** Wrap any failure of a Discord call into the outbox's error type (an already wrapped one is kept). */
export function toDiscordOutboxError(err: unknown, operation: string, posting = false): DiscordOutboxError {
  return err instanceof DiscordOutboxError ? err : new DiscordOutboxError(err, operation, posting);
}
