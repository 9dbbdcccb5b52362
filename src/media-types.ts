/**
 * The one table of media types: MIME type ↔ file extension, for naming incoming files that came
 * without a name (Telegram photos, voice notes), deciding a file's type when its name says nothing,
 * and labelling the parts of an upload to Nemo.
 *
 * The first MIME type listed for an extension is the one sent with it.
 */
const MEDIA_TYPES: ReadonlyArray<readonly [mime: string, ext: string]> = [
  ['video/mp4', 'mp4'],
  ['video/quicktime', 'mov'],
  ['video/x-msvideo', 'avi'],
  ['video/webm', 'webm'],
  ['video/x-matroska', 'mkv'],
  ['image/jpeg', 'jpg'],
  ['image/jpg', 'jpg'],
  ['image/png', 'png'],
  ['image/gif', 'gif'],
  ['image/webp', 'webp'],
  ['audio/mpeg', 'mp3'],
  ['audio/mp3', 'mp3'],
  ['audio/wav', 'wav'],
  ['audio/x-wav', 'wav'],
  ['audio/mp4', 'm4a'],
  ['audio/x-m4a', 'm4a'],
  ['audio/aac', 'aac'],
  // Not a type Nemo takes, but a voice note keeps its real extension so the refusal names it.
  ['audio/ogg', 'ogg'],
];

/** Other spellings of an extension. */
const EXTENSION_ALIASES: Readonly<Record<string, string>> = { jpeg: 'jpg' };

const EXT_BY_MIME = new Map(MEDIA_TYPES.map(([mime, ext]) => [mime, ext]));
const MIME_BY_EXT = new Map<string, string>();
for (const [mime, ext] of MEDIA_TYPES) if (!MIME_BY_EXT.has(ext)) MIME_BY_EXT.set(ext, mime);

/** `image/jpeg; charset=…` → `jpg`; undefined for a type not in the table. */
export function extensionForMime(mimeType: string): string | undefined {
  return EXT_BY_MIME.get(mimeType.toLowerCase().split(';')[0]!.trim());
}

/** `jpg` / `.JPEG` → `image/jpeg`; undefined for an extension not in the table. */
export function mimeForExtension(ext: string): string | undefined {
  const e = ext.replace(/^\./, '').toLowerCase();
  return MIME_BY_EXT.get(EXTENSION_ALIASES[e] ?? e);
}
