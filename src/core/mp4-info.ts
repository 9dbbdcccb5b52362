/**
 * Width, height and duration of an MP4, read from its boxes in pure TypeScript (no ffprobe):
 * `moov/mvhd` gives the timescale and duration, the first `moov/trak/tkhd` with a picture size gives
 * width and height (16.16 fixed point). Only box headers are read until `moov`, wherever it sits
 * (the start for streamable files, the end otherwise), so a large file costs a few small reads.
 *
 * Platforms need these to show a video properly (Telegram shows a large clip without them as a
 * square tile lasting 0:00). Anything unreadable yields `{}`: the video is still sent.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface Mp4Info {
  width?: number;
  height?: number;
  durationS?: number;
}

/** moov is usually well under a megabyte; a bigger one is not worth reading for three numbers. */
const MAX_MOOV_BYTES = 16 * 1024 * 1024;

export async function readMp4Info(path: string): Promise<Mp4Info> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const size = (await fh.stat()).size;
    const moov = await findTopLevel(fh, size, 'moov');
    return moov ? parseMoov(moov) : {};
  } catch {
    return {};
  } finally {
    await fh?.close();
  }
}

async function findTopLevel(fh: FileHandle, fileSize: number, type: string): Promise<Buffer | undefined> {
  const head = Buffer.alloc(16);
  for (let pos = 0; pos + 8 <= fileSize; ) {
    const { bytesRead } = await fh.read(head, 0, 16, pos);
    if (bytesRead < 8) return undefined;
    let boxSize = head.readUInt32BE(0);
    let headerSize = 8;
    if (boxSize === 1) {
      if (bytesRead < 16) return undefined;
      boxSize = Number(head.readBigUInt64BE(8));
      headerSize = 16;
    } else if (boxSize === 0) boxSize = fileSize - pos; // runs to the end of the file
    if (boxSize < headerSize) return undefined;
    if (head.toString('latin1', 4, 8) === type) {
      const bodySize = Math.min(boxSize, fileSize - pos) - headerSize;
      if (bodySize > MAX_MOOV_BYTES) return undefined;
      const body = Buffer.alloc(bodySize);
      await fh.read(body, 0, bodySize, pos + headerSize);
      return body;
    }
    pos += boxSize;
  }
  return undefined;
}

/** The child boxes of a container body: [type, body]. */
function* children(buf: Buffer): Generator<[string, Buffer]> {
  for (let pos = 0; pos + 8 <= buf.length; ) {
    let size = buf.readUInt32BE(pos);
    let header = 8;
    if (size === 1 && pos + 16 <= buf.length) {
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) size = buf.length - pos;
    if (size < header || pos + size > buf.length) return;
    yield [buf.toString('latin1', pos + 4, pos + 8), buf.subarray(pos + header, pos + size)];
    pos += size;
  }
}

/** Exported for tests: parse the body of a `moov` box. */
export function parseMoov(moov: Buffer): Mp4Info {
  const info: Mp4Info = {};
  for (const [type, body] of children(moov)) {
    if (type === 'mvhd' && body.length >= 20) {
      const v1 = body[0] === 1;
      const timescale = v1 ? body.readUInt32BE(20) : body.readUInt32BE(12);
      const duration = v1 ? Number(body.readBigUInt64BE(24)) : body.readUInt32BE(16);
      if (timescale > 0 && duration > 0 && duration !== 0xffffffff) info.durationS = duration / timescale;
    }
    if (type === 'trak' && info.width === undefined) {
      for (const [inner, tkhd] of children(body)) {
        if (inner !== 'tkhd') continue;
        // width and height are the last 8 bytes of tkhd (both versions), 16.16 fixed point
        if (tkhd.length < 84) continue;
        const w = tkhd.readUInt32BE(tkhd.length - 8) / 65536;
        const h = tkhd.readUInt32BE(tkhd.length - 4) / 65536;
        if (w > 0 && h > 0) {
          info.width = Math.round(w);
          info.height = Math.round(h);
        }
      }
    }
  }
  return info;
}
