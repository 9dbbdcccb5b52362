/**
 * A turn's files go to Nemo before its message: platform files are fetched to disk and uploaded,
 * links are handed over by URL. Saved as done before the message is sent, so a resumed turn does not
 * upload twice.
 */
import { extensionOf } from './attachments.js';
import { fetchInput, removeInputs, type LocalInput } from './inputs.js';
import { assertContentMatches } from './sniff.js';
import { rememberInputThumbnail } from './thumbnail.js';
import { sessionKeyOf } from './account.js';
import type { StepDeps } from './job-context.js';
import type { SessionRecord } from './sessions.js';

export async function uploadIfNeeded(d: StepDeps, session: SessionRecord): Promise<void> {
  const { ctx, svc } = d;
  if (ctx.data.uploaded || ctx.data.attachments.length === 0) return;
  const byUrl = ctx.data.attachments.filter((a) => a.byUrl && a.source.kind === 'url');
  const files = ctx.data.attachments.filter((a) => !(a.byUrl && a.source.kind === 'url'));
  const inputs: LocalInput[] = [];
  let thumbnailDone: Promise<void> | undefined;
  try {
    if (files.length) {
      await d.card.stage('stage.downloading');
      const max = svc.config.NEMO_UPLOAD_MAX_MB * 1024 * 1024;
      for (const att of files) {
        const input = await fetchInput(att, d.outbox, svc.tempDir, max, ctx.signal);
        inputs.push(input);
        // The first bytes must agree with the name: a lying or empty file never reaches Nemo.
        await assertContentMatches(input.path, att.name, extensionOf(att) ?? '');
      }
      await d.card.stage('stage.uploading');
      // The input image's thumbnail (for this project's videos) is made in its thread during the upload, from the files still here.
      const thumb = rememberInputThumbnail(svc, sessionKeyOf(ctx.data), session.sessionId, inputs, ctx.log);
      try {
        await d.card.during('sending_file', () =>
          svc.nemo.uploadFiles(d.auth, session.sessionId, inputs.map((i) => ({ path: i.path, name: i.name, mimeType: i.mimeType })), ctx.signal),
        );
      } finally {
        // Never rejects, and nobody waits for it: the files are removed once it is done (below).
        thumbnailDone = thumb;
      }
    }
    if (byUrl.length) {
      await d.card.stage('stage.uploading');
      await svc.nemo.uploadUrls(d.auth, session.sessionId, byUrl.map((a) => (a.source as { url: string }).url), ctx.signal);
    }
  } finally {
    // The input image's thumbnail may still be in the thumbnail thread's line: its files go once it is done.
    if (thumbnailDone) void thumbnailDone.then(() => removeInputs(inputs));
    else await removeInputs(inputs);
  }
  await ctx.save({ uploaded: true });
}
