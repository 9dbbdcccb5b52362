/**
 * Uploads: local checks first, then a streamed multipart body.
 *
 * Why hand-built multipart: undici's FormData wants Blobs, and mixing Node's and undici's web classes
 * is the documented source of broken uploads (eng-anchors §3.7). Writing the parts ourselves lets us
 * stream each file from disk (a 200 MB video is never in memory), send an exact Content-Length, and
 * re-open the stream for a re-auth retry.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import type { Logger } from '../log.js';
import { mimeForExtension } from '../media-types.js';
import { NemoError } from './errors.js';
import type { BodySource } from './http.js';
import { SUPPORTED_EXTENSIONS, type UploadedFile, type UploadFile } from './types.js';
import type { uploadSchema } from './schemas.js';
import type { z } from 'zod';

/** Lower-case extension without the dot, from the user's file name (falls back to the path). */
export function extensionOf(file: UploadFile): string {
  return (extname(file.name || file.path) || extname(file.path)).replace(/^\./, '').toLowerCase();
}

export interface CheckedFile extends UploadFile {
  size: number;
  ext: string;
}

/** Refuse, before any byte is sent, a file of an unsupported type, over the limit, or not a file. */
export async function checkUploads(files: UploadFile[], maxBytes: number): Promise<CheckedFile[]> {
  const maxUploadMb = Math.floor(maxBytes / (1024 * 1024));
  const out: CheckedFile[] = [];
  for (const f of files) {
    const ext = extensionOf(f);
    if (!(SUPPORTED_EXTENSIONS as readonly string[]).includes(ext)) {
      throw new NemoError({
        kind: 'unsupported_file',
        message: `Nemo upload: unsupported file type ".${ext}"`,
        endpoint: 'upload',
        details: { supportedTypes: SUPPORTED_EXTENSIONS, fileName: f.name, maxUploadMb },
      });
    }
    let size: number;
    try {
      const st = await stat(f.path);
      if (!st.isFile()) throw new Error('not a regular file');
      size = st.size;
    } catch (cause) {
      throw new NemoError({ kind: 'unsupported_file', message: `Nemo upload: cannot read "${f.name}"`, endpoint: 'upload', cause, details: { fileName: f.name } });
    }
    if (size > maxBytes) {
      throw new NemoError({
        kind: 'file_too_large',
        message: `Nemo upload: "${f.name}" is ${size} bytes, over the ${maxBytes}-byte limit`,
        endpoint: 'upload',
        details: { maxUploadMb, fileName: f.name, supportedTypes: SUPPORTED_EXTENSIONS },
      });
    }
    out.push({ ...f, size, ext });
  }
  return out;
}

/** Quote a file name the way browsers do in multipart headers (WHATWG: `"` CR LF percent-encoded). */
function quoteName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * The name Nemo sees. The skill's list has `jpg` but not `jpeg` (the official CLI takes both): a
 * `.jpeg` is the same format, so it is sent as `.jpg` rather than risk a 4001.
 */
export function wireName(name: string): string {
  return name.replace(/\.jpe$|\.jpeg$/i, '.jpg');
}

/** A repeatable multipart body: field `files` once per file, each streamed from disk. */
export function multipartBody(files: CheckedFile[]): BodySource {
  const boundary = `----nemo-bot-${randomBytes(12).toString('hex')}`;
  const heads = files.map((f) =>
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${quoteName(wireName(f.name || 'file'))}"\r\n` +
        `Content-Type: ${f.mimeType || mimeForExtension(f.ext) || 'application/octet-stream'}\r\n\r\n`,
    ),
  );
  const tail = Buffer.from(`--${boundary}--\r\n`);
  const crlf = Buffer.from('\r\n');
  const contentLength = heads.reduce((n, h, i) => n + h.length + files[i]!.size + crlf.length, 0) + tail.length;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength,
    open() {
      async function* parts() {
        for (let i = 0; i < files.length; i++) {
          const f = files[i]!;
          yield heads[i]!;
          if (f.size > 0) yield* createReadStream(f.path, { start: 0, end: f.size - 1, highWaterMark: 256 * 1024 });
          yield crlf;
        }
        yield tail;
      }
      return Readable.from(parts(), { objectMode: false });
    },
  };
}

const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? undefined : v);

/** Normalize the upload answer (`files[]` or `uploaded_files[]`); an answer without a list is logged. */
export function toUploadedFiles(data: z.output<typeof uploadSchema>, logger: Logger): UploadedFile[] {
  const list = Array.isArray(data) ? data : (data?.files ?? data?.uploaded_files ?? undefined);
  if (!list) {
    logger.warn({ endpoint: 'upload' }, 'nemo upload: success answer without files[] or uploaded_files[]; assuming applied');
    return [];
  }
  return list.map((f) => {
    const out: UploadedFile = { filename: f.filename ?? f.name ?? '' };
    const type = f.file_type ?? f.type;
    if (type) out.fileType = type;
    const url = f.cdn_url ?? f.url;
    if (url) out.url = url;
    if (num(f.duration) !== undefined) out.durationS = f.duration;
    if (num(f.width) !== undefined) out.width = f.width;
    if (num(f.height) !== undefined) out.height = f.height;
    return out;
  });
}

/** Deadline of an upload: the request timeout plus time to send the bytes at a slow 256 KiB/s. */
export function uploadTimeoutMs(requestTimeoutMs: number, bytes: number): number {
  return requestTimeoutMs + Math.ceil((bytes / (256 * 1024)) * 1000);
}
