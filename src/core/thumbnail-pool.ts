/**
 * The process's one thumbnail thread (thumbnail-thread.ts), started on first use.
 *
 * Decoding a user's photo takes from tens of milliseconds to seconds of CPU; on a worker's event loop
 * that would stall every SSE stream and delivery it runs. Here it runs in a thread, one picture at a
 * time. Bounded: at most MAX_IN_FLIGHT requests in the thread (beyond that a request is refused at
 * once and the caller uses its next source); a caller waits at most CALLER_TIMEOUT_MS; a thread that
 * answers nothing for STUCK_MS while it has work is ended and replaced. Posters depend only on their
 * size, so each is made once and kept.
 */
import { Worker } from 'node:worker_threads';
import { posterSize } from './thumbnail-image.js';
import type { ThumbnailJob, ThumbnailReply, ThumbnailRequest } from './thumbnail-thread.js';

/** Requests waiting or running in the thread (including those whose caller gave up); more are refused. */
const MAX_IN_FLIGHT = 8;
/** How long a caller waits for its picture (waiting in line included); the thread carries on. */
const CALLER_TIMEOUT_MS = 20_000;
/** A thread with work that answers nothing this long is stuck: it is ended and replaced. */
const STUCK_MS = 30_000;
/** Posters kept, by size. */
const MAX_POSTERS = 32;

interface Thread {
  worker: Worker;
  inFlight: number;
  lastProgressAt: number;
  watchdog: NodeJS.Timeout;
}

type Pending = { thread: Thread; resolve: (b: Buffer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

let current: Thread | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();
const posters = new Map<string, Promise<Buffer>>();

function start(): Thread {
  const entry = new URL(`./thumbnail-thread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  // Run from TypeScript (tsx, tests), a thread does not inherit the loader: it registers tsx itself first.
  const worker = entry.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true })
    : new Worker(entry);
  worker.unref();
  const thread: Thread = {
    worker,
    inFlight: 0,
    lastProgressAt: Date.now(),
    watchdog: setInterval(() => {
      if (thread.inFlight > 0 && Date.now() - thread.lastProgressAt > STUCK_MS) end(thread, new Error('thumbnail thread stuck; replaced'));
    }, STUCK_MS / 3).unref(),
  };
  worker.on('message', (m: ThumbnailReply) => {
    thread.inFlight = Math.max(0, thread.inFlight - 1);
    thread.lastProgressAt = Date.now();
    if (thread.inFlight === 0) worker.unref();
    const p = pending.get(m.id);
    if (!p) return; // its caller gave up
    settle(m.id);
    if ('bytes' in m) p.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length));
    else p.reject(new Error(m.error));
  });
  worker.on('error', (err) => end(thread, err));
  worker.on('exit', (code) => end(thread, new Error(`thumbnail thread exited (${code})`)));
  return thread;
}

/** Stop using a thread: its callers are told, and the next request starts a new one. */
function end(thread: Thread, err: Error): void {
  if (current === thread) current = undefined;
  clearInterval(thread.watchdog);
  thread.inFlight = 0;
  for (const [id, p] of [...pending]) {
    if (p.thread !== thread) continue;
    settle(id);
    p.reject(err);
  }
  void thread.worker.terminate();
}

function settle(id: number): void {
  const p = pending.get(id);
  if (p) clearTimeout(p.timer);
  pending.delete(id);
}

function run(req: ThumbnailJob): Promise<Buffer> {
  const thread = (current ??= start());
  if (thread.inFlight >= MAX_IN_FLIGHT) return Promise.reject(new Error('thumbnail thread busy'));
  const id = ++nextId;
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => {
      settle(id);
      reject(new Error('thumbnail timed out'));
    }, CALLER_TIMEOUT_MS);
    pending.set(id, { thread, resolve, reject, timer });
    if (thread.inFlight++ === 0) thread.lastProgressAt = Date.now();
    thread.worker.ref();
    thread.worker.postMessage({ ...req, id } satisfies ThumbnailRequest);
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
