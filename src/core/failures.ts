/**
 * Failure → user text, in one place. Every NemoError kind and every local failure maps to a short
 * catalogue message that says what to do next; the raw error only goes to the log.
 */
import { NemoError } from '../nemo/errors.js';
import { SUPPORTED_LIST } from './attachments.js';
import { t } from './i18n.js';
import { InputFetchError, InputTooLargeError } from './inputs.js';
import { DeliveryUncertainError, OutboxError } from './outbox.js';
import { FileMismatchError } from './sniff.js';

/** `personalAccount`: the job ran on the user's own token (/login), so a refused sign-in is theirs to fix. */
export function userMessageFor(err: unknown, lang: string, opts: { personalAccount?: boolean } = {}): string {
  if (err instanceof NemoError && err.kind === 'auth' && opts.personalAccount) return t(lang, 'error.auth_personal');
  if (err instanceof NemoError) {
    const d = err.details;
    return t(lang, err.messageKey, {
      registerUrl: d.registerUrl,
      topUpUrl: d.topUpUrl,
      fileName: d.fileName,
      types: SUPPORTED_LIST,
      maxMb: d.maxUploadMb ?? 200,
    });
  }
  // Posting the video was cut off where it may have arrived: never post it twice, say so instead.
  if (err instanceof DeliveryUncertainError || (err instanceof OutboxError && err.mayHavePosted)) return t(lang, 'error.delivery_uncertain');
  if (err instanceof InputTooLargeError) return t(lang, 'error.file_too_large', { maxMb: 200 });
  if (err instanceof InputFetchError) return t(lang, 'error.input_fetch', { fileName: err.fileName });
  if (err instanceof FileMismatchError) {
    return err.actual
      ? t(lang, 'error.file_mismatch', { fileName: err.fileName, actual: err.actual, types: SUPPORTED_LIST })
      : t(lang, 'error.unsupported_file', { fileName: err.fileName, types: SUPPORTED_LIST });
  }
  if (err instanceof Error && err.name === 'AbortError') return t(lang, 'error.cancelled');
  return t(lang, 'error.internal');
}

/**
 * Redis (the job store) is unreachable, or still loading its data after a restart: the run can neither
 * save its progress nor report a failure truthfully, so the job is handed back, never failed.
 * ioredis's own signatures only: a bare network error may come from elsewhere and must fail the job.
 */
export function storeUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'MaxRetriesPerRequestError' || /^Connection is closed\.|^LOADING /.test(err.message);
}

/** Whether the job should be retried by the queue (before anything irreversible happened). */
export function isTransient(err: unknown): boolean {
  if (err instanceof NemoError) return err.retryable;
  // A platform that was busy or unreachable, for a call that cannot have posted anything.
  if (err instanceof OutboxError) return err.safeToRetry;
  if (err instanceof InputFetchError) return err.transient;
  return false;
}
