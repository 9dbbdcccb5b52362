/**
 * Clean errors out of grammY failures.
 *
 * grammY's `GrammyError` keeps the whole request `payload` (an `InputFile`, message text) and its
 * `HttpError` wraps the fetch error, whose message names the request URL — and a Bot API URL
 * contains the bot token. Errors we throw to the core may be logged, stored as a BullMQ failure
 * reason or shown in a test report, so the outbox rethrows this small error instead: method, code,
 * description, retry hint — nothing else, and its message is scrubbed.
 */
import { GrammyError, HttpError } from 'grammy';
import { OutboxError, type OutboxErrorKind } from '../../src/core/outbox.js';
import { scrub } from '../../src/log.js';

/** Methods that create a message: after a 5xx or a dropped connection it may have been posted. */
const POSTING_METHODS = new Set(['sendMessage', 'sendVideo', 'sendDocument', 'sendPhoto', 'sendAnimation', 'sendMediaGroup', 'copyMessage', 'forwardMessage']);

/** The outbox error kind of a Bot API answer (`undefined` code: a network failure). */
export function telegramErrorKind(code: number | undefined, description: string): OutboxErrorKind {
  if (code === undefined) return /no file_path|file (is temporarily )?unavailable/i.test(description) ? 'not_found' : 'transient';
  if (code >= 500) return 'transient';
  if (code === 429) return 'rate_limited';
  if (code === 413 || /too big|too large|entity too large/i.test(description)) return 'too_large';
  if (code === 403 || /not enough rights|have no rights|CHAT_WRITE_FORBIDDEN|CHAT_SEND_\w+_FORBIDDEN/i.test(description)) return 'forbidden';
  if (code === 404 || /chat not found|message to (edit|delete) not found|MESSAGE_ID_INVALID|file (is temporarily )?unavailable|no file_path/i.test(description)) return 'not_found';
  return 'permanent';
}

export class TelegramApiError extends OutboxError {
  override readonly name = 'TelegramApiError';
  /** Seconds Telegram asked us to wait (429). */
  readonly retryAfter?: number;

  constructor(
    readonly method: string,
    /** Bot API error code (400, 403, 429, 5xx); undefined for network failures. */
    readonly error_code: number | undefined,
    readonly description: string,
    retryAfter?: number,
  ) {
    super(telegramErrorKind(error_code, description), scrub(`telegram ${method} failed${error_code ? ` (${error_code})` : ''}: ${description}`), {
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter * 1000 } : {}),
      mayHavePosted: POSTING_METHODS.has(method),
    });
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}

/** Convert any failure of an Api call into a `TelegramApiError` (other errors keep their type, scrubbed). */
export function toTelegramError(err: unknown, method: string): Error {
  if (err instanceof TelegramApiError) return err;
  if (err instanceof GrammyError) {
    const code = err.error_code;
    return new TelegramApiError(method, code, scrub(err.description), err.parameters.retry_after);
  }
  if (err instanceof HttpError) {
    // The message grammY builds without `sensitiveLogs` has no URL; the wrapped error (dropped) does.
    return new TelegramApiError(method, undefined, scrub(err.message));
  }
  if (err instanceof Error) {
    const clean = new Error(scrub(err.message));
    clean.name = err.name;
    return clean;
  }
  return new Error(scrub(String(err)));
}

/** 400 "message is not modified": the edit asked for what is already shown. */
export function isNotModified(err: unknown): boolean {
  return describe(err).includes('message is not modified');
}

/** The message is gone or can no longer be touched (deleted by a user, too old to delete). */
export function isMessageGone(err: unknown): boolean {
  const d = describe(err);
  return /message to (edit|delete) not found|message can't be (deleted|edited)|MESSAGE_ID_INVALID/i.test(d);
}

function describe(err: unknown): string {
  if (err instanceof GrammyError || err instanceof TelegramApiError) return err.description;
  return '';
}
