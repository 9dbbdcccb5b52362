/**
 * Doctor: ffmpeg for video thumbnails (src/core/thumbnail-ffmpeg.ts). Optional: without it a video's
 * thumbnail is the prompt's image or a generated poster, so its absence is information, not a problem;
 * an FFMPEG_PATH that does not run is a warning.
 */
import { execFile } from 'node:child_process';
import type { Config } from '../../config.js';
import { ffmpegFor } from '../../core/thumbnail-ffmpeg.js';
import { info, ok, warn, type Item } from './checklist.js';

const FALLBACK = "video thumbnails are the prompt's image or a generated poster";

export async function checkFfmpeg(config: Config): Promise<Item[]> {
  const ffmpeg = await ffmpegFor(config.FFMPEG_PATH);
  if (!ffmpeg) {
    return [info(config.FFMPEG_PATH ? `FFMPEG_PATH=${config.FFMPEG_PATH}: ${FALLBACK}` : `no ffmpeg on PATH: ${FALLBACK} (install ffmpeg for real frames)`)];
  }
  const version = await new Promise<string>((resolve, reject) =>
    execFile(ffmpeg, ['-hide_banner', '-version'], { timeout: 5_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout.split('\n')[0] ?? ''))),
  ).catch((err: Error) => err);
  if (version instanceof Error) return [warn(`ffmpeg at ${ffmpeg} does not run (${version.message.split('\n')[0]}): ${FALLBACK}`, 'point FFMPEG_PATH at an ffmpeg executable, or unset it (FFMPEG_PATH=off to never use one)')];
  return [ok(`${version.replace(/ Copyright.*$/, '')} at ${ffmpeg}: video thumbnails are real frames`)];
}
