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
  /** Bot-process-only extras of the adapter (e.g. an interaction to answer for the acknowledgement). */
  platformMeta?: Record<string, string>;
}

export interface MessageRef {
  chatId: string;
  messageId: string;
  /** A posted video's reference on the platform, when it can post the same file again without uploading. */
  fileRef?: string;
}

/** A button under a message. `id` is the core's button id; adapters encode it as `nb:<id>`. */
export interface Button {
  id: string;
  label: string;
  /**
   * Pressing it opens a form pre-filled by the core (`ConversationIngress.formFor`) where the platform
   * has forms (a Discord modal); elsewhere the press reaches the core like any other.
   */
  form?: boolean;
}

export interface SendOptions {
  /** Platform message id to reply to. */
  replyTo?: string;
  /** Rows of buttons. */
  buttons?: Button[][];
  /** Mention this user id in the message (results in group chats). */
  mentionUserId?: string;
  /**
   * Only the person concerned needs to see this (a refusal, a quota notice): shown only to them where
   * the platform can (an ephemeral answer), else addressed to them (a mention, `mentionUserId`).
   */
  private?: boolean;
  /** Ask the user to answer by replying to this message (Telegram's force-reply), with a hint in the input field. */
  forceReply?: { placeholder: string };
}

export interface VideoPayload {
  path: string;
  /** Post the video by the platform's stored reference (`MessageRef.fileRef`) instead of uploading `path`. */
  fileRef?: string;
  sizeBytes: number;
  fileName: string;
  caption?: string;
  width?: number;
  height?: number;
  durationS?: number;
  /**
   * A JPEG of at most 320×320 px and 200 kB shown before the video plays (src/core/thumbnail.ts), for
   * an upload; a re-post by `fileRef` needs none. Made only for outboxes whose limits say `videoThumbnails`.
   */
  thumbnail?: Buffer;
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

/**
 * What went wrong with a platform call, in the words the core acts on:
 * - `rate_limited`: nothing was done; try again after `retryAfterMs`;
 * - `too_large`: the chat refused the file for its size (a link still works);
 * - `forbidden`: the bot may not do this here (no permission, blocked by the user);
 * - `not_found`: the chat or message is gone;
 * - `transient`: a 5xx, a timeout or a dropped connection; trying again later can work;
 * - `permanent`: any other refusal; trying again will not help.
 */
export type OutboxErrorKind = 'rate_limited' | 'too_large' | 'forbidden' | 'not_found' | 'transient' | 'permanent';

/**
 * The one error every outbox throws (adapters subclass it to keep their platform's details). Its
 * message is log-safe: no token, no payload.
 */
export class OutboxError extends Error {
  override name = 'OutboxError';
  readonly kind: OutboxErrorKind;
  /** How long the platform asked us to wait (`rate_limited`). */
  readonly retryAfterMs?: number;
  /**
   * A `transient` failure of a call that posts (a message, a video): the platform may have posted it
   * before the answer was lost, so repeating the call could post twice.
   */
  readonly mayHavePosted: boolean;

  constructor(kind: OutboxErrorKind, message: string, opts: { retryAfterMs?: number; mayHavePosted?: boolean } = {}) {
    super(message);
    this.kind = kind;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    this.mayHavePosted = kind === 'transient' && (opts.mayHavePosted ?? false);
  }

  /** Trying again later can work (`rate_limited`, `transient`). */
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'transient';
  }

  /** Trying the same call again later can work and cannot post twice. */
  get safeToRetry(): boolean {
    return this.retryable && !this.mayHavePosted;
  }
}

/** A video upload that broke off after it may have reached the chat: not repeated, and the user is told so. */
export class DeliveryUncertainError extends Error {
  override readonly name = 'DeliveryUncertainError';
  /** Without a cause: a previous run died while posting (its delivery record still read "sending"). */
  constructor(cause?: unknown) {
    super(cause === undefined ? 'a previous run was interrupted while posting the video' : 'the video upload broke off after it may have been posted', cause === undefined ? undefined : { cause });
  }
}

/** The kind of an outbox failure (`undefined` for anything that is not an `OutboxError`). */
export function outboxErrorKind(err: unknown): OutboxErrorKind | undefined {
  return err instanceof OutboxError ? err.kind : undefined;
}

/** The activity a chat indicator shows while work runs; each adapter shows it in its platform's way. */
export type ChatAction = 'working' | 'sending_video' | 'sending_file';

export interface OutboxLimits {
  /** Longest text message. */
  textMaxChars: number;
  /** Longest video caption. */
  captionMaxChars: number;
  /** Minimum time between two edits in one group chat or channel (the core's EditPacer applies it). */
  minEditIntervalMs: number;
  /** The same in a direct chat, when the platform allows faster (default: `minEditIntervalMs`). */
  minEditIntervalDirectMs?: number;
  /** Largest user file the bot can fetch (some platforms cap what a bot may download). */
  maxDownloadBytes: number;
  /** An uploaded video takes a JPEG thumbnail (`VideoPayload.thumbnail`): the core makes one only then. */
  videoThumbnails?: boolean;
}

export interface Outbox {
  readonly platform: Platform;
  readonly limits: OutboxLimits;
  /**
   * A private notice from a group may go to the person's direct chat with the bot, when they have one
   * (a platform that cannot show a message to one person only, but lets a bot write to whoever started
   * it: Telegram). Otherwise it stays in the group, marked `private`.
   */
  readonly directNotices?: boolean;
  sendText(target: ChatTarget, text: string, opts?: SendOptions): Promise<MessageRef>;
  /** Edit in place. An unchanged text ("message is not modified") is not an error. */
  editText(target: ChatTarget, ref: MessageRef, text: string, opts?: { buttons?: Button[][] }): Promise<void>;
  deleteMessage(target: ChatTarget, ref: MessageRef): Promise<void>;
  /**
   * Every method that fails throws an `OutboxError` (or a subclass) whose `kind` says what happened.
   *
   * Upload a video file. Must not post twice: never blindly retry a multipart upload that may have
   * succeeded (rate-limit answers, which say nothing was posted, may be retried).
   */
  sendVideo(target: ChatTarget, video: VideoPayload): Promise<MessageRef>;
  sendLink(target: ChatTarget, link: LinkPayload): Promise<MessageRef>;
  /** Typing / uploading indicator; best effort, never throws. */
  sendAction(target: ChatTarget, action: ChatAction): Promise<void>;
  /** Whether `userId` administers this chat (Telegram: the chat's admins), for platforms that must ask. */
  isAdmin?(target: ChatTarget, userId: string): Promise<boolean>;
  /** A moment as the platform shows a live relative time ("in 5 minutes"), when it has such a thing. */
  relativeTime?(atMs: number): string;
  /** Largest video this chat accepts as an attachment (it may depend on the chat). */
  maxUploadBytes(target: ChatTarget): Promise<number>;
  /** Turn a `platform` attachment ref into a download URL (`file://` for a file on this machine). The URL may hold a secret: never log or store it. */
  resolveAttachment(att: Attachment): Promise<{ url: string; headers?: Record<string, string> }>;
}

/** The outboxes a process can post through, by platform. */
export type OutboxRegistry = Partial<Record<Platform, Outbox>>;

/**
 * `outbox` with some members replaced (`overrides`) and every other one forwarded as it is, so a
 * wrapper (edit pacing, metrics) never drops a member added to the Outbox interface later.
 */
export function wrapOutbox(outbox: Outbox, overrides: Partial<Outbox> & Record<symbol, unknown>): Outbox {
  return new Proxy(outbox, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return (overrides as Record<string | symbol, unknown>)[prop];
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
