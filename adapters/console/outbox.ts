/**
 * The console "platform": prints what the bot says, saves videos under ./out/.
 *
 * Buttons are numbered so the terminal user can press one with `/b <n>`; the numbers map to the
 * core's button ids.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Attachment } from '../../src/core/message.js';
import { OutboxError, type Button, type ChatAction, type ChatTarget, type LinkPayload, type MessageRef, type Outbox, type OutboxLimits, type SendOptions, type VideoPayload } from '../../src/core/outbox.js';

export class ConsoleOutbox implements Outbox {
  readonly platform = 'console' as const;
  readonly limits: OutboxLimits = { textMaxChars: 8000, captionMaxChars: 2000, minEditIntervalMs: 0, maxDownloadBytes: 2 * 1024 ** 3 };
  /** Button number → core button id, for `/b <n>`. */
  readonly buttons = new Map<number, string>();
  private seq = 0;
  private buttonSeq = 0;
  private readonly lastStage = new Map<string, string>();

  constructor(
    private readonly out: Writable,
    private readonly outDir = path.resolve('out'),
  ) {}

  private print(text: string): void {
    this.out.write(`${text}\n`);
  }

  private printButtons(rows?: Button[][]): void {
    if (!rows?.length) return;
    const labels = rows.flat().map((b) => {
      const n = ++this.buttonSeq;
      this.buttons.set(n, b.id);
      return `[${n}] ${b.label}`;
    });
    this.print(`   ${labels.join('   ')}   (press with /b <n>)`);
  }

  async sendText(_t: ChatTarget, text: string, opts: SendOptions = {}): Promise<MessageRef> {
    const id = String(++this.seq);
    this.print(`🤖 ${text.replace(/\n/g, '\n   ')}`);
    this.printButtons(opts.buttons);
    this.lastStage.set(id, text.split('\n').at(-1) ?? '');
    return { chatId: 'local', messageId: id };
  }

  async editText(_t: ChatTarget, ref: MessageRef, text: string, opts: { buttons?: Button[][] } = {}): Promise<void> {
    // Only the status line changes; print it when it does.
    const stage = text.split('\n').at(-1) ?? '';
    const previous = this.lastStage.get(ref.messageId);
    const stageOnly = (s: string) => s.replace(/ · \d+:\d\d$/, '');
    if (previous !== undefined && stageOnly(previous) === stageOnly(stage)) return;
    this.lastStage.set(ref.messageId, stage);
    this.print(`   ${stage}`);
    this.printButtons(opts.buttons);
  }

  async deleteMessage(): Promise<void> {}

  async sendVideo(_t: ChatTarget, video: VideoPayload): Promise<MessageRef> {
    if (video.fileRef) {
      // /show: the copy saved when it was first delivered.
      this.print(`${video.caption ?? "🎬 Video"}\n   saved: ${video.fileRef}`);
      this.printButtons(video.buttons);
      return { chatId: 'local', messageId: String(++this.seq), fileRef: video.fileRef };
    }
    await mkdir(this.outDir, { recursive: true });
    const dest = path.join(this.outDir, video.fileName);
    await copyFile(video.path, dest);
    this.print(`${video.caption ?? "🎬 Video"}\n   saved: ${dest} (${Math.round(video.sizeBytes / 1024)} KB)`);
    this.printButtons(video.buttons);
    return { chatId: 'local', messageId: String(++this.seq), fileRef: dest };
  }

  async sendLink(_t: ChatTarget, link: LinkPayload): Promise<MessageRef> {
    this.print(`🔗 ${link.text}\n   ${link.url}`);
    this.printButtons(link.buttons);
    return { chatId: 'local', messageId: String(++this.seq) };
  }

  async sendAction(_t: ChatTarget, _a: ChatAction): Promise<void> {}

  async maxUploadBytes(): Promise<number> {
    return 2 * 1024 ** 3;
  }

  async resolveAttachment(att: Attachment): Promise<{ url: string }> {
    if (att.source.kind === 'url') return { url: att.source.url };
    throw new OutboxError('permanent', 'console attachments are local paths');
  }
}
