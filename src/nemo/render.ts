/**
 * Render helpers: ids, the poll answer normalized across both published shapes, and the byte-limited
 * file sink the downloads (download.ts) write through.
 *
 * Why the sink deletes on failure: the worker must never deliver half a video, and a download over
 * the limit must not leave a large partial file in the temp dir.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import type { Logger } from '../log.js';
import { NemoError } from './errors.js';
import type { renderPollSchema } from './schemas.js';
import type { RenderPhase, RenderStatus } from './types.js';

/** `render_<ts>_<random>`: unique per attempt (a retry must use a NEW id, skill rule). */
export function newRenderId(): string {
  return `render_${Date.now()}_${randomBytes(4).toString('hex')}`;
}

const PHASES: Record<string, RenderPhase> = {
  pending: 'pending', queued: 'pending', waiting: 'pending', submitted: 'pending', created: 'pending', accepted: 'pending',
  processing: 'processing', running: 'processing', rendering: 'processing', in_progress: 'processing', started: 'processing', progress: 'processing',
  completed: 'completed', complete: 'completed', done: 'completed', success: 'completed', succeeded: 'completed', finished: 'completed',
  failed: 'failed', failure: 'failed', error: 'failed', errored: 'failed', cancelled: 'failed', canceled: 'failed', timeout: 'failed',
};

/** Map a backend status word to ours; an unknown word counts as still processing (logged). */
export function normalizePhase(status: string, logger?: Logger): RenderPhase {
  const phase = PHASES[status.trim().toLowerCase().replace(/[\s-]+/g, '_')];
  if (phase) return phase;
  logger?.warn({ endpoint: 'render_poll', status: status.slice(0, 40) }, 'nemo render: unknown status word, treated as processing');
  return 'processing';
}

/** The normalized poll: `d = body.data ?? body; url = d.outputUrl ?? d.output?.url ?? d.output_url`. */
export function toRenderStatus(renderId: string, d: z.output<typeof renderPollSchema>, logger?: Logger): RenderStatus {
  const status = normalizePhase(d.status, logger);
  const out: RenderStatus = { id: d.id ?? d.taskId ?? d.task_id ?? renderId, status };
  if (d.progress !== undefined && Number.isFinite(d.progress)) out.progress = Math.max(0, Math.min(100, d.progress));
  const url = d.outputUrl ?? d.output?.url ?? d.output_url;
  if (url) out.outputUrl = url;
  if (d.error) out.error = d.error;
  if (status === 'failed' && !out.error) out.error = `render ${d.status}`;
  if (status === 'completed') out.progress = 100;
  return out;
}

/** Thrown by the byte counter; turned into `download_too_large`. */
class TooLarge extends Error {}

/**
 * Pipe `body` into `destPath`, aborting past `maxBytes`. On any failure the partial file is removed
 * and the body destroyed. Returns the bytes written.
 */
export async function writeBounded(body: Readable, destPath: string, maxBytes: number, signal?: AbortSignal): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > maxBytes) cb(new TooLarge(`over ${maxBytes} bytes`));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(body, counter, createWriteStream(destPath), signal ? { signal } : {});
    return bytes;
  } catch (err) {
    body.destroy();
    await rm(destPath, { force: true }).catch(() => undefined);
    if (err instanceof TooLarge) {
      throw new NemoError({ kind: 'download_too_large', message: `Nemo download: file exceeds ${maxBytes} bytes`, endpoint: 'render_download', cause: err });
    }
    throw err;
  }
}

/** A Content-Length header over the limit: refuse before reading a byte. */
export function declaredTooLarge(headers: Record<string, string | string[] | undefined>, maxBytes: number): boolean {
  const len = Number(headers['content-length']);
  return Number.isFinite(len) && len > maxBytes;
}
