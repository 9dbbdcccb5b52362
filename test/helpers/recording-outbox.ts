/**
 * An Outbox that records what the core asked a platform to do (the platform 'test'), so core tests
 * can assert what a user would have seen: texts, edits, deletions, videos (with their bytes), links.
 */
import { readFile } from 'node:fs/promises';
import { noteChat } from './chat-capture.js';
import type { Attachment } from '../../src/core/message.js';
import { OutboxError, type Button, type ChatAction, type ChatTarget, type LinkPayload, type MessageRef, type Outbox, type OutboxLimits, type SendOptions, type VideoPayload } from '../../src/core/outbox.js';

export interface RecordedMessage {
  id: string;
  chatId: string;
  kind: 'text' | 'video' | 'link';
  text: string;
  edits: string[];
  deleted: boolean;
  buttons?: Button[][];
  replyTo?: string;
  mentionUserId?: string;
  videoBytes?: Buffer;
  url?: string;
  at: number;
}

export class RecordingOutbox implements Outbox {
  readonly platform = 'test' as const;
  readonly limits: OutboxLimits = { textMaxChars: 4096, captionMaxChars: 1024, minEditIntervalMs: 0, maxDownloadBytes: 20 * 1024 * 1024 };
  readonly messages: RecordedMessage[] = [];
  readonly actions: Array<{ chatId: string; action: ChatAction }> = [];
  uploadLimitBytes = 50 * 1024 * 1024;
  /** Failures the next video uploads throw, in order (the way a platform refuses them). */
  readonly failVideos: OutboxError[] = [];
  /** Video uploads attempted (refused ones included). */
  videoAttempts = 0;
  private seq = 0;

  private add(target: ChatTarget, m: Omit<RecordedMessage, 'id' | 'chatId' | 'edits' | 'deleted' | 'at'>): MessageRef {
    const id = String(++this.seq);
    noteChat(`${m.text}${m.url ? ` ${m.url}` : ''}`);
    this.messages.push({ id, chatId: target.chatId, edits: [], deleted: false, at: Date.now(), ...m });
    return { chatId: target.chatId, messageId: id };
  }

  private failures: Array<{ match: RegExp; err: Error }> = [];

  /** The next sendText whose text matches fails with `err` (a platform fault), once. */
  failNextSend(match: RegExp, err: Error): void {
    this.failures.push({ match, err });
  }

  async sendText(target: ChatTarget, text: string, options?: SendOptions | null): Promise<MessageRef> {
    const failure = this.failures.findIndex((f) => f.match.test(text));
    if (failure >= 0) throw this.failures.splice(failure, 1)[0]!.err;
    const opts = options ?? {};
    return this.add(target, { kind: 'text', text, buttons: opts.buttons, replyTo: opts.replyTo, mentionUserId: opts.mentionUserId });
  }
  async editText(_target: ChatTarget, ref: MessageRef, text: string): Promise<void> {
    const m = this.messages.find((x) => x.id === ref.messageId);
    if (!m) throw new OutboxError('not_found', 'message to edit not found');
    noteChat(text);
    m.edits.push(text);
  }
  async deleteMessage(_target: ChatTarget, ref: MessageRef): Promise<void> {
    const m = this.messages.find((x) => x.id === ref.messageId);
    if (m) m.deleted = true;
  }
  async sendVideo(target: ChatTarget, video: VideoPayload): Promise<MessageRef> {
    this.videoAttempts++;
    const failure = this.failVideos.shift();
    if (failure) throw failure;
    const bytes = await readFile(video.path);
    return this.add(target, { kind: 'video', text: video.caption ?? '', buttons: video.buttons, replyTo: video.replyTo, mentionUserId: video.mentionUserId, videoBytes: bytes });
  }
  async sendLink(target: ChatTarget, link: LinkPayload): Promise<MessageRef> {
    return this.add(target, { kind: 'link', text: `${link.text}\n${link.url}`, url: link.url, buttons: link.buttons, replyTo: link.replyTo });
  }
  async sendAction(target: ChatTarget, action: ChatAction): Promise<void> {
    this.actions.push({ chatId: target.chatId, action });
  }
  async maxUploadBytes(): Promise<number> {
    return this.uploadLimitBytes;
  }
  async resolveAttachment(att: Attachment): Promise<{ url: string }> {
    if (att.source.kind === 'url') return { url: att.source.url };
    throw new OutboxError('permanent', `cannot resolve ${att.source.kind} attachments in tests`);
  }

  /** Messages in one chat, oldest first. */
  in(chatId: string): RecordedMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }
  /** Every text the chat saw, including edits. */
  textsIn(chatId: string): string[] {
    return this.in(chatId).flatMap((m) => [m.text, ...m.edits]);
  }
  async waitFor<T>(fn: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting; messages so far:\n${this.messages.map((m) => `[${m.chatId}#${m.id} ${m.kind}] ${m.text} ${m.edits.length ? `(edits: ${m.edits.at(-1)})` : ''}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
