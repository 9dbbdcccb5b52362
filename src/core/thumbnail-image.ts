/**
 * Thumbnail pictures in pure JavaScript (jpeg-js, pngjs): an input image scaled to fit a box and
 * re-encoded as a small JPEG, or a generated poster in the video's aspect ratio.
 *
 * Platforms want a video thumbnail as a JPEG of at most 320 px a side and 200 kB (Telegram's
 * `sendVideo`). Decoding is CPU work that takes a while for a big photo, so the process runs these
 * functions in a thread of their own (thumbnail-pool.ts), never on the event loop of a worker.
 * Everything here is synchronous and bounded: images above MAX_SOURCE_PIXELS are refused unread.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** Longest side of a thumbnail (Telegram: 320). */
export const THUMB_MAX_SIDE = 320;
/** Largest thumbnail file (Telegram: under 200 kB). */
export const THUMB_MAX_BYTES = 200 * 1000;
/** Larger pictures are not decoded (a 16 MP photo decodes to 64 MB of pixels). */
export const MAX_SOURCE_PIXELS = 16_000_000;
/** Larger files are not read. */
export const MAX_SOURCE_BYTES = 20 * 1024 * 1024;

interface Rgba {
  width: number;
  height: number;
  /** 4 bytes a pixel, row by row. */
  data: Uint8Array;
}

export class ThumbnailError extends Error {
  override readonly name = 'ThumbnailError';
}

/** The largest size of the same aspect ratio within `max`×`max` (never enlarged, at least 1×1). */
export function fitWithin(width: number, height: number, max = THUMB_MAX_SIDE): { width: number; height: number } {
  if (!(width > 0 && height > 0)) throw new ThumbnailError(`bad size ${width}x${height}`);
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** JPEG or PNG bytes → a JPEG within THUMB_MAX_SIDE and THUMB_MAX_BYTES. Throws a ThumbnailError for anything else. */
export function imageThumbnail(bytes: Uint8Array): Buffer {
  if (bytes.length > MAX_SOURCE_BYTES) throw new ThumbnailError(`image of ${bytes.length} bytes is too large to read`);
  const img = decode(bytes);
  const size = fitWithin(img.width, img.height);
  return encodeJpeg(downscale(img, size.width, size.height));
}

function decode(bytes: Uint8Array): Rgba {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf[0] === 0xff && buf[1] === 0xd8) {
    try {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_SOURCE_PIXELS / 1e6, maxMemoryUsageInMB: 160 });
      return checked({ width: img.width, height: img.height, data: img.data });
    } catch (err) {
      throw err instanceof ThumbnailError ? err : new ThumbnailError(`unreadable JPEG: ${(err as Error).message}`);
    }
  }
  if (buf.length >= 24 && buf.readUInt32BE(0) === 0x89504e47 && buf.toString('latin1', 12, 16) === 'IHDR') {
    // The size is in the header: refuse a huge picture before inflating it.
    checkPixels(buf.readUInt32BE(16), buf.readUInt32BE(20));
    try {
      const png = PNG.sync.read(buf);
      return checked({ width: png.width, height: png.height, data: onDark(png.data) });
    } catch (err) {
      throw new ThumbnailError(`unreadable PNG: ${(err as Error).message}`);
    }
  }
  throw new ThumbnailError('not a JPEG or PNG image');
}

function checkPixels(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new ThumbnailError(`bad size ${width}x${height}`);
  if (width * height > MAX_SOURCE_PIXELS) throw new ThumbnailError(`image of ${width}x${height} pixels is too large to decode`);
}

function checked(img: Rgba): Rgba {
  checkPixels(img.width, img.height);
  if (img.data.length < img.width * img.height * 4) throw new ThumbnailError('truncated image data');
  return img;
}

/** Transparent pixels over the poster's dark colour (a JPEG has no alpha). */
function onDark(data: Uint8Array): Uint8Array {
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3]!;
    if (a === 255) continue;
    for (let c = 0; c < 3; c++) data[i + c] = Math.round((data[i + c]! * a + DARK[c]! * (255 - a)) / 255);
    data[i + 3] = 255;
  }
  return data;
}

/** Area-average (box filter) downscale: every source pixel counts, so a big reduction stays smooth. */
export function downscale(img: Rgba, width: number, height: number): Rgba {
  if (width === img.width && height === img.height) return img;
  const out = new Uint8Array(width * height * 4);
  const sx = img.width / width;
  const sy = img.height / height;
  const sum = new Float64Array(3);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.min(img.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.min(img.width, Math.floor((x + 1) * sx)));
      sum.fill(0);
      for (let yy = y0; yy < y1; yy++) {
        let p = (yy * img.width + x0) * 4;
        for (let xx = x0; xx < x1; xx++, p += 4) {
          sum[0]! += img.data[p]!;
          sum[1]! += img.data[p + 1]!;
          sum[2]! += img.data[p + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 4;
      out[o] = Math.round(sum[0]! / n);
      out[o + 1] = Math.round(sum[1]! / n);
      out[o + 2] = Math.round(sum[2]! / n);
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** Encode as JPEG, lowering the quality until it fits THUMB_MAX_BYTES. */
export function encodeJpeg(img: Rgba): Buffer {
  for (const quality of [82, 65, 45, 25]) {
    const out = jpeg.encode({ width: img.width, height: img.height, data: img.data }, quality).data;
    if (out.length <= THUMB_MAX_BYTES) return out;
  }
  throw new ThumbnailError('thumbnail does not fit the size limit');
}

/** The poster's colours: a dark brand gradient (top left → bottom right) under a light play mark. */
const DARK = [18, 16, 38] as const;
const LIGHT = [74, 36, 120] as const;

/** The poster's size: the video's aspect ratio filling THUMB_MAX_SIDE (enlarged if need be; 16:9 when unknown). */
export function posterSize(videoWidth?: number, videoHeight?: number): { width: number; height: number } {
  const known = videoWidth !== undefined && videoHeight !== undefined && videoWidth > 0 && videoHeight > 0;
  const [w, h] = known ? [videoWidth, videoHeight] : [16, 9];
  // Extreme ratios still leave a visible strip (at least 1:8).
  const scale = THUMB_MAX_SIDE / Math.max(w, h);
  return { width: Math.max(40, Math.round(w * scale)), height: Math.max(40, Math.round(h * scale)) };
}

/**
 * A generated poster for a video without a picture of its own: the video's aspect ratio within
 * THUMB_MAX_SIDE (16:9 when unknown), a diagonal dark gradient and a play triangle in the middle.
 */
export function posterJpeg(videoWidth?: number, videoHeight?: number): Buffer {
  const { width, height } = posterSize(videoWidth, videoHeight);
  const data = new Uint8Array(width * height * 4);
  const cx = width / 2;
  const cy = height / 2;
  const r = Math.max(4, Math.min(width, height) * 0.14); // the play mark's half height
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x / Math.max(1, width - 1) + y / Math.max(1, height - 1)) / 2;
      // A play triangle pointing right, centred: |dy| <= (r - dx) * 0.58 within [-r/2, r]
      const dx = x - cx + r / 3;
      const dy = y - cy;
      const inPlay = dx >= -r / 2 && dx <= r && Math.abs(dy) <= ((r - dx) * 2) / 3;
      const o = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const base = DARK[c]! + (LIGHT[c]! - DARK[c]!) * t;
        data[o + c] = Math.round(inPlay ? base + (235 - base) * 0.8 : base);
      }
      data[o + 3] = 255;
    }
  }
  return encodeJpeg({ width, height, data });
}

/** Width and height of a JPEG, read from its frame header (SOFn); undefined when none is found. */
export function jpegSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  for (let p = 2; p + 9 < bytes.length; ) {
    if (bytes[p] !== 0xff) return undefined;
    const marker = bytes[p + 1]!;
    if (marker === 0xff) {
      p++;
      continue;
    }
    const len = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: (bytes[p + 5]! << 8) | bytes[p + 6]!, width: (bytes[p + 7]! << 8) | bytes[p + 8]! };
    p += 2 + len;
  }
  return undefined;
}
