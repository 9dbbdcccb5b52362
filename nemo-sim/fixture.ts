/**
 * The committed sample video every render "produces". Its size and length are read from the MP4
 * itself (mvhd/tkhd boxes) so the numbers the sim reports can never drift from the file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Fixture {
  path: string;
  bytes: Buffer;
  width: number;
  height: number;
  durationS: number;
}

export const FIXTURE_PATH = fileURLToPath(new URL('./fixtures/sample.mp4', import.meta.url));

/** Container boxes we descend into to find mvhd and the video tkhd. */
const CONTAINERS = new Set(['moov', 'trak']);

interface Mp4Info {
  durationS?: number;
  width?: number;
  height?: number;
}

function walk(buf: Buffer, start: number, end: number, info: Mp4Info): void {
  let pos = start;
  while (pos + 8 <= end) {
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    let header = 8;
    if (size === 1 && pos + 16 <= end) {
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < header || pos + size > end) return;
    const body = pos + header;
    if (CONTAINERS.has(type)) walk(buf, body, pos + size, info);
    else if (type === 'mvhd') {
      const v1 = buf[body] === 1;
      const timescale = buf.readUInt32BE(body + (v1 ? 20 : 12));
      const duration = v1 ? Number(buf.readBigUInt64BE(body + 24)) : buf.readUInt32BE(body + 16);
      if (timescale > 0) info.durationS = duration / timescale;
    } else if (type === 'tkhd') {
      const v1 = buf[body] === 1;
      const off = body + (v1 ? 88 : 76);
      const w = buf.readUInt32BE(off) / 65536;
      const h = buf.readUInt32BE(off + 4) / 65536;
      if (w > 0 && h > 0 && info.width === undefined) {
        info.width = w;
        info.height = h;
      }
    }
    pos += size;
  }
}

export function loadFixture(path = FIXTURE_PATH): Fixture {
  const bytes = readFileSync(path);
  const info: Mp4Info = {};
  try {
    walk(bytes, 0, bytes.length, info);
  } catch {
    // A malformed file keeps the defaults below; the bytes are still served.
  }
  return {
    path,
    bytes,
    width: info.width ?? 1920,
    height: info.height ?? 1080,
    durationS: Math.round((info.durationS ?? 5) * 1000) / 1000,
  };
}
