/**
 * One side of the relay bench, run as its own process so its memory figures are its own:
 * `RELAY_MODE` = telegram-outbox | telegram-raw | discord-outbox | discord-raw | discord-rest-buffer sends `RELAY_FILE`
 * once to the fake at `RELAY_URL` and prints one JSON line: bytes, seconds, RSS before and at peak.
 *
 * The raw modes are the baseline: a file read stream piped into a multipart POST with undici, no
 * product code. The outbox modes go through the real outboxes (adapters/*\/outbox.ts), as the worker
 * does when it delivers a downloaded video. discord-rest-buffer is the outbox's previous path
 * (the file read into a Buffer and posted with @discordjs/rest), kept for comparison. Before measuring, each side makes one small request (so
 * connections, modules and JIT are warm: a 4 KiB upload of the same kind, so lazily loaded parts such
 * as undici's HTTP parser are ready on both sides) and runs a GC when allowed (--expose-gc).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { REST } from '@discordjs/rest';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { createDiscordOutbox } from '../../adapters/discord/index.js';
import { createTelegramOutbox } from '../../adapters/telegram/index.js';
import { loadConfig } from '../../src/platforms/config.js';
import type { ChatTarget } from '../../src/core/outbox.js';
import { silentLogger } from '../../src/log.js';

const mode = process.env.RELAY_MODE ?? '';
const file = process.env.RELAY_FILE ?? '';
const url = process.env.RELAY_URL ?? ''; // Telegram: API root; Discord: REST base (…/api)
const token = process.env.RELAY_TOKEN ?? '';
const chatId = process.env.RELAY_CHAT ?? '';
const size = statSync(file).size;
const warmFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'relay-warm-')), 'warm.mp4');
writeFileSync(warmFile, randomBytes(4096));

const target: ChatTarget = { platform: mode.startsWith('telegram') ? 'telegram' : 'discord', conversationKey: `x:${chatId}`, chatId, userId: '1', isDirect: true, lang: 'en' };
const video = { path: file, sizeBytes: size, fileName: 'relay.mp4' };
const dispatcher = new Agent();

/** A multipart body streamed from disk: text fields, then the file. */
function multipart(fields: Record<string, string>, fileField: string, from = file): { body: Readable; headers: Record<string, string> } {
  const boundary = `----bench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="relay.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* chunks() {
    yield head;
    yield* createReadStream(from, { highWaterMark: 256 * 1024 });
    yield tail;
  }
  return {
    body: Readable.from(chunks(), { objectMode: false }),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + statSync(from).size + tail.length) },
  };
}

async function post(path: string, headers: Record<string, string>, body: Readable | string): Promise<void> {
  const res = await request(`${url}${path}`, { method: 'POST', dispatcher, headers, body, headersTimeout: 0, bodyTimeout: 0 });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${path}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
}

let send: () => Promise<void>;
let warm: () => Promise<void>;
if (mode === 'telegram-outbox') {
  const outbox = createTelegramOutbox({ config: loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: url, LOG_LEVEL: 'silent' }), logger: silentLogger });
  warm = async () => void (await outbox.sendVideo(target, { path: warmFile, sizeBytes: 4096, fileName: 'warm.mp4' }));
  send = async () => void (await outbox.sendVideo(target, video));
} else if (mode === 'discord-outbox') {
  const outbox = createDiscordOutbox({ config: loadConfig({ DISCORD_TOKEN: token, DISCORD_API_URL: url, LOG_LEVEL: 'silent' }), logger: silentLogger });
  warm = async () => void (await outbox.sendVideo(target, { path: warmFile, sizeBytes: 4096, fileName: 'warm.mp4' }));
  send = async () => void (await outbox.sendVideo(target, video));
} else if (mode === 'telegram-raw') {
  const upload = (from: string) => {
    const m = multipart({ chat_id: chatId, video: 'attach://file0' }, 'file0', from);
    return post(`/bot${token}/sendVideo`, m.headers, m.body);
  };
  warm = () => upload(warmFile);
  send = () => upload(file);
} else if (mode === 'discord-raw') {
  const auth = { authorization: `Bot ${token}` };
  const upload = (from: string) => {
    const m = multipart({ payload_json: JSON.stringify({ content: '', attachments: [{ id: 0, filename: 'relay.mp4' }] }) }, 'files[0]', from);
    return post(`/v10/channels/${chatId}/messages`, { ...auth, ...m.headers }, m.body);
  };
  warm = () => upload(warmFile);
  send = () => upload(file);
} else if (mode === 'discord-rest-buffer') {
  const rest = new REST({ api: url, version: '10', retries: 0, timeout: 600_000 }).setToken(token);
  const upload = async (from: string) => {
    const data = await readFile(from);
    await rest.post(`/channels/${chatId}/messages`, { body: { content: '', attachments: [{ id: 0, filename: 'relay.mp4' }] }, files: [{ name: 'relay.mp4', data, contentType: 'video/mp4' }] });
  };
  warm = () => upload(warmFile);
  send = () => upload(file);
} else {
  throw new Error(`unknown RELAY_MODE ${mode}`);
}

await warm();
(globalThis as { gc?: () => void }).gc?.();
const rssBefore = process.memoryUsage.rss();
let rssPeak = rssBefore;
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
}, 5);
const t0 = performance.now();
await send();
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
rmSync(path.dirname(warmFile), { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ mode, bytes: size, seconds, rssBefore, rssPeak })}\n`);
process.exit(0);
