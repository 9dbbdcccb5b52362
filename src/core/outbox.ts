/**
 * The outbox: how the core talks back to a platform.
 *
 * One implementation per platform (Telegram through grammY's `Api`, Discord through `@discordjs/rest`,
 * the console through stdout). It needs no gateway connection, so worker processes post results
 * while bot processes hold the platform connections.
 */
import type { Attachment, Platform } from './message.js';

/** Who a reply goes to. Built by the core from the stored message; contains no secrets. */
export interface ChatTarget {
  platform: Platform;
  conversationKey: string;
  chatId: string;
  threadId?: string;
  /** The requesting user (mentioned in group results so they get a notification). */
  userId?: string;
  isDirect: boolean;
  /** `en` | `zh`: the bot's own words. */
  lang: string;
  /** The language of this message (any BCP-47 primary subtag): a Nemo session created for it uses it. */
  language?: string;
  /** Bot-process-only extras (Discord interaction to edit for the acknowledgement). */
  platformMeta?: Record<string, string>;
}

export interface MessageRef {
  chatId: string;
  messageId: string;
}

/** A button under a message. `id` is the core's button id; adapters encode it as `nb:<id>`. */
export interface Button {
  id: string;
  label: string;
}

export interface SendOptions {
  /** Platform message id to reply to. */
  replyTo?: string;
  /** Rows of buttons. */
  buttons?: Button[][];
  /** Mention this user id in the message (results in group chats). */
  mentionUserId?: string;
}

export interface VideoPayload {
  path: string;
  sizeBytes: number;
  fileName: string;
  caption?: string;
  width?: number;
  height?: number;
  durationS?: number;
  replyTo?: string;
  buttons?: Button[][];
  mentionUserId?: string;
}

export interface LinkPayload {
  url: string;
  /** Text shown with the link (why it is a link: too large to attach). */
  text: string;
  replyTo?: string;
  buttons?: Button[][];
  mentionUserId?: string;
}

export type ChatAction = 'typing' | 'upload_video' | 'upload_document';

export interface OutboxLimits {
  /** Longest text message. */
  textMaxChars: number;
  /** Longest video caption. */
  captionMaxChars: number;
  /** Minimum time between edits of one message in a group (DMs may go faster). */
  minEditIntervalMs: number;
  /** Largest user file the bot can fetch (Telegram: 20 MB on the cloud Bot API). */
  maxDownloadBytes: number;
}

export interface Outbox {
  readonly platform: Platform;
  readonly limits: OutboxLimits;
  sendText(target: ChatTarget, text: string, opts?: SendOptions): Promise<MessageRef>;
  /** Edit in place. An unchanged text ("message is not modified") is not an error. */
  editText(target: ChatTarget, ref: MessageRef, text: string, opts?: { buttons?: Button[][] }): Promise<void>;
  deleteMessage(target: ChatTarget, ref: MessageRef): Promise<void>;
  /**
   * Upload a video file. Must not post twice: never blindly retry a multipart upload that may have
   * succeeded (rate-limit answers, which say nothing was posted, may be retried).
   */
  sendVideo(target: ChatTarget, video: VideoPayload): Promise<MessageRef>;
  sendLink(target: ChatTarget, link: LinkPayload): Promise<MessageRef>;
  /** Typing / uploading indicator; best effort, never throws. */
  sendAction(target: ChatTarget, action: ChatAction): Promise<void>;
  /** Largest video this chat accepts as an attachment (Discord: the guild's boost limit). */
  maxUploadBytes(target: ChatTarget): Promise<number>;
  /** Turn a `platform` attachment ref into a download URL (Telegram getFile). The URL may hold a secret: never log or store it. */
  resolveAttachment(att: Attachment): Promise<{ url: string; headers?: Record<string, string> }>;
}

/** The outboxes a process can post through, by platform. */
export type OutboxRegistry = Partial<Record<Platform, Outbox>>;
