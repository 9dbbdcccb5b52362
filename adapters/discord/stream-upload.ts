/**
 * Posting a message with a file to Discord as a *streamed* multipart body (undici), read from disk
 * while it is sent.
 *
 * Why not `@discordjs/rest`: its files are Buffers (`RawFile.data`), so every upload costs its whole
 * size in memory — up to 100 MiB per video on a boosted server, times every delivery running at once
 * in a worker (eng-anchors §3.3). Here memory stays at a few read buffers whatever the size.
 *
 * The contract the outbox relies on is kept from the non-retrying @discordjs/rest client it replaces:
 * - never resent after a timeout, a dropped connection or a 5xx — the video may already be posted;
 * - a 429 is waited out (`retry_after`) and resent (nothing was posted), the file opened afresh;
 *   a bucket that the last answer said is empty is waited for before sending;
 * - a refusal throws `DiscordAPIError` with Discord's code and status (so 50013 → "Attach Files",
 *   40005 → too large), carrying the JSON body but never the file bytes;
 * - one timeout for the whole request, like @discordjs/rest's `timeout`.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { DiscordAPIError } from '@discordjs/rest';
import { Agent, request, type Dispatcher } from 'undici';
import type { Logger } from '../../src/log.js';

export interface StreamUploaderOptions {
  /** DISCORD_API_URL (without the version). */
  api: string;
  token: string;
  /** Whole-request timeout. */
  timeoutMs: number;
  logger: Logger;
  /** Most 429 answers waited out for one upload before giving up. */
  maxRateLimitRetries?: number;
}

export interface UploadFile {
  path: string;
  /** Exact size on disk: the body's Content-Length is computed from it. */
  sizeBytes: number;
  name: string;
  contentType: string;
}

const USER_AGENT = 'DiscordBot (https://github.com/nemovideo/nemo-bot, 0.1) nemo-bot';
const READ_CHUNK_BYTES = 256 * 1024;

/** A multipart body: payload_json, then one file streamed from disk. Exported for tests. */
export function multipartBody(json: object, file: UploadFile, boundary: string): { length: number; chunks: () => AsyncGenerator<Buffer> } {
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="payload_json"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(json)}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="files[0]"; filename="${quoteName(file.name)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    length: head.length + file.sizeBytes + tail.length,
    async *chunks() {
      yield head;
      let sent = 0;
      for await (const chunk of createReadStream(file.path, { highWaterMark: READ_CHUNK_BYTES })) {
        sent += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (sent !== file.sizeBytes) throw new Error(`the file changed size while it was uploaded (${sent} of ${file.sizeBytes} bytes)`);
      yield tail;
    },
  };
}

/** A filename inside a quoted header parameter: no quotes, backslashes or line breaks. */
function quoteName(name: string): string {
  return name.replace(/["\\\r\n]/g, '_');
}

export class DiscordStreamUploader {
  private readonly dispatcher: Dispatcher;
  /** Route → time before which its bucket is empty (from the last answer's headers). */
  private readonly emptyUntil = new Map<string, number>();

  constructor(private readonly o: StreamUploaderOptions) {
    this.dispatcher = new Agent({ connect: { timeout: 30_000 } });
  }

  /** POST /channels/:id/messages with `json` as payload_json and `file` as files[0]; the created message's JSON. */
  async createMessage(channelId: string, json: object, file: UploadFile): Promise<unknown> {
    const route = `/channels/${channelId}/messages`;
    const url = `${this.o.api}/v10${route}`;
    for (let rateLimited = 0; ; rateLimited++) {
      await this.waitForBucket(route);
      const boundary = `----nemobot${randomBytes(12).toString('hex')}`;
      const body = multipartBody(json, file, boundary);
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: {
          authorization: `Bot ${this.o.token}`,
          'user-agent': USER_AGENT,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(body.length),
        },
        body: Readable.from(body.chunks(), { objectMode: false }),
        signal: AbortSignal.timeout(this.o.timeoutMs),
        // The whole-request timeout above is the limit; a slow upload is not a stalled one.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.noteBucket(route, res.headers);
      const text = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) return text ? (JSON.parse(text) as unknown) : undefined;
      const data = parseJson(text);
      if (res.statusCode === 429 && rateLimited < (this.o.maxRateLimitRetries ?? 5)) {
        const waitMs = retryAfterMs(res.headers, data);
        this.o.logger.debug({ route: '/channels/:id/messages', retryAfterMs: waitMs, global: res.headers['x-ratelimit-global'] !== undefined }, 'discord: rate limited, waiting');
        await sleep(waitMs);
        continue;
      }
      const raw = data && typeof data === 'object' && 'message' in data ? (data as { code?: number; message: string }) : { code: res.statusCode, message: text.slice(0, 200) || `HTTP ${res.statusCode}` };
      throw new DiscordAPIError(raw as never, (raw as { code?: number }).code ?? res.statusCode, res.statusCode, 'POST', url, { body: json });
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private async waitForBucket(route: string): Promise<void> {
    const until = this.emptyUntil.get(route);
    if (until === undefined) return;
    this.emptyUntil.delete(route);
    const ms = until - Date.now();
    if (ms > 0) await sleep(ms);
  }

  private noteBucket(route: string, headers: Record<string, string | string[] | undefined>): void {
    const remaining = Number(headers['x-ratelimit-remaining']);
    const resetAfter = Number(headers['x-ratelimit-reset-after']);
    if (remaining === 0 && Number.isFinite(resetAfter)) this.emptyUntil.set(route, Date.now() + resetAfter * 1000);
    else this.emptyUntil.delete(route);
    if (this.emptyUntil.size > 1000) this.emptyUntil.delete(this.emptyUntil.keys().next().value!);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function retryAfterMs(headers: Record<string, string | string[] | undefined>, data: unknown): number {
  const fromBody = (data as { retry_after?: unknown } | undefined)?.retry_after;
  const seconds = typeof fromBody === 'number' ? fromBody : Number(headers['retry-after']);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) + 50 : 1000;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
