/**
 * POST /api/upload-video/nemo_agent/me/{sid}: multipart (field `files`, repeatable; bytes are counted
 * and thrown away) or JSON `{urls:[…], source_type:"url"}` (URLs are recorded, never fetched).
 * Unsupported extension → 4001, larger than maxUploadBytes → 4002.
 */
import busboy from 'busboy';
import { requireAuth, sendSessionNotFound, violate, type Call, type SimContext } from './context.js';
import { isRecord, parseJsonLoose, readBody, sendError, sendJson } from './http.js';
import { randomId } from './store.js';
import type { SimSession, UploadRecord } from './types.js';

const VIDEO = new Set(['mp4', 'mov', 'avi', 'webm', 'mkv']);
const AUDIO = new Set(['mp3', 'wav', 'm4a', 'aac']);
/**
 * The skill's list, written out here on purpose: the simulator imports nothing from the product but
 * types, so a wrong list in the product fails against it.
 */
export const SIM_SUPPORTED_EXTENSIONS = ['mp4', 'mov', 'avi', 'webm', 'mkv', 'jpg', 'png', 'gif', 'webp', 'mp3', 'wav', 'm4a', 'aac'] as const;
const SUPPORTED = new Set<string>(SIM_SUPPORTED_EXTENSIONS);

const extOf = (name: string): string => /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
const fileTypeOf = (ext: string): string => (VIDEO.has(ext) ? 'video' : AUDIO.has(ext) ? 'audio' : 'image');

interface Part {
  field: string;
  filename: string;
  size: number;
  /** First bytes, to read a PNG's size. */
  head: Buffer;
}

/** Width/height from a PNG's IHDR, so image uploads report their real size. */
function pngSize(head: Buffer): { width: number; height: number } | undefined {
  if (head.length < 24 || head.readUInt32BE(0) !== 0x89504e47 || head.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

function parseMultipart(call: Call): Promise<{ parts: Part[] } | { error: string; parts: Part[] }> {
  return new Promise((resolve) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: call.req.headers, defParamCharset: 'utf8' });
    } catch (e) {
      call.req.resume();
      return resolve({ error: `Bad multipart body: ${(e as Error).message}`, parts: [] });
    }
    const parts: Part[] = [];
    bb.on('file', (field, stream, info) => {
      const part: Part = { field, filename: info.filename ?? '', size: 0, head: Buffer.alloc(0) };
      parts.push(part);
      stream.on('error', () => undefined); // reported once, by busboy's own 'error' below
      stream.on('data', (c: Buffer) => {
        if (part.head.length < 24) part.head = Buffer.concat([part.head, c.subarray(0, 24 - part.head.length)]);
        part.size += c.length;
      });
    });
    let settled = false;
    const settle = (v: { parts: Part[] } | { error: string; parts: Part[] }): void => {
      if (settled) return;
      settled = true;
      resolve(v);
    };
    bb.on('close', () => settle({ parts }));
    bb.on('error', (e) => {
      call.req.unpipe(bb);
      call.req.resume();
      settle({ error: `Bad multipart body: ${(e as Error).message}`, parts });
    });
    // A client that hangs up mid-upload never ends the form: give up instead of waiting forever.
    call.gone.addEventListener('abort', () => settle({ error: 'Upload aborted', parts }), { once: true });
    call.req.pipe(bb);
  });
}

function record(ctx: SimContext, s: SimSession, filename: string, size: number, viaUrl?: string): UploadRecord {
  const ext = extOf(filename);
  const u: UploadRecord = {
    filename,
    size,
    fileType: fileTypeOf(ext),
    cdnUrl: `${ctx.baseUrl()}/cdn/uploads/${s.id}/${randomId(6)}/${encodeURIComponent(filename)}`,
  };
  if (viaUrl) u.viaUrl = viaUrl;
  return u;
}

function describe(ctx: SimContext, u: UploadRecord, head?: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = { filename: u.filename, file_type: u.fileType, cdn_url: u.cdnUrl };
  if (u.fileType === 'video') Object.assign(out, { duration: ctx.fixture.durationS, width: ctx.fixture.width, height: ctx.fixture.height });
  const png = head ? pngSize(head) : undefined;
  if (png) Object.assign(out, png);
  return out;
}

export async function handleUpload(ctx: SimContext, call: Call): Promise<void> {
  const { req, res, rec } = call;
  const acc = requireAuth(ctx, call);
  if (!acc) {
    req.resume();
    return;
  }
  const s = ctx.store.ownedSession(acc, call.params[0]);
  if (!s) {
    req.resume();
    return sendSessionNotFound(ctx, call);
  }
  const type = (rec.headers['content-type'] ?? '').toLowerCase();

  if (type.startsWith('multipart/form-data')) {
    const parsed = await parseMultipart(call);
    rec.body = { files: parsed.parts.map(({ field, filename, size }) => ({ field, filename, size })) };
    if ('error' in parsed) return sendError(res, ctx.opts, 'upload', { status: 400, message: parsed.error });
    const files = parsed.parts.filter((p) => p.field === 'files');
    if (files.length === 0) return sendError(res, ctx.opts, 'upload', { status: 400, message: 'Multipart field "files" is required' });
    const bad = files.find((p) => !SUPPORTED.has(extOf(p.filename)));
    if (bad) return sendError(res, ctx.opts, 'upload', { code: 4001, message: `Unsupported file type: ${bad.filename}` });
    const big = files.find((p) => p.size > ctx.opts.maxUploadBytes);
    if (big) return sendError(res, ctx.opts, 'upload', { code: 4002, message: `File too large: ${big.filename} (${big.size} bytes)` });
    const out = files.map((p) => {
      const u = record(ctx, s, p.filename, p.size);
      s.uploads.push(u);
      return describe(ctx, u, p.head);
    });
    return sendJson(res, 200, { code: 0, data: { files: out, session_state_applied: true } });
  }

  const body = await readBody(req);
  if (!body.ok) return sendError(res, ctx.opts, 'upload', { code: 4002, message: 'Body too large' });
  const { value, valid } = parseJsonLoose(body.raw);
  rec.body = value;
  const urls = isRecord(value) && Array.isArray(value['urls']) ? value['urls'] : undefined;
  if (!valid || !urls || urls.length === 0 || !urls.every((u) => typeof u === 'string')) {
    return sendError(res, ctx.opts, 'upload', { status: 400, message: 'Expected multipart field "files" or JSON {"urls":[…],"source_type":"url"}' });
  }
  if (ctx.opts.requireSkillHeaders && (value as Record<string, unknown>)['source_type'] !== 'url') {
    violate(ctx, call, 'upload-source-type', `URL upload with source_type ${JSON.stringify((value as Record<string, unknown>)['source_type'] ?? null)}`);
    return sendError(res, ctx.opts, 'upload', { status: 400, message: 'source_type must be "url" for URL uploads' });
  }
  const names: string[] = [];
  for (const u of urls as string[]) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      return sendError(res, ctx.opts, 'upload', { status: 400, message: `Invalid URL: ${u.slice(0, 200)}` });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return sendError(res, ctx.opts, 'upload', { status: 400, message: 'Only http(s) URLs' });
    let name = url.pathname.split('/').pop() ?? '';
    try {
      name = decodeURIComponent(name);
    } catch {
      // keep the raw segment
    }
    if (!SUPPORTED.has(extOf(name))) return sendError(res, ctx.opts, 'upload', { code: 4001, message: `Unsupported file type: ${name || u}` });
    names.push(name);
  }
  const out = names.map((name, i) => {
    const u = record(ctx, s, name, 0, urls[i] as string);
    s.uploads.push(u);
    return describe(ctx, u);
  });
  sendJson(res, 200, { code: 0, data: { files: out, session_state_applied: true } });
}
