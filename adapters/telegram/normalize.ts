/**
 * Telegram update → `IncomingMessage`, as pure functions.
 *
 * Everything the core needs to decide is computed here from the update alone, so it is unit-testable
 * without a network: who the message is for (privacy mode: in groups only mentions, replies to the
 * bot and commands reach us, and we also drop what is plainly meant for someone else), which
 * conversation it belongs to (chat, plus the forum topic), the command, and the files as `file_id`
 * refs (never URLs: a Telegram file URL contains the bot token).
 */
import type { CallbackQuery, Message, MessageEntity, PhotoSize, Update } from 'grammy/types';
import { BUTTON_PREFIX, conversationKey, type Attachment, type IncomingMessage } from '../../src/core/message.js';
import { parseCommand } from './commands.js';
import { extensionForMime } from '../../src/media-types.js';
import { isReadableUpdate } from './update-shape.js';

/** The two facts about ourselves that addressing depends on (from getMe). */
export interface BotIdentity {
  id: number;
  username: string;
}

/** One part of an album, normalized on its own; `addressed` is decided for the whole album later. */
export interface AlbumPart {
  message: IncomingMessage;
  addressed: boolean;
}

export type Normalized =
  | { kind: 'message'; message: IncomingMessage }
  | { kind: 'album-part'; mediaGroupId: string; part: AlbumPart }
  /** A button press: always answered; `message` is absent when it is not one of our `nb:` buttons. */
  | { kind: 'button'; callbackQueryId: string; message?: IncomingMessage }
  | { kind: 'ignore'; reason: string };

type ChatMessage = Message & { chat: { type: 'private' | 'group' | 'supergroup' } };

export function normalizeUpdate(update: Update, bot: BotIdentity, now = Date.now()): Normalized {
  if (!isReadableUpdate(update)) return { kind: 'ignore', reason: 'malformed update' };
  if (update.callback_query) return normalizeCallback(update.callback_query, now);
  const msg = update.message;
  if (!msg) return { kind: 'ignore', reason: 'unsupported update type' };
  if (!msg.from || msg.from.is_bot) return { kind: 'ignore', reason: 'not from a human user' };
  return normalizeMessage(msg as ChatMessage, bot, now);
}

function normalizeMessage(msg: ChatMessage, bot: BotIdentity, now: number): Normalized {
  const from = msg.from!;
  const rawText = msg.text ?? msg.caption ?? '';
  const entities = msg.entities ?? msg.caption_entities ?? [];
  const isDirect = msg.chat.type === 'private';
  const parsed = parseCommand(rawText, bot.username);
  if (parsed?.forOtherBot) return { kind: 'ignore', reason: 'command for another bot' };

  const mentioned = entities.some((e) => isOurMention(e, rawText, bot));
  const repliedToUs = isRealReplyToBot(msg, bot);
  // In groups every bot sees "/start"; an unknown bare command is someone else's business.
  const commandForUs = parsed !== undefined && (parsed.known || parsed.explicitTarget);
  const addressed = mentioned || repliedToUs || commandForUs;

  const attachments = attachmentsOf(msg);
  const text = cleanText(rawText, entities, bot, parsed?.explicitTarget === true);
  if (!text && attachments.length === 0) return { kind: 'ignore', reason: 'nothing to read (sticker, service message, ...)' };

  const threadId = msg.is_topic_message && msg.message_thread_id !== undefined ? String(msg.message_thread_id) : undefined;
  const chatId = String(msg.chat.id);
  const message: IncomingMessage = {
    platform: 'telegram',
    conversationKey: conversationKey('telegram', chatId, threadId),
    scopeId: conversationKey('telegram', chatId), // admin settings are per chat (all its topics)
    chatId,
    ...(threadId !== undefined ? { threadId } : {}),
    userId: String(from.id),
    userName: displayName(from),
    messageId: String(msg.message_id),
    text,
    attachments,
    replyToMessageId: String(msg.message_id),
    ...(from.language_code ? { locale: from.language_code } : {}),
    isDirect,
    ...('title' in msg.chat && msg.chat.title ? { chatTitle: msg.chat.title } : {}),
    mentionsBot: addressed,
    ...(parsed?.known ? { command: { name: parsed.name, args: parsed.args } } : {}),
    receivedAt: now,
  };
  if (msg.media_group_id) return { kind: 'album-part', mediaGroupId: msg.media_group_id, part: { message, addressed: isDirect || addressed } };
  if (!isDirect && !addressed) return { kind: 'ignore', reason: 'group message not addressed to the bot' };
  return { kind: 'message', message };
}

function normalizeCallback(cq: CallbackQuery, now: number): Normalized {
  const m = cq.message;
  const data = cq.data ?? '';
  if (!m || !data.startsWith(BUTTON_PREFIX) || m.chat.type === 'channel' || cq.from.is_bot) {
    return { kind: 'button', callbackQueryId: cq.id };
  }
  // An inaccessible (old) message has date 0 and no thread fields; chat and id are still there.
  const threadId = 'is_topic_message' in m && m.is_topic_message && m.message_thread_id !== undefined ? String(m.message_thread_id) : undefined;
  const chatId = String(m.chat.id);
  return {
    kind: 'button',
    callbackQueryId: cq.id,
    message: {
      platform: 'telegram',
      conversationKey: conversationKey('telegram', chatId, threadId),
      scopeId: conversationKey('telegram', chatId),
      chatId,
      ...(threadId !== undefined ? { threadId } : {}),
      userId: String(cq.from.id),
      userName: displayName(cq.from),
      messageId: `cb-${cq.id}`,
      text: '',
      attachments: [],
      // The acknowledgement replies to the message whose button was pressed.
      replyToMessageId: String(m.message_id),
      ...(cq.from.language_code ? { locale: cq.from.language_code } : {}),
      isDirect: m.chat.type === 'private',
      ...('title' in m.chat && m.chat.title ? { chatTitle: m.chat.title } : {}),
      mentionsBot: true,
      button: { id: data.slice(BUTTON_PREFIX.length) },
      receivedAt: now,
    },
  };
}

/**
 * Merge the parts of an album into one message: all files in message order, the one caption (and
 * its command), replying to the first part. Undefined when no part is for the bot (a group album
 * that nobody addressed to us).
 */
export function mergeAlbum(mediaGroupId: string, parts: AlbumPart[]): IncomingMessage | undefined {
  if (parts.length === 0 || !parts.some((p) => p.addressed)) return undefined;
  const sorted = [...parts].sort((a, b) => Number(a.message.messageId) - Number(b.message.messageId));
  const first = sorted[0]!.message;
  const captioned = sorted.find((p) => p.message.text)?.message;
  const { command: _ignored, ...base } = first;
  return {
    ...base,
    messageId: `album-${mediaGroupId}`,
    text: captioned?.text ?? '',
    attachments: sorted.flatMap((p) => p.message.attachments),
    ...(captioned?.command ? { command: captioned.command } : {}),
    mentionsBot: sorted.some((p) => p.message.mentionsBot),
    replyToMessageId: first.replyToMessageId ?? first.messageId,
    receivedAt: Math.max(...sorted.map((p) => p.message.receivedAt)),
  };
}

// ---- attachments -------------------------------------------------------------------------------

interface FileLike {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
}

/** Files of one message: the largest photo size; documents, videos, animations, audio, voice, video notes. */
export function attachmentsOf(msg: Message): Attachment[] {
  const out: Attachment[] = [];
  if (msg.photo?.length) {
    const p = largestPhoto(msg.photo);
    out.push(platformFile(p, `photo_${p.file_unique_id}.jpg`, 'image/jpeg'));
  }
  // An animation message also carries the same file as `document` for old clients: count it once.
  if (msg.animation) out.push(namedFile(msg.animation, 'animation', 'video/mp4'));
  else if (msg.document) out.push(namedFile(msg.document, 'document'));
  if (msg.video) out.push(namedFile(msg.video, 'video', 'video/mp4'));
  if (msg.audio) out.push(namedFile(msg.audio, 'audio', 'audio/mpeg'));
  // Voice notes and round videos are passed on so the core can explain what it supports.
  if (msg.voice) out.push(namedFile(msg.voice, 'voice', 'audio/ogg'));
  if (msg.video_note) out.push(namedFile(msg.video_note, 'video_note', 'video/mp4'));
  return out;
}

/** Largest by pixel count (Telegram lists sizes ascending, but we do not rely on the order). */
export function largestPhoto(sizes: PhotoSize[]): PhotoSize {
  return sizes.reduce((best, s) => (s.width * s.height > best.width * best.height ? s : best));
}

function namedFile(f: FileLike, kind: string, defaultMime?: string): Attachment {
  const mime = f.mime_type ?? defaultMime;
  const ext = mime ? extensionForMime(mime) : undefined;
  const name = f.file_name?.trim() || `${kind}_${f.file_unique_id}${ext ? `.${ext}` : ''}`;
  return platformFile(f, name, mime);
}

function platformFile(f: { file_id: string; file_size?: number }, name: string, mimeType: string | undefined): Attachment {
  return {
    name,
    ...(mimeType ? { mimeType } : {}),
    ...(f.file_size !== undefined ? { sizeBytes: f.file_size } : {}),
    source: { kind: 'platform', ref: f.file_id },
  };
}

// ---- addressing and text --------------------------------------------------------------------------

function isOurMention(e: MessageEntity, text: string, bot: BotIdentity): boolean {
  if (e.type === 'text_mention') return e.user.id === bot.id;
  if (e.type !== 'mention') return false;
  return text.slice(e.offset, e.offset + e.length).toLowerCase() === `@${bot.username.toLowerCase()}`;
}

/**
 * A reply to one of our messages. In forum topics every message carries `reply_to_message` pointing
 * at the topic's creation message; that is not a reply to anyone.
 */
function isRealReplyToBot(msg: Message, bot: BotIdentity): boolean {
  const r = msg.reply_to_message;
  if (!r || r.from?.id !== bot.id) return false;
  return !(msg.is_topic_message && r.message_id === msg.message_thread_id);
}

/** The text without our own @mention (and without `@botname` after a command), whitespace tidied. */
function cleanText(text: string, entities: MessageEntity[], bot: BotIdentity, commandHasTarget: boolean): string {
  let out = text;
  const ours = entities.filter((e) => e.type === 'mention' && isOurMention(e, text, bot)).sort((a, b) => b.offset - a.offset);
  for (const e of ours) out = out.slice(0, e.offset) + out.slice(e.offset + e.length);
  if (commandHasTarget) out = out.replace(new RegExp(`^(/[A-Za-z0-9_]+)@${bot.username}\\b`, 'i'), '$1');
  return out.replace(/[ \t]+/g, ' ').replace(/^\s+|\s+$/g, '');
}

function displayName(u: { first_name: string; last_name?: string; username?: string }): string {
  return u.username ?? [u.first_name, u.last_name].filter(Boolean).join(' ');
}
