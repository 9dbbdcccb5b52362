/**
 * Issue 13, "Telegram video": every uploaded video carries width, height, duration and a JPEG
 * thumbnail (≤ 320 px a side, ≤ 200 kB, a multipart `thumbnail` part). End to end: the fake Bot API ↔
 * real grammY bot ↔ runtime ↔ the Nemo simulator. FFMPEG_PATH points at a stand-in ffmpeg
 * (test/fixtures/fake-ffmpeg.mjs) that fails unless told to give a frame, so each source is seen:
 * the photo of an image-to-video prompt, the generated poster for a text-only prompt, and an ffmpeg frame.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jpegSize } from '../../src/core/thumbnail-image.js';
import { makeUser, privateChat, type SentMessage } from '../fakes/telegram/index.js';
import { startTelegramStack, type TelegramStack } from './stack.js';
import { meanColour } from '../helpers/jpeg.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const FFMPEG_LOG = path.join(tmpdir(), `fake-ffmpeg-${process.pid}.log`);

let stack: TelegramStack;

beforeAll(async () => {
  process.env.FAKE_FFMPEG_LOG = FFMPEG_LOG;
  // The photo's thumbnail is made beside the turn, which nobody waits for: real turns take 30–90 s, far
  // longer than a thumbnail; 3 s here leave the thumbnail thread time to start and decode the photo.
  stack = await startTelegramStack('tg-thumb', { sim: { turnMs: 3_000 }, env: { FFMPEG_PATH: fixture('fake-ffmpeg.mjs') } });
}, 30_000);

afterEach(() => {
  delete process.env.FAKE_FFMPEG_MODE;
});

afterAll(async () => {
  await stack?.close();
  delete process.env.FAKE_FFMPEG_LOG;
  rmSync(FFMPEG_LOG, { force: true });
});

/** A 1000×1000 red photo: its thumbnail is square and red, unlike the 16:9 dark poster. */
function redPhoto(): Buffer {
  const data = new Uint8Array(1000 * 1000 * 4);
  for (let i = 0; i < data.length; i += 4) data.set([220, 30, 40, 255], i);
  return jpeg.encode({ width: 1000, height: 1000, data }, 90).data;
}

/** The video's thumbnail as Telegram received it: a JPEG part of the multipart upload, within Telegram's limits. */
function thumbnailOf(video: SentMessage): { bytes: Buffer; width: number; height: number } {
  const thumb = video.file?.thumbnail;
  expect(thumb, 'a thumbnail part in the sendVideo upload').toBeDefined();
  const bytes = thumb!.bytes;
  expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  expect(bytes.length).toBeLessThanOrEqual(200 * 1000);
  const size = jpegSize(bytes)!;
  const decoded = jpeg.decode(bytes, { useTArray: true });
  expect({ width: decoded.width, height: decoded.height }).toEqual(size);
  expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(320);
  // width, height and duration still come with it (parsed from the MP4: 1920×1080, 5 s)
  expect(video.file).toMatchObject({ width: 1920, height: 1080, duration: 5, supportsStreaming: true });
  return { bytes, ...size };
}

const videoIn = (chatId: number) => stack.fake.waitFor(() => stack.fake.sent(chatId).find((m) => m.kind === 'video'), 30_000, 'the video');
const ffmpegRuns = () => readFileSync(FFMPEG_LOG, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);

describe('Telegram video thumbnails', () => {
  it('a prompt with a photo: the video comes with a thumbnail made from that photo (ffmpeg failed, so the next source)', async () => {
    const ana = makeUser('Ana', { id: 9301, language_code: 'en' });
    stack.fake.userPhoto({ chat: privateChat(ana), from: ana, caption: 'turn this image into a 5-second animated video clip', bytes: redPhoto() });
    const video = await videoIn(ana.id);
    const thumb = thumbnailOf(video);
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: 320, height: 320 }); // the photo's shape, not the video's
    const [r, g, b] = meanColour(thumb.bytes);
    expect(r).toBeGreaterThan(180);
    expect(Math.max(g, b)).toBeLessThan(80);
    // ffmpeg was asked first, for a frame of the downloaded MP4
    expect(ffmpegRuns().some((args) => args.includes('-frames:v') && /\.mp4$/.test(args[args.indexOf('-i') + 1] ?? ''))).toBe(true);
    const call = stack.fake.callsTo('sendVideo').find((c) => c.ok && Number(c.payload.chat_id) === ana.id)!;
    expect(String(call.payload.thumbnail)).toMatch(/^attach:\/\//);
    expect(call.files.map((f) => f.field)).toContain(String(call.payload.thumbnail).slice('attach://'.length));
  }, 40_000);

  it('a text-only prompt: the thumbnail is the generated poster in the video\'s 16:9 shape', async () => {
    const ben = makeUser('Ben', { id: 9302, language_code: 'en' });
    stack.fake.userText({ chat: privateChat(ben), from: ben, text: 'make a video of a red kite over hills' });
    const thumb = thumbnailOf(await videoIn(ben.id));
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: 320, height: 180 });
    const [r, g, b] = meanColour(thumb.bytes);
    expect((r + g + b) / 3).toBeLessThan(110); // the dark brand gradient
  }, 40_000);

  it('with a working ffmpeg, the thumbnail is its frame', async () => {
    process.env.FAKE_FFMPEG_MODE = 'frame';
    const cy = makeUser('Cy', { id: 9303, language_code: 'en' });
    stack.fake.userText({ chat: privateChat(cy), from: cy, text: 'make a video of a lighthouse at dusk' });
    const thumb = thumbnailOf(await videoIn(cy.id));
    expect(thumb.bytes.equals(readFileSync(fixture('input.jpg')))).toBe(true); // what the stand-in ffmpeg wrote
    const args = ffmpegRuns().at(-1)!;
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 2)).toEqual(['-ss', '1']); // about 1 s into the 5 s clip
  }, 40_000);
});
