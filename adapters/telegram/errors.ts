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
import { scrub } from '../../src/log.js';

export class TelegramApiError extends Error {
  override readonly name = 'TelegramApiError';
  constructor(
    readonly method: string,
    /** Bot API error code (400, 403, 429, 5xx); undefined for network failures. */
    readonly error_code: number | undefined,
    readonly description: string,
    /** True when trying again later can work (429, 5xx, network). */
    readonly retryable: boolean,
    /** Seconds Telegram asked us to wait (429). */
    readonly retryAfter?: number,
  ) {
    super(scrub(`telegram ${method} failed${error_code ? ` (${error_code})` : ''}: ${description}`));
  }
}

/** Convert any failure of an Api call into a `TelegramApiError` (other errors keep their type, scrubbed). */
export function toTelegramError(err: unknown, method: string): Error {
  if (err instanceof TelegramApiError) return err;
  if (err instanceof GrammyError) {
    const code = err.error_code;
    return new TelegramApiError(method, code, scrub(err.description), code === 429 || code >= 500, err.parameters.retry_after);
  }
  if (err instanceof HttpError) {
    // The message grammY builds without `sensitiveLogs` has no URL; the wrapped error (dropped) does.
    return new TelegramApiError(method, undefined, scrub(err.message), true);
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
