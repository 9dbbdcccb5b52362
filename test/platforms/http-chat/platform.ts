/**
 * The HTTP chat as a nemo-bot platform: everything a platform supplies through the port
 * (src/platforms/port.ts) — an outbox that posts over the chat's REST API and a receiving side that
 * polls its updates, normalizes them and hands them to the core.
 */
import { createReadStream } from 'node:fs';
import { request } from 'undici';
import { conversationKey, type IncomingMessage } from '../../../src/core/message.js';
import { OutboxError, type Outbox, type OutboxErrorKind } from '../../../src/core/outbox.js';
import type { PlatformAdapter } from '../../../src/platforms/port.js';
import type { ChatUpdate } from './server.js';

const ID = 'http-chat';

function kindOf(status: number): OutboxErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 413) return 'too_large';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  return status >= 500 ? 'transient' : 'permanent';
}

function createOutbox(base: string): Outbox {
  async function call(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<{ id?: number }> {
    const res = await request(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const json = (await res.body.json()) as { id?: number; error?: string };
    if (res.statusCode !== 200) throw new OutboxError(kindOf(res.statusCode), `http-chat ${method} ${path}: ${json.error ?? res.statusCode}`, { mayHavePosted: method === 'POST' });
    return json;
  }
  return {
    platform: ID,
    limits: { textMaxChars: 4000, captionMaxChars: 1000, minEditIntervalMs: 100, maxDownloadBytes: 50 * 1024 * 1024 },
    async sendText(target, text, opts = {}) {
      const { id } = await call('POST', '/bot/messages', { chat: target.chatId, text, buttons: opts.buttons, replyTo: opts.replyTo ? Number(opts.replyTo) : undefined });
      return { chatId: target.chatId, messageId: String(id) };
    },
    async editText(_target, ref, text) {
      await call('PATCH', `/bot/messages/${ref.messageId}`, { text });
    },
    async deleteMessage(_target, ref) {
      await call('DELETE', `/bot/messages/${ref.messageId}`);
    },
    async sendVideo(target, video) {
      const q = new URLSearchParams({ chat: target.chatId, name: video.fileName, caption: video.caption ?? '' });
      const res = await request(`${base}/bot/videos?${q}`, { method: 'POST', body: createReadStream(video.path), headers: { 'content-length': String(video.sizeBytes) } });
      const json = (await res.body.json()) as { id?: number };
      if (res.statusCode !== 200) throw new OutboxError(kindOf(res.statusCode), `http-chat upload: ${res.statusCode}`, { mayHavePosted: true });
      return { chatId: target.chatId, messageId: String(json.id) };
    },
    sendLink(target, link) {
      return this.sendText(target, `${link.text}\n${link.url}`, { ...(link.buttons ? { buttons: link.buttons } : {}) });
    },
    async sendAction(target, action) {
      await call('POST', '/bot/actions', { chat: target.chatId, action }).catch(() => undefined);
    },
    maxUploadBytes: async () => 50 * 1024 * 1024,
    async resolveAttachment(att) {
      if (att.source.kind === 'url') return { url: att.source.url };
      throw new OutboxError('permanent', 'http-chat sends no platform files');
    },
  };
}

function normalize(u: ChatUpdate): IncomingMessage {
  const m = u.message;
  return {
    platform: ID,
    conversationKey: conversationKey(ID, m.chat),
    chatId: m.chat,
    userId: m.user,
    userName: m.userName,
    messageId: String(m.id),
    replyToMessageId: String(m.id),
    text: m.text,
    attachments: [],
    isDirect: true,
    mentionsBot: true,
    receivedAt: Date.now(),
  };
}

/** The platform, pointed at one chat service. */
export function httpChatPlatform(base: string): PlatformAdapter {
  return {
    id: ID,
    enabled: () => true,
    secrets: () => [],
    createOutbox: () => createOutbox(base),
    async start({ ingress, logger }) {
      let after = 0;
      let stopped = false;
      const loop = (async () => {
        while (!stopped) {
          try {
            const res = await request(`${base}/bot/updates?after=${after}`);
            for (const u of (await res.body.json()) as ChatUpdate[]) {
              await ingress.accept(normalize(u));
              after = u.seq; // confirmed only once the core took it
            }
          } catch (err) {
            logger.warn({ err }, 'http-chat: poll failed');
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      return {
        async stop() {
          stopped = true;
          await loop;
        },
      };
    },
  };
}
