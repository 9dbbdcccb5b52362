/**
 * Video thumbnails (src/core/thumbnail*.ts): scaling and encoding edge cases in pure JS (huge, tiny,
 * transparent and corrupt pictures), the generated poster, the thumbnail thread, the ffmpeg runner
 * against a stand-in executable, and the choice of source with real Redis (a corrupt input image
 * leaves the poster).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { Keys } from '../../src/core/keys.js';
import type { Config } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { fitWithin, imageThumbnail, jpegSize, posterJpeg, THUMB_MAX_BYTES, ThumbnailError } from '../../src/core/thumbnail-image.js';
import { imageThumbnailOf, posterThumbnail } from '../../src/core/thumbnail-pool.js';
import { FfmpegBudget, ffmpegFor, ffmpegFrame, frameArgs } from '../../src/core/thumbnail-ffmpeg.js';
import { rememberInputThumbnail, videoThumbnail } from '../../src/core/thumbnail.js';
import { fileRedis } from '../helpers/common.js';
import { meanColour } from '../helpers/jpeg.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const FAKE_FFMPEG = fixture('fake-ffmpeg.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'thumb-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function solid(width: number, height: number, rgba: [number, number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return data;
}
const pngOf = (width: number, height: number, data: Uint8Array) => PNG.sync.write(Object.assign(new PNG({ width, height }), { data: Buffer.from(data) }));
const jpegOf = (width: number, height: number, data: Uint8Array) => jpeg.encode({ width, height, data }, 90).data;

function expectThumbnail(bytes: Buffer, width: number, height: number): void {
  expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
  expect(bytes.length).toBeLessThanOrEqual(THUMB_MAX_BYTES);
  expect(jpegSize(bytes)).toEqual({ width, height });
  const decoded = jpeg.decode(bytes, { useTArray: true });
  expect({ width: decoded.width, height: decoded.height }).toEqual({ width, height });
}

describe('scaling and encoding (pure JS)', () => {
  it('fits within 320×320 keeping the aspect ratio, never enlarging, at least 1 px', () => {
    expect(fitWithin(1920, 1080)).toEqual({ width: 320, height: 180 });
    expect(fitWithin(1080, 1920)).toEqual({ width: 180, height: 320 });
    expect(fitWithin(5000, 5000)).toEqual({ width: 320, height: 320 });
    expect(fitWithin(100, 50)).toEqual({ width: 100, height: 50 });
    expect(fitWithin(10_000, 3)).toEqual({ width: 320, height: 1 });
    expect(() => fitWithin(0, 10)).toThrow(ThumbnailError);
  });

  it('a large photo (1600×1200 of noise, the worst case for size) becomes a 320×240 JPEG under 200 kB', () => {
    const data = new Uint8Array(1600 * 1200 * 4);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24; // noise, opaque enough
    for (let i = 3; i < data.length; i += 4) data[i] = 255;
    const thumb = imageThumbnail(jpegOf(1600, 1200, data));
    expectThumbnail(thumb, 320, 240);
  });

  it('keeps the colours of the picture (area average, not one sampled pixel)', () => {
    // Stripes of red and blue one pixel wide average to purple.
    const w = 1280;
    const h = 720;
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set(i % 2 ? [255, 0, 0, 255] : [0, 0, 255, 255], i * 4);
    const [r, g, b] = meanColour(imageThumbnail(pngOf(w, h, data)));
    expect(r).toBeGreaterThan(100);
    expect(b).toBeGreaterThan(100);
    expect(g).toBeLessThan(30);
  });

  it('a tiny picture is kept at its size (3×2), not enlarged', () => {
    expectThumbnail(imageThumbnail(pngOf(3, 2, solid(3, 2, [200, 40, 40, 255]))), 3, 2);
  });

  it('a transparent PNG is laid on the dark poster colour (a JPEG has no alpha)', () => {
    const [r, g, b] = meanColour(imageThumbnail(pngOf(64, 64, solid(64, 64, [255, 255, 255, 0]))));
    expect(Math.max(r, g, b)).toBeLessThan(60);
  });

  it('refuses a picture too large to decode from its header, before decoding it', () => {
    const png = pngOf(8, 8, solid(8, 8, [1, 2, 3, 255]));
    png.writeUInt32BE(10_000, 16); // IHDR width
    png.writeUInt32BE(10_000, 20); // IHDR height: 100 MP
    expect(() => imageThumbnail(png)).toThrow(/too large to decode/);
    const jpg = Buffer.from(jpegOf(16, 16, solid(16, 16, [1, 2, 3, 255])));
    const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
    jpg.writeUInt16BE(8_000, sof + 5);
    jpg.writeUInt16BE(8_000, sof + 7); // 64 MP
    expect(() => imageThumbnail(jpg)).toThrow(ThumbnailError);
  });

  it('a corrupt or foreign file is a ThumbnailError, never a crash', () => {
    const good = jpegOf(64, 64, solid(64, 64, [9, 9, 9, 255]));
    expect(() => imageThumbnail(good.subarray(0, 40))).toThrow(ThumbnailError);
    expect(() => imageThumbnail(Buffer.from('GIF89a not supported here'))).toThrow(/not a JPEG or PNG/);
    const png = pngOf(8, 8, solid(8, 8, [1, 2, 3, 255]));
    expect(() => imageThumbnail(png.subarray(0, 40))).toThrow(ThumbnailError);
    expect(() => imageThumbnail(new Uint8Array(0))).toThrow(ThumbnailError);
  });

  it('the poster has the video\'s aspect ratio within 320 px (16:9 when unknown) and is dark', () => {
    expectThumbnail(posterJpeg(1920, 1080), 320, 180);
    expectThumbnail(posterJpeg(1080, 1920), 180, 320);
    expectThumbnail(posterJpeg(64, 64), 320, 320); // a generated picture may be enlarged
    expectThumbnail(posterJpeg(), 320, 180);
    expectThumbnail(posterJpeg(10_000, 10), 320, 40); // an extreme ratio still leaves a strip
    const [r, g, b] = meanColour(posterJpeg(1920, 1080));
    expect((r + g + b) / 3).toBeLessThan(110);
  });
});

describe('the thumbnail thread', () => {
  it('makes an input image\'s thumbnail off the event loop and refuses a corrupt one', async () => {
    const photo = path.join(dir, 'photo.png');
    writeFileSync(photo, pngOf(900, 600, solid(900, 600, [250, 20, 20, 255])));
    const thumb = await imageThumbnailOf(photo);
    expectThumbnail(thumb, 320, 213);
    expect(meanColour(thumb)[0]).toBeGreaterThan(200);
    const corrupt = path.join(dir, 'corrupt.jpg');
    writeFileSync(corrupt, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 7)]));
    await expect(imageThumbnailOf(corrupt)).rejects.toThrow();
    await expect(imageThumbnailOf(path.join(dir, 'missing.png'))).rejects.toThrow(/ENOENT/);
  }, 20_000);

  it('takes at most 8 requests at once; more are refused at once (the caller falls back), not queued without end', async () => {
    const photo = path.join(dir, 'small.png');
    writeFileSync(photo, pngOf(200, 100, solid(200, 100, [10, 200, 10, 255])));
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => imageThumbnailOf(photo)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(8);
    expect(new Set(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)))).toEqual(new Set(['Error: thumbnail thread busy']));
    await expect(imageThumbnailOf(photo)).resolves.toBeInstanceOf(Buffer); // free again
  }, 30_000);

  it('makes each poster size once', async () => {
    const a = await posterThumbnail(1920, 1080);
    expect(await posterThumbnail(1280, 720)).toBe(a); // the same 320×180 poster, not made again
    expectThumbnail(await posterThumbnail(720, 1280), 180, 320);
  }, 20_000);
});

describe('ffmpeg (a stand-in executable)', () => {
  /** A budget that refuses nothing but a second frame at once (the budget itself is tested below). */
  const unlimited = () => new FfmpegBudget(1, 1_000, 0);
  const log = path.join(dir, 'ffmpeg.log');
  const withMode = async <T>(mode: string, fn: () => Promise<T>): Promise<T> => {
    process.env.FAKE_FFMPEG_MODE = mode;
    process.env.FAKE_FFMPEG_LOG = log;
    try {
      return await fn();
    } finally {
      delete process.env.FAKE_FFMPEG_MODE;
      delete process.env.FAKE_FFMPEG_LOG;
    }
  };

  it('FFMPEG_PATH: a path is used, off turns it off', async () => {
    expect(await ffmpegFor('/opt/ffmpeg/bin/ffmpeg')).toBe('/opt/ffmpeg/bin/ffmpeg');
    expect(await ffmpegFor('off')).toBeUndefined();
  });

  it('takes one frame about 1 s in (the first for a short clip), scaled to fit 320×320, as a JPEG on stdout', async () => {
    const frame = await withMode('frame', () => ffmpegFrame(FAKE_FFMPEG, '/videos/clip.mp4', 5, undefined, unlimited()));
    expect(frame.equals(readFileSync(fixture('input.jpg')))).toBe(true);
    const args = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').at(-1)!) as string[];
    expect(args).toEqual(frameArgs('/videos/clip.mp4', 1));
    expect(args.join(' ')).toMatch(/-ss 1 -i \/videos\/clip\.mp4 -frames:v 1 -vf scale=320:320:force_original_aspect_ratio=decrease .* -c:v mjpeg pipe:1$/);
    expect(frameArgs('/v.mp4', 0)).toContain('0');
  });

  it('runs one at a time per process; beyond that it refuses at once (the caller falls back, a delivery never waits for a frame)', async () => {
    const trace = path.join(dir, 'ffmpeg.trace');
    process.env.FAKE_FFMPEG_TRACE = trace;
    const budget = new FfmpegBudget(1, 30, 0);
    const results = await withMode('slow', () => Promise.allSettled(Array.from({ length: 4 }, () => ffmpegFrame(FAKE_FFMPEG, '/v.mp4', 5, undefined, budget))));
    delete process.env.FAKE_FFMPEG_TRACE;
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(new Set(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)))).toEqual(new Set(['Error: ffmpeg busy']));
    expect(await withMode('frame', () => ffmpegFrame(FAKE_FFMPEG, '/v.mp4', 5, undefined, budget))).toBeInstanceOf(Buffer); // free again
    let now = 0;
    let most = 0;
    for (const step of readFileSync(trace, 'utf8').trim().split('\n').map(Number)) most = Math.max(most, (now += step));
    expect(most).toBe(1);
  }, 30_000);

  it('takes at most 30 frames a minute per process, then again after the minute', () => {
    const budget = new FfmpegBudget(1, 30, 0);
    const t0 = 1_000_000;
    for (let i = 0; i < 30; i++) budget.take(t0 + i)!();
    expect(budget.take(t0 + 59_000)).toBeUndefined();
    expect(budget.take(t0 + 60_031)).toBeTypeOf('function');
  });

  it('takes no frame while deliveries come in a burst (less than a second apart), and again once they are spaced out', () => {
    const budget = new FfmpegBudget();
    const t0 = 1_000_000;
    budget.take(t0)!();
    for (let i = 1; i <= 50; i++) expect(budget.take(t0 + i * 100)).toBeUndefined();
    expect(budget.take(t0 + 5_000 + 1_000)).toBeTypeOf('function');
  });

  it('a failing ffmpeg, an oversized or a non-JPEG answer, or a missing executable is an error (the caller falls back)', async () => {
    await expect(withMode('fail', () => ffmpegFrame(FAKE_FFMPEG, '/v.mp4', 5, undefined, unlimited()))).rejects.toThrow(/Invalid data/);
    await expect(withMode('big', () => ffmpegFrame(FAKE_FFMPEG, '/v.mp4', 5, undefined, unlimited()))).rejects.toThrow(/size limit/);
    await expect(withMode('text', () => ffmpegFrame(FAKE_FFMPEG, '/v.mp4', 5, undefined, unlimited()))).rejects.toThrow(/no usable JPEG/);
    await expect(ffmpegFrame(path.join(dir, 'no-such-ffmpeg'), '/v.mp4', 5, undefined, unlimited())).rejects.toThrow(/ENOENT/);
  });
});

describe('choosing the source (real Redis)', () => {
  const file = fileRedis('core-thumb');
  const keys = () => new Keys(file.prefix);
  const svc = (ffmpeg: string) => ({ config: { FFMPEG_PATH: ffmpeg } as Config, redis: file.redis, keys: keys() });
  const info = { width: 1080, height: 1920, durationS: 5 };

  it('a corrupt input image stores nothing and the video gets the poster', async () => {
    await file.redis.hset(keys().session('conv-a'), 'sessionId', 'S1');
    const corrupt = path.join(dir, 'broken.png');
    writeFileSync(corrupt, Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(100, 1)]));
    await rememberInputThumbnail(svc('off'), 'conv-a', 'S1', [{ path: corrupt, name: 'broken.png', temporary: false }], silentLogger);
    expect(await file.redis.exists(keys().inputThumbnail('conv-a', 'S1'))).toBe(0);
    const thumb = await videoThumbnail(svc('off'), 'conv-a', { path: '/v.mp4', info }, silentLogger);
    expect(thumb?.source).toBe('poster');
    expectThumbnail(thumb!.bytes, 180, 320);
  }, 20_000);

  it('a good input image is kept for the project\'s videos; a failing ffmpeg hands over to it; a new project does not see it', async () => {
    await file.redis.hset(keys().session('conv-b'), 'sessionId', 'S2');
    const photo = path.join(dir, 'red.jpg');
    writeFileSync(photo, jpegOf(400, 400, solid(400, 400, [230, 30, 30, 255])));
    await rememberInputThumbnail(svc('off'), 'conv-b', 'S2', [{ path: path.join(dir, 'notes.txt'), name: 'notes.txt', temporary: false }, { path: photo, name: 'red.jpg', temporary: false }], silentLogger);
    expect(await file.redis.ttl(keys().inputThumbnail('conv-b', 'S2'))).toBeGreaterThan(0);
    const thumb = await withFailingFfmpeg(() => videoThumbnail(svc(FAKE_FFMPEG), 'conv-b', { path: '/v.mp4', info }, silentLogger));
    expect(thumb?.source).toBe('input');
    expectThumbnail(thumb!.bytes, 320, 320);
    expect(meanColour(thumb!.bytes)[0]).toBeGreaterThan(200);
    await file.redis.hset(keys().session('conv-b'), 'sessionId', 'S3'); // /new: another Nemo session
    expect((await videoThumbnail(svc('off'), 'conv-b', { path: '/v.mp4', info }, silentLogger))?.source).toBe('poster');
  }, 20_000);

  it('a photo that already fits (a JPEG within 320 px and 200 kB) is kept as it is, never decoded again', async () => {
    await file.redis.hset(keys().session('conv-c'), 'sessionId', 'S4');
    const small = path.join(dir, 'small.jpg');
    const bytes = jpegOf(320, 180, solid(320, 180, [20, 200, 20, 255]));
    writeFileSync(small, bytes);
    await rememberInputThumbnail(svc('off'), 'conv-c', 'S4', [{ path: small, name: 'small.jpg', temporary: false }], silentLogger);
    expect(Buffer.compare((await file.redis.getBuffer(keys().inputThumbnail('conv-c', 'S4')))!, bytes)).toBe(0);
    const thumb = await videoThumbnail(svc('off'), 'conv-c', { path: '/v.mp4', info }, silentLogger);
    expect(thumb?.source).toBe('input');
  }, 20_000);
});

async function withFailingFfmpeg<T>(fn: () => Promise<T>): Promise<T> {
  process.env.FAKE_FFMPEG_MODE = 'fail';
  try {
    return await fn();
  } finally {
    delete process.env.FAKE_FFMPEG_MODE;
  }
}
