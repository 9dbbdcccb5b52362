/**
 * Who and how the core answers for one incoming message: its chat target (in the user's language),
 * how a private notice is sent, and the status card's first lines (what was understood).
 */
import { formatBytes, t } from './i18n.js';
import type { JobKind } from './job-data.js';
import { sessionLanguage, uiLanguage } from './language.js';
import type { Attachment, IncomingMessage } from './message.js';
import type { ChatTarget, SendOptions } from './outbox.js';

/** How a refusal or quota notice is sent: to the person concerned only. */
export function privateNotice(msg: IncomingMessage): SendOptions {
  return { replyTo: msg.replyToMessageId, private: true, ...(msg.isDirect ? {} : { mentionUserId: msg.userId }) };
}

/**
 * Where answers to `msg` go, in the user's language: `lang` when one was chosen (/lang, an admin's
 * default), else the message's (falling back to the locale), as the skill takes it.
 */
export function targetFor(msg: IncomingMessage, defaultLanguage: string, lang?: string): ChatTarget {
  return {
    platform: msg.platform,
    conversationKey: msg.conversationKey,
    chatId: msg.chatId,
    threadId: msg.threadId,
    userId: msg.userId,
    isDirect: msg.isDirect,
    lang: lang ?? uiLanguage(msg.text, msg.locale),
    language: sessionLanguage(msg.text, msg.locale, defaultLanguage),
    platformMeta: msg.platformMeta,
  };
}

/** The first lines of the status card: what was understood. */
export function headerFor(kind: JobKind, lang: string, prompt: string, attachments: Attachment[]): string {
  if (kind === 'export') return t(lang, 'ack.export');
  if (kind === 'credits') return t(lang, 'ack.credits');
  if (kind === 'status') return t(lang, 'ack.status');
  if (kind === 'open') return t(lang, 'ack.open');
  const lines = [prompt.trim() ? t(lang, 'ack.turn') : t(lang, 'ack.upload')];
  for (const a of attachments.slice(0, 10)) {
    const type = /^video|\.(mp4|mov|avi|webm|mkv)$/i.test(a.mimeType ?? a.name) ? 'video' : /^audio|\.(mp3|wav|m4a|aac)$/i.test(a.mimeType ?? a.name) ? 'audio' : a.byUrl ? 'link' : 'image';
    lines.push(t(lang, 'ack.file', { type, name: a.name, size: a.sizeBytes !== undefined ? formatBytes(a.sizeBytes) : undefined }));
  }
  const p = prompt.trim();
  if (p) lines.push(t(lang, 'ack.prompt', { prompt: p.length > 200 ? `${p.slice(0, 199)}…` : p }));
  return lines.join('\n');
}
