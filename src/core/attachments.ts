/**
 * Checks on incoming files before anything is queued, and links in text turned into uploads.
 *
 * Refusing early (wrong type, too large for the platform or for Nemo) means the user hears about it
 * within a second instead of after a download and a failed upload.
 */
import path from 'node:path';
import { extensionForMime } from '../media-types.js';
import { SUPPORTED_EXTENSIONS } from '../nemo/types.js';
import type { Attachment } from './message.js';
import { formatBytes, t } from './i18n.js';

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_EXTENSIONS);

/** The list users see: "mp4, mov, …". */
export const SUPPORTED_LIST = SUPPORTED_EXTENSIONS.filter((e) => e !== 'jpeg').join(', ');

/** The extension that decides the type: from the name, else from the MIME type. */
export function extensionOf(att: Pick<Attachment, 'name' | 'mimeType'>): string | undefined {
  const fromName = path.extname(att.name).slice(1).toLowerCase();
  if (/^[a-z0-9]{1,10}$/.test(fromName)) return fromName;
  return att.mimeType ? extensionForMime(att.mimeType) : undefined;
}

/** Control, format (bidi marks, zero-width) and lone-surrogate characters: never part of a name we use. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
const MAX_NAME_CHARS = 100;

/**
 * A user's file name made safe to show and to use: no directories (`../`, `C:\`), no control or
 * invisible characters, no leading dots, at most 100 characters (the extension kept). Applied once,
 * where a message enters the core.
 */
export function safeFileName(name: string): string {
  const base = (name.replace(INVISIBLE, '').split(/[\\/]/).pop() ?? '').replace(/^[\s.]+|[\s.]+$/g, '').replace(/\s+/g, ' ');
  if (!base) return 'file';
  if ([...base].length <= MAX_NAME_CHARS) return base;
  const ext = path.extname(base).slice(0, 12);
  return [...base.slice(0, base.length - ext.length)].slice(0, MAX_NAME_CHARS - ext.length).join('') + ext;
}

/** A file name Nemo will accept: keeps the user's name, adding the extension the MIME type implies. */
export function uploadName(att: Pick<Attachment, 'name' | 'mimeType'>): string {
  const base = path.basename(safeFileName(att.name)).replace(/[^\w.\- ]+/g, '_') || 'file';
  if (path.extname(base)) return base;
  const ext = extensionOf({ name: base, mimeType: att.mimeType });
  return ext ? `${base}.${ext}` : base;
}

export type AttachmentProblem =
  | { kind: 'unsupported'; att: Attachment }
  | { kind: 'platform_download'; att: Attachment }
  | { kind: 'nemo_size'; att: Attachment };

/** What to tell the user about the first problem with a batch of attachments; undefined when there is none. */
export function attachmentProblemText(atts: Attachment[], limits: { platformDownloadBytes: number; nemoUploadMb: number }, lang: string): string | undefined {
  const problem = checkAttachments(atts, { platformDownloadBytes: limits.platformDownloadBytes, nemoUploadBytes: limits.nemoUploadMb * 1024 * 1024 });
  if (!problem) return undefined;
  const fileName = problem.att.name;
  if (problem.kind === 'unsupported') return t(lang, 'error.unsupported_file', { fileName, types: SUPPORTED_LIST });
  if (problem.kind === 'nemo_size') return t(lang, 'error.file_too_large', { fileName, maxMb: limits.nemoUploadMb });
  return t(lang, 'refuse.platform_download', { fileName, size: formatBytes(problem.att.sizeBytes), maxMb: Math.round(limits.platformDownloadBytes / 1024 / 1024) });
}

/** The first problem with a batch of attachments, if any. */
export function checkAttachments(atts: Attachment[], limits: { platformDownloadBytes: number; nemoUploadBytes: number }): AttachmentProblem | undefined {
  for (const att of atts) {
    const ext = extensionOf(att);
    if (!ext || !SUPPORTED.has(ext)) return { kind: 'unsupported', att };
    if (att.sizeBytes !== undefined && att.sizeBytes > limits.nemoUploadBytes) return { kind: 'nemo_size', att };
    if (att.source.kind === 'platform' && att.sizeBytes !== undefined && att.sizeBytes > limits.platformDownloadBytes) {
      return { kind: 'platform_download', att };
    }
  }
  return undefined;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/**
 * http(s) links in the text that point at a supported media file become upload-by-URL attachments;
 * the links are left in the prompt too, so the agent knows what the user referred to.
 */
export function linkAttachments(text: string): Attachment[] {
  const out: Attachment[] = [];
  for (const raw of text.match(URL_RE) ?? []) {
    const url = raw.replace(/[),.;!?]+$/, '');
    let name: string;
    try {
      name = path.basename(new URL(url).pathname);
    } catch {
      continue;
    }
    const ext = path.extname(name).slice(1).toLowerCase();
    if (!SUPPORTED.has(ext)) continue;
    // Nemo fetches the link itself, except a .jpeg: the skill's list has only .jpg, so the bot downloads
    // it and uploads it as .jpg.
    out.push({ name, source: { kind: 'url', url }, byUrl: ext !== 'jpeg' });
  }
  return out;
}
