/**
 * The thumbnail of a video the core uploads: which picture, from where. Platform-free: the outbox gets
 * JPEG bytes (`VideoPayload.thumbnail`) and attaches them where its platform takes one (Telegram shows a
 * large clip without one as a blank tile).
 *
 * Sources, best first; each that fails or is missing hands over to the next:
 * 1. a real frame taken by ffmpeg, when the machine has it (thumbnail-ffmpeg.ts);
 * 2. the project's input image (image-to-video: its first frame is that image), made small when the
 *    user's file was uploaded (the file itself is deleted right after) and kept in Redis per Nemo session;
 * 3. a generated poster in the video's aspect ratio.
 * Pictures are decoded in the thumbnail thread (thumbnail-pool.ts), never on this event loop.
 */
import type { Logger } from '../log.js';
import { INPUT_THUMBNAIL_TTL_S } from './defaults.js';
import type { LocalInput } from './inputs.js';
import type { Mp4Info } from './mp4-info.js';
import type { CoreServices } from './services.js';
import { ffmpegFor, ffmpegFrame } from './thumbnail-ffmpeg.js';
import { imageThumbnailOf, posterThumbnail } from './thumbnail-pool.js';
import { jpegSize, THUMB_MAX_BYTES, THUMB_MAX_SIDE } from './thumbnail-image.js';
import { open } from 'node:fs/promises';

type Svc = Pick<CoreServices, 'config' | 'redis' | 'keys'>;

const IMAGE = /\.(jpe?g|png)$/i;

/** Where a thumbnail came from (logged, and read by tests). */
export type ThumbnailSource = 'ffmpeg' | 'input' | 'poster';

/**
 * Keep a small JPEG of the first JPEG or PNG among a turn's uploaded files, for the videos of this
 * project. Never throws: a picture that cannot be read just leaves the poster to the video.
 */
export async function rememberInputThumbnail(svc: Svc, sessionKey: string, sessionId: string, inputs: readonly LocalInput[], log: Logger): Promise<void> {
  const image = inputs.find((i) => IMAGE.test(i.name) || /^image\/(jpeg|png)$/i.test(i.mimeType ?? ''));
  if (!image) return;
  try {
    const jpeg = (await fittingJpeg(image.path)) ?? (await imageThumbnailOf(image.path));
    await svc.redis.set(svc.keys.inputThumbnail(sessionKey, sessionId), jpeg, 'EX', INPUT_THUMBNAIL_TTL_S);
  } catch (err) {
    log.info({ err: (err as Error).message }, 'no thumbnail from the input image; videos get a poster');
  }
}

/** The thumbnail for uploading this video, or undefined when none could be made (it is sent without). */
export async function videoThumbnail(
  svc: Svc,
  sessionKey: string,
  video: { path: string; info: Mp4Info },
  log: Logger,
  signal?: AbortSignal,
): Promise<{ bytes: Buffer; source: ThumbnailSource } | undefined> {
  const ffmpeg = await ffmpegFor(svc.config.FFMPEG_PATH);
  if (ffmpeg) {
    try {
      return { bytes: await ffmpegFrame(ffmpeg, video.path, video.info.durationS, signal), source: 'ffmpeg' };
    } catch (err) {
      if (signal?.aborted) throw err;
      log.info({ err: (err as Error).message }, 'ffmpeg took no thumbnail; using the next source');
    }
  }
  try {
    const sessionId = await svc.redis.hget(svc.keys.session(sessionKey), 'sessionId');
    const stored = sessionId ? await svc.redis.getBuffer(svc.keys.inputThumbnail(sessionKey, sessionId)) : null;
    if (stored?.length) return { bytes: stored, source: 'input' };
  } catch (err) {
    log.info({ err: (err as Error).message }, 'could not read the input thumbnail; using a poster');
  }
  try {
    return { bytes: await posterThumbnail(video.info.width, video.info.height), source: 'poster' };
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'no poster thumbnail; the video goes without one');
    return undefined;
  }
}

/**
 * The file itself when it already is a JPEG a platform takes as a thumbnail (within 320 px and
 * 200 kB, as a platform's own preview sizes often are): nothing to decode, no thread, no wait.
 */
async function fittingJpeg(path: string): Promise<Buffer | undefined> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size > THUMB_MAX_BYTES) return undefined;
    const bytes = await file.readFile();
    const dims = jpegSize(bytes);
    return dims && dims.width <= THUMB_MAX_SIDE && dims.height <= THUMB_MAX_SIDE ? bytes : undefined;
  } finally {
    await file.close();
  }
}
