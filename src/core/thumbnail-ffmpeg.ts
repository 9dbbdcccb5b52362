/**
 * A real frame of the video as its thumbnail, taken by an `ffmpeg` executable when this machine has
 * one (the container image installs Debian's). FFMPEG_PATH names it; unset, `ffmpeg` is looked up on
 * PATH once per process; `off` turns it off.
 *
 * Bounded: one at a time per process, at most 30 a minute and none in a burst of deliveries
 * (FfmpegBudget: a frame costs about 0.3 s of CPU, which a burst needs for its deliveries), a deadline after
 * which the process is killed, and at most THUMB_MAX_BYTES of output read.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { jpegSize, THUMB_MAX_BYTES, THUMB_MAX_SIDE } from './thumbnail-image.js';

const FFMPEG_TIMEOUT_MS = 10_000;
let onPath: Promise<string | undefined> | undefined;

/**
 * How many frames a process may take: `maxRunning` at once, `perMinute` a minute, and none while
 * deliveries come in a burst (another request less than `quietMs` before). A request refused for any
 * of these goes on at once with the caller's next source: no waiting line, so a delivery never waits
 * for a frame, and a burst of deliveries keeps its CPU.
 */
export class FfmpegBudget {
  private running = 0;
  /** When the frames of the last minute were started. */
  private readonly recentStarts: number[] = [];
  private lastRequestAt = -Infinity;

  constructor(
    private readonly maxRunning = 1,
    private readonly perMinute = 30,
    private readonly quietMs = 1_000,
  ) {}

  /** Take a slot, or undefined when none is free; the returned function gives it back. */
  take(now = Date.now()): (() => void) | undefined {
    const inBurst = now - this.lastRequestAt < this.quietMs;
    this.lastRequestAt = now;
    while (this.recentStarts.length && now - this.recentStarts[0]! > 60_000) this.recentStarts.shift();
    if (inBurst || this.running >= this.maxRunning || this.recentStarts.length >= this.perMinute) return undefined;
    this.recentStarts.push(now);
    this.running++;
    return () => void this.running--;
  }
}

const processBudget = new FfmpegBudget();

/** The ffmpeg to use for a FFMPEG_PATH setting, or undefined when there is none (or it is off). */
export function ffmpegFor(setting: string | undefined): Promise<string | undefined> {
  if (setting !== undefined && /^(off|none|false|0)$/i.test(setting)) return Promise.resolve(undefined);
  if (setting) return Promise.resolve(setting);
  return (onPath ??= lookUp('ffmpeg'));
}

async function lookUp(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/** One frame (about 1 s in, or the first for a shorter clip) as a JPEG within 320×320 and 200 kB. */
export async function ffmpegFrame(ffmpeg: string, videoPath: string, durationS: number | undefined, signal?: AbortSignal, budget = processBudget): Promise<Buffer> {
  const release = budget.take();
  if (!release) throw new Error('ffmpeg busy');
  try {
    const bytes = await runFfmpeg(ffmpeg, frameArgs(videoPath, durationS !== undefined && durationS >= 2 ? 1 : 0), signal);
    const size = jpegSize(bytes);
    if (!size || size.width > THUMB_MAX_SIDE || size.height > THUMB_MAX_SIDE) throw new Error('ffmpeg gave no usable JPEG');
    return bytes;
  } finally {
    release();
  }
}

/** Exported for tests: the command line. */
export function frameArgs(videoPath: string, seekS: number): string[] {
  const side = THUMB_MAX_SIDE;
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-ss', String(seekS), '-i', videoPath,
    '-frames:v', '1',
    '-vf', `scale=${side}:${side}:force_original_aspect_ratio=decrease`,
    '-pix_fmt', 'yuvj420p', '-q:v', '5',
    '-f', 'image2pipe', '-c:v', 'mjpeg', 'pipe:1',
  ];
}

function runFfmpeg(ffmpeg: string, args: string[], signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'], signal, timeout: FFMPEG_TIMEOUT_MS, killSignal: 'SIGKILL' });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: Error | undefined;
    child.stdout.on('data', (c: Buffer) => {
      outBytes += c.length;
      if (outBytes > THUMB_MAX_BYTES) {
        failure ??= new Error('ffmpeg output over the thumbnail size limit');
        child.kill('SIGKILL');
      } else out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < 500) err += c.toString('utf8');
    });
    child.on('error', (e) => {
      failure ??= e;
      reject(e); // a spawn failure may never reach 'close'
    });
    child.on('close', (code, sig) => {
      if (failure) return reject(failure);
      if (code !== 0) return reject(new Error(`ffmpeg ended with ${sig ?? `code ${code}`}: ${err.trim().slice(0, 200)}`));
      resolve(Buffer.concat(out));
    });
  });
}
