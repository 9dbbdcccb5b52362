/**
 * The process's one thumbnail thread (thumbnail-thread.ts), started on first use.
 *
 * Decoding a user's photo takes from tens of milliseconds to seconds of CPU; on a worker's event loop
 * that would stall every SSE stream and delivery it runs. Here it runs in a thread, one picture at a
 * time, with a bounded line (beyond MAX_PENDING a request is refused at once and the caller uses its
 * next source) and a deadline (a thread that overruns it is ended and replaced). Posters depend only
 * on the aspect ratio, so each size is made once and kept.
 */
import { Worker } from 'node:worker_threads';
import { posterSize } from './thumbnail-image.js';
import type { ThumbnailJob, ThumbnailReply, ThumbnailRequest } from './thumbnail-thread.js';

/** Requests waiting or running in the thread; more are refused (the caller falls back). */
const MAX_PENDING = 32;
/** One request's deadline, waiting included. */
const TASK_TIMEOUT_MS = 20_000;
/** Posters kept, by size. */
const MAX_POSTERS = 32;

type Pending = { worker: Worker; resolve: (b: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();
const posters = new Map<string, Promise<Buffer>>();

function start(): Worker {
  const entry = new URL(`./thumbnail-thread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  // Run from TypeScript (tsx, tests), a thread does not inherit the loader: it registers tsx itself first.
  const w = entry.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true })
    : new Worker(entry);
  w.unref();
  w.on('message', (m: ThumbnailReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    settle(m.id);
    if ('bytes' in m) p.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length));
    else p.reject(new Error(m.error));
  });
  const fail = (err: Error) => {
    if (worker === w) worker = undefined;
    for (const [id, p] of [...pending]) {
      if (p.worker !== w) continue;
      settle(id);
      p.reject(err);
    }
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`thumbnail thread exited (${code})`)));
  return w;
}

function settle(id: number): void {
  const p = pending.get(id);
  if (!p) return;
  clearTimeout(p.timer);
  pending.delete(id);
  if (pending.size === 0) worker?.unref();
}

function run(req: ThumbnailJob): Promise<Buffer> {
  if (pending.size >= MAX_PENDING) return Promise.reject(new Error('thumbnail thread busy'));
  const w = (worker ??= start());
  const id = ++nextId;
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A picture that takes this long is not worth waiting for; the thread may be stuck: replace it.
      settle(id);
      reject(new Error('thumbnail timed out'));
      if (worker === w) worker = undefined;
      void w.terminate();
    }, TASK_TIMEOUT_MS);
    pending.set(id, { worker: w, resolve, reject, timer });
    w.ref();
    w.postMessage({ ...req, id } satisfies ThumbnailRequest);
  });
}

/** A JPEG thumbnail of a JPEG or PNG file; rejects when it cannot be made (corrupt, too large, busy). */
export function imageThumbnailOf(path: string): Promise<Buffer> {
  return run({ op: 'image', path });
}

/** The generated poster for a video of this size (16:9 when unknown). */
export function posterThumbnail(videoWidth?: number, videoHeight?: number): Promise<Buffer> {
  // Keyed by the poster's own size: every 16:9 video shares one.
  const { width, height } = posterSize(videoWidth, videoHeight);
  const key = `${width}x${height}`;
  let p = posters.get(key);
  if (!p) {
    if (posters.size >= MAX_POSTERS) posters.delete(posters.keys().next().value!);
    p = run({ op: 'poster', width, height });
    posters.set(key, p);
    p.catch(() => posters.delete(key));
  }
  return p;
}
