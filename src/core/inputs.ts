/**
 * Bring the user's files to local disk so they can be streamed to Nemo.
 *
 * Platform file URLs can hold secrets (Telegram puts the bot token in them) or expire (Discord CDN
 * links), so the worker downloads them itself, streaming to a temp file with a byte limit, rather
 * than handing them to Nemo's upload-by-URL.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { uploadName } from './attachments.js';
import type { Attachment } from './message.js';
import { OutboxError, type Outbox } from './outbox.js';

export class InputTooLargeError extends Error {
  override readonly name = 'InputTooLargeError';
}

/** The user's own file could not be fetched from the platform; `transient` when trying later may work. */
export class InputFetchError extends Error {
  override readonly name = 'InputFetchError';
  constructor(
    readonly fileName: string,
    readonly transient: boolean,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

export interface LocalInput {
  path: string;
  name: string;
  mimeType?: string;
  /** Delete the file afterwards (not for `path` attachments, which belong to the caller). */
  temporary: boolean;
}

/** Download one attachment into `dir` (at most `maxBytes`). */
export async function fetchInput(att: Attachment, outbox: Outbox, dir: string, maxBytes: number, signal?: AbortSignal): Promise<LocalInput> {
  const name = uploadName(att);
  if (att.source.kind === 'path') return { path: att.source.path, name, mimeType: att.mimeType, temporary: false };
  const { url, headers } = att.source.kind === 'url' ? { url: att.source.url, headers: undefined } : await resolve(att, outbox, name);
  // A local Bot API server (--local) hands out absolute paths: read the file where it is.
  if (url.startsWith('file://')) return { path: fileURLToPath(url), name, mimeType: att.mimeType, temporary: false };
  await mkdir(dir, { recursive: true });
  const dest = path.join(dir, `${Date.now()}-${Math.random().toString(36).slice(2, 8)}-${name}`);
  const res = await request(url, { method: 'GET', headers, signal }).catch((err: unknown) => {
    if (signal?.aborted) throw err;
    // Only the error's code: a platform URL may hold the bot token.
    throw new InputFetchError(name, true, `download of "${name}" failed: ${(err as { code?: string }).code ?? 'network error'}`);
  });
  if (res.statusCode >= 400) {
    await res.body.dump();
    // 5xx and 429: the platform's trouble, worth another attempt; other 4xx: the file is gone.
    throw new InputFetchError(name, res.statusCode >= 500 || res.statusCode === 429, `download of "${name}" failed with HTTP ${res.statusCode}`);
  }
  let seen = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes) cb(new InputTooLargeError(`"${name}" is larger than ${maxBytes} bytes`));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(res.body, limit, createWriteStream(dest));
  } catch (err) {
    await rm(dest, { force: true });
    if (err instanceof InputTooLargeError || signal?.aborted) throw err;
    throw new InputFetchError(name, true, `download of "${name}" broke off: ${(err as Error).message}`, err);
  }
  return { path: dest, name, mimeType: att.mimeType, temporary: true };
}

/** The platform's download URL of a file, failures as InputFetchError. */
async function resolve(att: Attachment, outbox: Outbox, name: string): Promise<{ url: string; headers?: Record<string, string> }> {
  try {
    return await outbox.resolveAttachment(att);
  } catch (err) {
    throw new InputFetchError(name, err instanceof OutboxError && err.safeToRetry, `could not resolve "${name}": ${(err as Error).message}`, err);
  }
}

export async function removeInputs(inputs: LocalInput[]): Promise<void> {
  await Promise.all(inputs.filter((i) => i.temporary).map((i) => rm(i.path, { force: true })));
}
