/**
 * An outbox that posts nowhere and keeps nothing: the benchmarks measure the worker, not a platform.
 */
import type { Attachment } from '../../src/core/message.js';
import type { MessageRef, Outbox } from '../../src/core/outbox.js';

export class NullOutbox implements Outbox {
  readonly platform = 'test' as const;
  readonly limits = { textMaxChars: 4096, captionMaxChars: 1024, minEditIntervalMs: 0, maxDownloadBytes: 20 * 1024 * 1024 };
  sent = 0;
  videos = 0;
  /** When each chat's first video arrived (the benchmarks' finish line). */
  readonly videoAt = new Map<string, number>();
  private seq = 0;
  private ref(chatId: string): MessageRef {
    this.sent++;
    return { chatId, messageId: String(++this.seq) };
  }
  async sendText(target: { chatId: string }): Promise<MessageRef> {
    return this.ref(target.chatId);
  }
  async editText(): Promise<void> {}
  async deleteMessage(): Promise<void> {}
  async sendVideo(target: { chatId: string }): Promise<MessageRef> {
    this.videos++;
    if (!this.videoAt.has(target.chatId)) this.videoAt.set(target.chatId, Date.now());
    return this.ref(target.chatId);
  }
  async sendLink(target: { chatId: string }): Promise<MessageRef> {
    return this.ref(target.chatId);
  }
  async sendAction(): Promise<void> {}
  async maxUploadBytes(): Promise<number> {
    return 50 * 1024 * 1024;
  }
  async resolveAttachment(att: Attachment): Promise<{ url: string }> {
    if (att.source.kind === 'url') return { url: att.source.url };
    throw new Error('no attachments in benchmarks');
  }
}
