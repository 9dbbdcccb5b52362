/**
 * The Telegram outbox: how the core (bot or worker process) posts to Telegram.
 *
 * It needs only the token and grammY's `Api` — no Bot, no polling — so a worker can deliver a video
 * while another process holds the long poll. What it adds over raw Api calls, and why:
 * - replies thread under the user's message but never fail when that message is gone
 *   (`allow_sending_without_reply`), and forum topics get their `message_thread_id`;
 * - edits go out as asked ("not modified" is fine); their pacing is the core's EditPacer
 *   (src/core/edit-pacer.ts), at the rates stated in `limits`;
 * - videos upload from a path through an `InputFile` *supplier*, so the one retry a 429 allows
 *   re-opens the file instead of re-reading a consumed stream; nothing else retries an upload;
 * - every error leaving here is a scrubbed `TelegramApiError` (errors.ts): no token, no payload.
 */
import { createReadStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { InputFile, type Api } from 'grammy';
import type { ForceReply, InlineKeyboardMarkup, MessageEntity } from 'grammy/types';
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import type { Attachment } from '../../src/core/message.js';
import type { ChatAction, ChatTarget, MessageRef, Outbox, OutboxLimits, SendOptions } from '../../src/core/outbox.js';
import { t } from '../../src/core/i18n.js';
import { createApi } from './api.js';
import { isMessageGone, isNotModified, TelegramApiError, toTelegramError } from './errors.js';
import { inlineKeyboard } from './keyboard.js';

const MB = 1024 * 1024;
export const TEXT_MAX_CHARS = 4096;
export const CAPTION_MAX_CHARS = 1024;
/** Edit rate facts (the core's EditPacer applies them): ~20 edits a minute per group, about one a second in private chats. */
export const DEFAULT_EDIT_INTERVAL_MS = { group: 3_000, direct: 1_000 } as const;
/** Read size for video uploads: fewer, larger chunks through grammY's multipart stream (the default is 64 KiB). */
const UPLOAD_READ_CHUNK_BYTES = 256 * 1024;

export interface TelegramOutboxOptions {
  config: Config;
  logger: Logger;
  /** Override the edit rate facts stated in `limits` (tests). */
  editIntervalMs?: { group: number; direct: number };
  /** Use this Api instead of creating one (the bot process shares its own). */
  api?: Api;
}

export function createTelegramOutbox(opts: TelegramOutboxOptions): Outbox {
  const { config } = opts;
  const api = opts.api ?? createApi(config);
  const log = opts.logger.child({ component: 'telegram-outbox' });
  const pace = opts.editIntervalMs ?? DEFAULT_EDIT_INTERVAL_MS;
  const maxUploadBytes = config.TELEGRAM_MAX_UPLOAD_MB * MB;
  const limits: OutboxLimits = {
    textMaxChars: TEXT_MAX_CHARS,
    captionMaxChars: CAPTION_MAX_CHARS,
    minEditIntervalMs: pace.group,
    minEditIntervalDirectMs: pace.direct,
    maxDownloadBytes: config.TELEGRAM_MAX_DOWNLOAD_MB * MB,
    // sendVideo's `thumbnail`: without one Telegram shows a large clip as a blank tile.
    videoThumbnails: true,
  };

  async function sendMessage(target: ChatTarget, text: string, o: SendOptions, linkPreview: boolean): Promise<MessageRef> {
    // A private notice in a group names its person even as a reply (the reply may be to the bot's own message).
    const body = withMention(text, TEXT_MAX_CHARS, target, o.mentionUserId, o.private ? undefined : o.replyTo);
    const markup = inlineKeyboard(o.buttons) ?? forceReplyOf(o.forceReply);
    try {
      const m = await api.sendMessage(chatIdOf(target.chatId), body.text, {
        ...threadOf(target),
        ...replyOf(o.replyTo),
        ...(markup ? { reply_markup: markup } : {}),
        ...(body.entities ? { entities: body.entities } : {}),
        ...(linkPreview ? {} : { link_preview_options: { is_disabled: true } }),
      });
      return { chatId: target.chatId, messageId: String(m.message_id) };
    } catch (err) {
      throw toTelegramError(err, 'sendMessage');
    }
  }

  const outbox: Outbox = {
    platform: 'telegram',
    limits,
    // A bot may write to anyone who started it: a private notice from a group goes to their DM.
    directNotices: true,

    sendText: (target, text, o = {}) => sendMessage(target, text, o, false),

    async editText(_target, ref, text, o) {
      const body = truncate(text, TEXT_MAX_CHARS);
      const markup = inlineKeyboard(o?.buttons);
      try {
        // Without reply_markup Telegram removes the keyboard, which is what "no buttons" means.
        await api.editMessageText(chatIdOf(ref.chatId), Number(ref.messageId), body, {
          ...(markup ? { reply_markup: markup } : {}),
          link_preview_options: { is_disabled: true },
        });
      } catch (err) {
        if (isNotModified(err)) return;
        throw toTelegramError(err, 'editMessageText');
      }
    },

    async deleteMessage(_target, ref) {
      try {
        await api.deleteMessage(chatIdOf(ref.chatId), Number(ref.messageId));
      } catch (err) {
        if (isMessageGone(err)) {
          log.debug({ chatId: ref.chatId, messageId: ref.messageId }, 'telegram: message already gone, nothing to delete');
          return;
        }
        throw toTelegramError(err, 'deleteMessage');
      }
    },

    async sendVideo(target, video) {
      if (!video.fileRef && video.sizeBytes > maxUploadBytes) {
        throw new TelegramApiError('sendVideo', 413, `video of ${video.sizeBytes} bytes is over the ${maxUploadBytes}-byte upload limit`);
      }
      const caption = video.caption ? withMention(video.caption, CAPTION_MAX_CHARS, target, video.mentionUserId, video.replyTo) : undefined;
      const markup = inlineKeyboard(video.buttons);
      // A stored file_id posts the same video again without uploading (no size limit); otherwise a
      // supplier: each attempt (a 429 retry) opens the file afresh.
      const file = video.fileRef ?? new InputFile(() => createReadStream(video.path, { highWaterMark: UPLOAD_READ_CHUNK_BYTES }), safeFileName(video.fileName));
      // The "uploading video" indicator is the core's (StatusCard.during): one indicator, not two.
      try {
        const m = await api.sendVideo(chatIdOf(target.chatId), file, {
          supports_streaming: true,
          ...(video.width ? { width: Math.round(video.width) } : {}),
          ...(video.height ? { height: Math.round(video.height) } : {}),
          ...(video.durationS ? { duration: Math.max(1, Math.round(video.durationS)) } : {}),
          // Only with an upload (Telegram ignores a thumbnail otherwise); a Buffer can be sent again on a 429 retry.
          ...(video.thumbnail && !video.fileRef ? { thumbnail: new InputFile(video.thumbnail, 'thumb.jpg') } : {}),
          ...(caption ? { caption: caption.text } : {}),
          ...(caption?.entities ? { caption_entities: caption.entities } : {}),
          ...(markup ? { reply_markup: markup } : {}),
          ...threadOf(target),
          ...replyOf(video.replyTo),
          // A hung upload ends at a deadline that grows with the size (grammY's own is 500 s for any call).
          // grammY types its signal with the abort-controller polyfill; Node's is compatible at runtime.
        }, AbortSignal.timeout(config.TELEGRAM_UPLOAD_TIMEOUT_MS + Math.ceil(video.sizeBytes / (256 * 1024)) * 1000) as Parameters<Api['sendVideo']>[3]);
        return { chatId: target.chatId, messageId: String(m.message_id), ...(m.video?.file_id ? { fileRef: m.video.file_id } : {}) };
      } catch (err) {
        throw toTelegramError(err, 'sendVideo');
      }
    },

    sendLink(target, link) {
      const text = link.text.includes(link.url) ? link.text : `${link.text}\n${link.url}`;
      return sendMessage(target, text, { ...(link.replyTo ? { replyTo: link.replyTo } : {}), ...(link.buttons ? { buttons: link.buttons } : {}), ...(link.mentionUserId ? { mentionUserId: link.mentionUserId } : {}) }, true);
    },

    async sendAction(target, action) {
      try {
        await api.sendChatAction(chatIdOf(target.chatId), TELEGRAM_ACTIONS[action], threadOf(target));
      } catch (err) {
        log.debug({ err: toTelegramError(err, 'sendChatAction') }, 'telegram: chat action failed (ignored)');
      }
    },

    async maxUploadBytes() {
      return maxUploadBytes;
    },

    /** The chat's creator and administrators administer the bot there (/admin). */
    async isAdmin(target, userId) {
      if (!/^\d+$/.test(userId)) return false;
      try {
        const member = await api.getChatMember(chatIdOf(target.chatId), Number(userId));
        return member.status === 'creator' || member.status === 'administrator';
      } catch (err) {
        log.info({ err: toTelegramError(err, 'getChatMember') }, 'telegram: could not read a chat member; not treated as an admin');
        return false;
      }
    },

    async resolveAttachment(att: Attachment) {
      const src = att.source;
      if (src.kind === 'url') return { url: src.url };
      if (src.kind === 'path') return { url: pathToFileURL(src.path).href };
      let filePath: string | undefined;
      try {
        filePath = (await api.getFile(src.ref)).file_path;
      } catch (err) {
        throw toTelegramError(err, 'getFile');
      }
      if (!filePath) throw new TelegramApiError('getFile', undefined, 'Telegram returned no file_path (file unavailable)');
      // A local Bot API server (--local) answers with an absolute path on its own disk.
      if (filePath.startsWith('/')) return { url: pathToFileURL(filePath).href };
      // This URL contains the bot token: it goes to the downloader only, never to a log.
      return { url: `${config.TELEGRAM_API_ROOT}/file/bot${config.TELEGRAM_BOT_TOKEN}/${encodeURI(filePath)}` };
    },
  };
  return outbox;
}

/** Ask for a reply (Remix): selective, so in a group only the mentioned or replied-to user is asked. */
function forceReplyOf(o: SendOptions['forceReply']): ForceReply | undefined {
  return o ? { force_reply: true, selective: true, input_field_placeholder: o.placeholder.slice(0, 64) } : undefined;
}

/** The core's chat activities in the Bot API's words. */
const TELEGRAM_ACTIONS = { working: 'typing', sending_video: 'upload_video', sending_file: 'upload_document' } as const satisfies Record<ChatAction, string>;

// ---- helpers (exported for tests) --------------------------------------------------------------

/** Telegram chat ids are integers (negative for groups); keep `@channel` names as strings. */
export function chatIdOf(chatId: string): number | string {
  return /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
}

function threadOf(target: ChatTarget): { message_thread_id?: number } {
  return target.threadId && /^\d+$/.test(target.threadId) ? { message_thread_id: Number(target.threadId) } : {};
}

/** Reply to a platform message id when we have one (button presses and albums have none of their own). */
function replyOf(replyTo: string | undefined): { reply_parameters?: { message_id: number; allow_sending_without_reply: boolean } } {
  return replyTo && /^\d+$/.test(replyTo) ? { reply_parameters: { message_id: Number(replyTo), allow_sending_without_reply: true } } : {};
}

/** Cut to `max` UTF-16 units (Telegram's count) without splitting a surrogate pair, marking the cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * In a group, notify the requester: a reply to their message already does, otherwise prefix an
 * inline mention (`tg://user?id=`) so the result pings them.
 */
export function withMention(text: string, max: number, target: ChatTarget, userId: string | undefined, replyTo: string | undefined): { text: string; entities?: MessageEntity[] } {
  if (!userId || target.isDirect || (replyTo && /^\d+$/.test(replyTo)) || !/^\d+$/.test(userId)) return { text: truncate(text, max) };
  const mark = t(target.lang, 'mention.mark');
  return {
    text: truncate(`${mark} ${text}`, max),
    entities: [{ type: 'text_link', offset: 0, length: mark.length, url: `tg://user?id=${userId}` }],
  };
}

/** grammY writes the name unquoted into the multipart header: keep it to safe characters. */
export function safeFileName(name: string): string {
  const clean = name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '');
  return clean || 'video.mp4';
}


