/** The one MIME ↔ extension table serves the core's type check, Telegram's file names and Nemo uploads. */
import { describe, expect, it } from 'vitest';
import { extensionOf, uploadName } from '../../src/core/attachments.js';
import { extensionForMime, mimeForExtension } from '../../src/media-types.js';
import { SUPPORTED_EXTENSIONS } from '../../src/nemo/types.js';

describe('media types', () => {
  it('maps every extension Nemo accepts to a MIME type, and that type back to the extension', () => {
    for (const ext of SUPPORTED_EXTENSIONS) {
      const mime = mimeForExtension(ext);
      expect(mime, ext).toBeDefined();
      expect(extensionForMime(mime!), ext).toBe(ext === 'jpeg' ? 'jpg' : ext);
    }
  });

  it('reads parameters and case, and knows aliases', () => {
    expect(extensionForMime('Image/JPEG; charset=binary')).toBe('jpg');
    expect(extensionForMime('image/jpg')).toBe('jpg');
    expect(extensionForMime('audio/x-wav')).toBe('wav');
    expect(extensionForMime('application/pdf')).toBeUndefined();
    expect(mimeForExtension('.JPEG')).toBe('image/jpeg');
    expect(mimeForExtension('m4a')).toBe('audio/mp4');
  });

  it('names a file that came without an extension from its MIME type', () => {
    expect(extensionOf({ name: 'photo', mimeType: 'image/webp' })).toBe('webp');
    expect(uploadName({ name: 'clip', mimeType: 'video/quicktime' })).toBe('clip.mov');
    expect(extensionOf({ name: 'voice', mimeType: 'audio/ogg' })).toBe('ogg');
  });
});
