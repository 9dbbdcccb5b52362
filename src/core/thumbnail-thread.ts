/**
 * The thumbnail thread (started by thumbnail-pool.ts): decodes, scales and encodes pictures off the
 * worker's event loop, one request at a time.
 *
 * Protocol: the pool posts `{ id, op: 'image', path }` (a JPEG or PNG file on this machine) or
 * `{ id, op: 'poster', width?, height? }`; the thread answers `{ id, bytes }` (a JPEG) or
 * `{ id, error }`. The file is read here, so no large buffer crosses threads.
 */
import { readFile, stat } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { imageThumbnail, MAX_SOURCE_BYTES, posterJpeg, ThumbnailError } from './thumbnail-image.js';

export type ThumbnailJob = { op: 'image'; path: string } | { op: 'poster'; width?: number; height?: number };
export type ThumbnailRequest = ThumbnailJob & { id: number };
export type ThumbnailReply = { id: number; bytes: Uint8Array } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('src/core/thumbnail-thread.ts runs as a worker thread (started by thumbnail-pool.ts)');

async function handle(req: ThumbnailRequest): Promise<Uint8Array> {
  if (req.op === 'poster') return posterJpeg(req.width, req.height);
  const size = (await stat(req.path)).size;
  if (size > MAX_SOURCE_BYTES) throw new ThumbnailError(`image of ${size} bytes is too large to read`);
  return imageThumbnail(await readFile(req.path));
}

let chain = Promise.resolve();
port.on('message', (req: ThumbnailRequest) => {
  chain = chain.then(async () => {
    try {
      const bytes = await handle(req);
      const copy = new Uint8Array(bytes); // its own ArrayBuffer, transferred without a copy
      port.postMessage({ id: req.id, bytes: copy } satisfies ThumbnailReply, [copy.buffer]);
    } catch (err) {
      port.postMessage({ id: req.id, error: (err as Error).message } satisfies ThumbnailReply);
    }
  });
});
