/**
 * An outbox that lives in the test process while the worker runs in a child process: the child's
 * `ForwardingOutbox` POSTs each call over loopback HTTP to a `RecordingOutbox` in the parent, so a
 * test can SIGKILL the worker and still see exactly what the user would have seen.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import type { Attachment } from '../../src/core/message.js';
import type { ChatAction, ChatTarget, LinkPayload, MessageRef, Outbox, OutboxLimits, SendOptions, VideoPayload } from '../../src/core/outbox.js';
import type { RecordingOutbox } from './recording-outbox.js';

type Call = { op: string; args: unknown[] };

/** Parent side: apply forwarded calls to `target`. */
export async function startOutboxServer(target: RecordingOutbox): Promise<{ url: string; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nemo-remote-outbox-'));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const call = JSON.parse(Buffer.concat(chunks).toString()) as Call;
        const args = call.args;
        let result: unknown;
        if (call.op === 'sendVideo') {
          const [t, { bytesBase64, thumbnailBase64, ...v }] = args as [ChatTarget, Omit<VideoPayload, 'thumbnail'> & { bytesBase64: string; thumbnailBase64?: string }];
          const p = path.join(dir, `${Date.now()}-${v.fileName}`);
          await writeFile(p, Buffer.from(bytesBase64, 'base64'));
          result = await target.sendVideo(t, { ...v, path: p, ...(thumbnailBase64 ? { thumbnail: Buffer.from(thumbnailBase64, 'base64') } : {}) });
        } else {
          result = await (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[call.op]!(...args);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: result ?? null }));
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Child side. */
export class ForwardingOutbox implements Outbox {
  readonly platform = 'test' as const;
  readonly limits: OutboxLimits = { textMaxChars: 4096, captionMaxChars: 1024, minEditIntervalMs: 0, maxDownloadBytes: 20 * 1024 * 1024 };
  constructor(private readonly url: string) {}

  private async call<T>(op: string, ...args: unknown[]): Promise<T> {
    const res = await request(this.url, { method: 'POST', body: JSON.stringify({ op, args }) });
    if (res.statusCode !== 200) throw new Error(`outbox ${op} failed: ${await res.body.text()}`);
    return ((await res.body.json()) as { result: T }).result;
  }
  sendText(t: ChatTarget, text: string, o?: SendOptions) {
    return this.call<MessageRef>('sendText', t, text, o);
  }
  editText(t: ChatTarget, ref: MessageRef, text: string) {
    return this.call<void>('editText', t, ref, text);
  }
  deleteMessage(t: ChatTarget, ref: MessageRef) {
    return this.call<void>('deleteMessage', t, ref);
  }
  async sendVideo(t: ChatTarget, v: VideoPayload) {
    const bytes = await readFile(v.path);
    const { thumbnail, ...rest } = v;
    return this.call<MessageRef>('sendVideo', t, { ...rest, bytesBase64: bytes.toString('base64'), ...(thumbnail ? { thumbnailBase64: thumbnail.toString('base64') } : {}) });
  }
  sendLink(t: ChatTarget, l: LinkPayload) {
    return this.call<MessageRef>('sendLink', t, l);
  }
  sendAction(t: ChatTarget, a: ChatAction) {
    return this.call<void>('sendAction', t, a);
  }
  maxUploadBytes() {
    return this.call<number>('maxUploadBytes');
  }
  async resolveAttachment(att: Attachment) {
    if (att.source.kind === 'url') return { url: att.source.url };
    throw new Error('not supported');
  }
}
