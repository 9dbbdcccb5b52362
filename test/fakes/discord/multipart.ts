/**
 * Request body reading for the fake: JSON, or multipart (`payload_json` + `files[n]`) parsed with
 * busboy, keeping every file's bytes so tests can compare them with what was sent.
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { StoredFile } from './state.js';

export interface ParsedBody {
  json: unknown;
  files: StoredFile[];
  multipart: boolean;
  /** Total bytes received (to check that a slow upload arrived whole). */
  size: number;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function readMultipart(req: IncomingMessage): Promise<ParsedBody> {
  return new Promise((resolve, reject) => {
    const files: StoredFile[] = [];
    let json: unknown = undefined;
    let size = 0;
    const pending: Promise<void>[] = [];
    const bb = busboy({ headers: req.headers, limits: { fileSize: 200 * 1024 * 1024 } });
    bb.on('field', (name, value) => {
      size += value.length;
      if (name === 'payload_json') json = JSON.parse(value);
    });
    bb.on('file', (field, stream, info) => {
      pending.push(
        new Promise((done, fail) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => {
            chunks.push(c);
            size += c.length;
          });
          stream.on('end', () => {
            files.push({ field, name: info.filename ?? 'file', contentType: info.mimeType, bytes: Buffer.concat(chunks) });
            done();
          });
          stream.on('error', fail);
        }),
      );
    });
    bb.on('close', () => {
      Promise.all(pending).then(() => resolve({ json, files, multipart: true, size }), reject);
    });
    bb.on('error', reject);
    req.pipe(bb);
  });
}

/** Read the whole body; JSON bodies are parsed, empty bodies give `undefined`. */
export async function readBody(req: IncomingMessage): Promise<ParsedBody> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) return readMultipart(req);
  const raw = await readAll(req);
  if (raw.length === 0) return { json: undefined, files: [], multipart: false, size: 0 };
  return { json: JSON.parse(raw.toString('utf8')), files: [], multipart: false, size: raw.length };
}
