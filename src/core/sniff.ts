/**
 * What a user's file really is, from its first bytes (`file-type`), checked against the extension its
 * name claims before anything is uploaded to Nemo. A file that lies (a `.exe` renamed `.mp4`, a text
 * file called `photo.png`) or is empty is refused with a catalogued answer, so nothing odd reaches
 * the backend. Containers that carry several of the accepted extensions count as one family.
 */
import { fileTypeFromFile } from 'file-type';
import { mimeForExtension } from '../media-types.js';

/** Extensions that share a container: a `.mov` that sniffs as `mp4` is fine. */
const FAMILIES: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['mp4', 'mov', 'm4a', 'm4v', '3gp', '3g2', 'qt']), // ISO base media file format
  new Set(['mkv', 'webm', 'mka']), // Matroska
  new Set(['jpg', 'jpeg']),
];

export type SniffResult = { ok: true } | { ok: false; reason: 'unrecognised' } | { ok: false; reason: 'mismatch'; actual: string };

/** Whether content sniffed as `actual` may carry the extension `claimed`. */
export function compatible(claimed: string, actual: string): boolean {
  const c = claimed.toLowerCase();
  const a = actual.toLowerCase();
  if (c === a) return true;
  if (FAMILIES.some((f) => f.has(c) && f.has(a))) return true;
  // Same MIME type under another name (mp3 ↔ mpga and the like).
  const cm = mimeForExtension(c);
  return cm !== undefined && cm === mimeForExtension(a);
}

/** Sniff the file at `path` (only its first bytes are read) and compare it with `claimedExt`. */
export async function sniffFile(path: string, claimedExt: string): Promise<SniffResult> {
  const found = await fileTypeFromFile(path);
  if (!found) return { ok: false, reason: 'unrecognised' };
  return compatible(claimedExt, found.ext) ? { ok: true } : { ok: false, reason: 'mismatch', actual: found.ext };
}

/** A user's file whose content is not what its name says (or is nothing we recognise). */
export class FileMismatchError extends Error {
  override readonly name = 'FileMismatchError';
  constructor(
    readonly fileName: string,
    /** The sniffed type, or undefined when the content is not recognised at all (empty, text, …). */
    readonly actual: string | undefined,
  ) {
    super(actual ? `"${fileName}" claims another type than its content (${actual})` : `"${fileName}" has no recognisable media content`);
  }
}

/** Throw FileMismatchError unless the file at `path` really is a `claimedExt`. */
export async function assertContentMatches(path: string, fileName: string, claimedExt: string): Promise<void> {
  const r = await sniffFile(path, claimedExt);
  if (!r.ok) throw new FileMismatchError(fileName, r.reason === 'mismatch' ? r.actual : undefined);
}
