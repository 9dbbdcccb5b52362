/**
 * Request body parsing for the fake Bot API server.
 *
 * grammY sends JSON for plain calls and a streamed (chunked, no content-length) multipart body when a
 * file is attached. Its multipart part headers write `filename=` without quotes, which strict parsers
 * such as undici's `Request.formData()` reject, so we use busboy, which tolerates it. File parts are
 * collected whole: tests compare the uploaded bytes with the source file.
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';

export interface UploadedFile {
  /** The multipart part name (grammY uses a random id and refers to it as `attach://<id>`). */
  field: string;
  filename: string;
  mimeType: string;
  bytes: Buffer;
}

export interface ParsedBody {
  /** Field values as sent: JSON values from a JSON body, strings from a multipart or urlencoded one. */
  fields: Record<string, unknown>;
  files: UploadedFile[];
  multipart: boolean;
}

/** Largest body the fake accepts; Telegram's own upload limit is 50 MB. */
const MAX_BODY_BYTES = 60 * 1024 * 1024;

export async function parseBody(req: IncomingMessage): Promise<ParsedBody> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) return parseMultipart(req);
  const raw = await readAll(req);
  if (raw.length === 0) return { fields: {}, files: [], multipart: false };
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { fields: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), files: [], multipart: false };
  }
  const parsed: unknown = JSON.parse(raw.toString('utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body must be a JSON object');
  return { fields: parsed as Record<string, unknown>, files: [], multipart: false };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseMultipart(req: IncomingMessage): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, unknown> = {};
    const files: UploadedFile[] = [];
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: MAX_BODY_BYTES } });
    } catch (err) {
      reject(err);
      return;
    }
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        files.push({ field: name, filename: info.filename ?? name, mimeType: info.mimeType, bytes: Buffer.concat(chunks) });
      });
    });
    bb.on('close', () => resolve({ fields, files, multipart: true }));
    bb.on('error', reject);
    req.on('error', reject);
    req.pipe(bb);
  });
}
