/**
 * The export steps (job-machine.ts): state → ready check → render → poll (waits) → download →
 * deliver → clean up. Each returns its transition or a wait; the machine saves and moves lanes.
 *
 * The render id is chosen and saved before the POST, so a job resumed after a crash polls the
 * render it started instead of starting another. The video is posted at most once: a `delivered`
 * record in Redis reads "sending" during the upload and a timestamp after it; a run resumed after a
 * crash mid-upload says it cannot tell whether the video arrived instead of posting it again.
 */
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isReadyToExport } from '../nemo/draft.js';
import { NemoError } from '../nemo/errors.js';
import { formatBytes, t } from './i18n.js';
import { goTo, waitFor, type StepDeps, type StepOutcome } from './job-context.js';
import { resultButtons } from './replies.js';
import { DeliveryUncertainError, OutboxError, outboxErrorKind } from './outbox.js';
import { settleCost } from './costs.js';
import { recordResult } from './job-record.js';
import { readMp4Info } from './mp4-info.js';
import { videoThumbnail } from './thumbnail.js';
import { DELIVERED_TTL_S, MAX_DELIVER_RATE_LIMIT_WAITS, RENDER_POLL_FIRST_MS } from './defaults.js';
import { sessionKeyOf } from './account.js';

/** The `delivered` record while the video is being posted; a timestamp once it was. */
const SENDING = 'sending';

/** Step `export`: start the render (or find the one a crashed run started). */
export async function startRender(d: StepDeps): Promise<StepOutcome> {
  const { ctx, svc } = d;
  const session = await svc.sessions.get(sessionKeyOf(ctx.data));
  if (!session) {
    await d.outbox.sendText(d.target, t(d.target.lang, 'export.nothing'), { replyTo: ctx.data.replyTo });
    return goTo('done');
  }
  if (ctx.data.renderId && !ctx.data.renderStarted) {
    // Resumed between saving the id and confirming the POST: poll it first, never start it twice.
    try {
      await svc.nemo.pollRender(d.auth, ctx.data.renderId, ctx.signal);
      return goTo('poll', { renderStarted: true, renderPolls: 0 });
    } catch (err) {
      if (!(err instanceof NemoError && (err.kind === 'render_not_found' || err.status === 404))) throw err;
    }
  }
  await d.card.stage('stage.rendering', {});
  const state = await svc.nemo.getState(d.auth, session.sessionId);
  if (!isReadyToExport(state.draft)) {
    await d.outbox.sendText(d.target, t(d.target.lang, 'export.nothing'), { replyTo: ctx.data.replyTo });
    return goTo('done');
  }
  const renderId = ctx.data.renderId ?? svc.nemo.newRenderId();
  if (!ctx.data.renderId) await ctx.save({ renderId });
  const used = await svc.nemo.startRender(d.auth, {
    sessionId: session.sessionId,
    draft: state.draft!,
    renderId,
    signal: ctx.signal,
    onNewRenderId: (id) => ctx.save({ renderId: id }),
  });
  // The id is saved before the POST, so a crash before the transition is saved polls it (above).
  await svc.sessions.update(sessionKeyOf(ctx.data), { lastRenderId: used });
  return goTo('poll', { renderId: used, renderStarted: true, renderPolls: 0 }, waitFor(pollDelay(svc.config.RENDER_POLL_INTERVAL_MS, 0)));
}

/**
 * Time before poll number `n`: 5 s, 10 s, 20 s, then every RENDER_POLL_INTERVAL_MS (30 s by default,
 * the skill's cadence), so a quick render is not held back by a full interval.
 */
export function pollDelay(intervalMs: number, n: number): number {
  return Math.min(intervalMs, RENDER_POLL_FIRST_MS * 2 ** n);
}

/** Step `poll`: one status check of the render; waits between checks hold no worker slot. */
export async function poll(d: StepDeps): Promise<StepOutcome> {
  const { ctx, svc } = d;
  const renderId = ctx.data.renderId!;
  await d.card.maybeStillWorking();
  const status = await svc.nemo.pollRender(d.auth, renderId, ctx.signal);
  // A finished render goes to the transfer lane: its download and upload never wait behind turns or polls.
  if (status.status === 'completed') {
    // The cost is settled here, in the task lane: the transfer lane's few slots never wait on Nemo for it.
    await settleCost(svc, ctx, d.auth);
    return goTo('download', { outputUrl: status.outputUrl });
  }
  if (status.status === 'failed') {
    ctx.log.warn({ renderId, error: status.error }, 'render failed');
    if ((ctx.data.renderAttempt ?? 0) >= 1) throw new NemoError({ kind: 'render_failed', message: `render failed twice: ${status.error ?? 'unknown'}` });
    // One retry with a new id (the seed's rule), saved before the POST like the first one.
    return goTo('export', { renderAttempt: 1, renderId: undefined, renderStarted: false });
  }
  const polls = (ctx.data.renderPolls ?? 0) + 1;
  if (polls > svc.config.RENDER_MAX_POLLS) {
    // Stop it at Nemo too, so a render we gave up on is not left running (orphaned).
    await svc.nemo.cancelRender(d.auth, renderId).catch((err: unknown) => ctx.log.warn({ err, renderId }, 'could not cancel the timed-out render'));
    throw new NemoError({ kind: 'render_timeout', message: `render ${renderId} not done after ${polls} polls` });
  }
  await ctx.save({ renderPolls: polls });
  await d.card.stage('stage.rendering', { progress: status.progress });
  await d.outbox.sendAction(d.target, 'sending_video');
  return waitFor(pollDelay(svc.config.RENDER_POLL_INTERVAL_MS, polls));
}

/** Step `download`: fetch the rendered MP4 into a file of this run's own. */
export async function download(d: StepDeps): Promise<StepOutcome> {
  const { ctx, svc } = d;
  await d.card.stage('stage.downloading_result');
  // A file of this run's own: a second run of the job (after a lost lock) never clobbers or deletes it.
  const dest = path.join(svc.tempDir, `${ctx.id}-${ctx.data.renderId}-${randomBytes(4).toString('hex')}.mp4`);
  let res: { bytes: number };
  try {
    res = await d.card.during('sending_video', () =>
      svc.nemo.downloadRender(d.auth, {
        renderId: ctx.data.renderId!,
        outputUrl: ctx.data.outputUrl,
        destPath: dest,
        maxBytes: svc.config.DOWNLOAD_MAX_MB * 1024 * 1024,
        signal: ctx.signal,
      }),
    );
  } catch (err) {
    // Larger than this bot may fetch, but the render has a public URL: the user gets the link.
    if (err instanceof NemoError && err.kind === 'download_too_large' && ctx.data.outputUrl) {
      return goTo('deliver', { linkOnly: true });
    }
    throw err;
  }
  return goTo('deliver', { videoPath: dest, videoBytes: res.bytes });
}

/** Step `deliver`: post the video (or a link) at most once, then clean up. */
export async function deliver(d: StepDeps): Promise<StepOutcome> {
  const { ctx, svc, outbox, target } = d;
  const deliveredKey = svc.keys.delivered(`${ctx.id}-${ctx.data.renderId}`);
  const videoPath = ctx.data.videoPath;
  const record = await svc.redis.get(deliveredKey);
  if (record === SENDING) throw new DeliveryUncertainError(); // a run died while posting it
  if (record === null) {
    const size = ctx.data.linkOnly || !videoPath ? undefined : (ctx.data.videoBytes ?? (await stat(videoPath)).size);
    const limit = await outbox.maxUploadBytes(target);
    const buttons = await resultButtons(svc, ctx);
    const mention = target.isDirect ? undefined : target.userId;
    // The result says what the job cost and the balance left (with a warning when it runs low).
    const cost = await settleCost(svc, ctx, d.auth);
    await d.card.stage('stage.delivering');
    const sendLink = async () => {
      const url = ctx.data.outputUrl ?? (await projectLink(d));
      const text =
        size === undefined
          ? t(target.lang, 'result.link_unfetched', { limit: formatBytes(svc.config.DOWNLOAD_MAX_MB * 1024 * 1024) })
          : t(target.lang, 'result.link', { size: formatBytes(size), limit: formatBytes(limit) });
      await outbox.sendLink(target, { url, text: cost ? `${text}\n${cost}` : text, replyTo: ctx.data.replyTo, buttons, mentionUserId: mention });
      await recordResult(svc, ctx, { url });
    };
    // Not posted for sure (refused, rate limited, failed before sending): the record goes back to "not sent".
    const releaseUnlessPosted = async (err: unknown) => {
      if (!(err instanceof OutboxError && err.mayHavePosted)) await svc.redis.del(deliveredKey);
    };
    // Width, height and duration let the platform show the clip properly (not a 0:00 square tile), and so
    // does a picture before it plays (a frame, the input image or a poster). Made before the "sending"
    // record below: a crash meanwhile leaves a video that surely was not posted.
    const upload = videoPath !== undefined && size !== undefined && size <= limit;
    const info = upload ? await readMp4Info(videoPath) : {};
    const thumb = upload && outbox.limits.videoThumbnails ? await videoThumbnail(svc, sessionKeyOf(ctx.data), { path: videoPath, info }, ctx.log, ctx.signal) : undefined;
    // Taken atomically right before posting, so of two runs of one job (a crash, or a lock lost under
    // load) only one posts. Another run was posting (and died, or still is): the video may or may not
    // be in the chat; posting again could show it twice, so stop and tell the user (with Retry).
    if ((await svc.redis.set(deliveredKey, SENDING, 'EX', DELIVERED_TTL_S, 'NX')) !== 'OK') {
      if ((await svc.redis.get(deliveredKey)) === SENDING) throw new DeliveryUncertainError();
      return finishDelivery(videoPath);
    }
    if (videoPath && size !== undefined && size <= limit) {
      const caption = [t(target.lang, 'result.caption', { prompt: ctx.data.prompt.slice(0, 200) || undefined }), cost].filter(Boolean).join('\n');
      try {
        const ref = await d.card.during('sending_video', () =>
          outbox.sendVideo(target, {
            path: videoPath,
            sizeBytes: size,
            fileName: `nemo-${ctx.data.renderId}.mp4`,
            caption: caption.slice(0, outbox.limits.captionMaxChars),
            replyTo: ctx.data.replyTo,
            buttons,
            mentionUserId: mention,
            ...info,
            ...(thumb ? { thumbnail: thumb.bytes } : {}),
          }),
        );
        await recordResult(svc, ctx, { fileRef: ref.fileRef, url: ctx.data.outputUrl });
      } catch (err) {
        if (ctx.signal.aborted) throw err; // cancelled or shutting down: never fall back to a link
        await releaseUnlessPosted(err);
        const kind = outboxErrorKind(err);
        // The chat refused the file (too large for it after all, no permission to attach, or any other
        // refusal that posted nothing, like a type it would not take): a link still works.
        if (kind === 'too_large' || kind === 'forbidden' || kind === 'permanent') {
          ctx.log.warn({ err, kind }, 'video upload refused; posting a link instead');
          await sendLink();
        } else if (kind === 'rate_limited' && (ctx.data.deliverWaits ?? 0) < MAX_DELIVER_RATE_LIMIT_WAITS) {
          // Nothing was posted: wait as long as the platform asked (a delayed job, no slot held), then post.
          const waitMs = Math.max(1_000, (err as OutboxError).retryAfterMs ?? 1_000);
          ctx.log.warn({ waitMs }, 'video upload rate limited; posting after the wait');
          await ctx.save({ deliverWaits: (ctx.data.deliverWaits ?? 0) + 1 });
          return waitFor(waitMs);
        } else {
          // An upload that broke off (a 5xx, a timeout) may have reached the chat: never repeated, the user is told.
          if (err instanceof OutboxError && err.mayHavePosted) throw new DeliveryUncertainError(err);
          // transient: the queue retries it if it cannot have posted (failures.ts isTransient); anything else fails the job.
          throw err;
        }
      }
    } else {
      await sendLink().catch(async (err: unknown) => {
        await releaseUnlessPosted(err);
        throw err;
      });
    }
    await svc.redis.set(deliveredKey, String(Date.now()), 'EX', DELIVERED_TTL_S);
    await svc.sessions.update(sessionKeyOf(ctx.data), { lastVideoUrl: ctx.data.outputUrl, lastDeliveredAt: Date.now() });
  }
  return finishDelivery(videoPath);
}

async function finishDelivery(videoPath: string | undefined): Promise<StepOutcome> {
  if (videoPath) await rm(videoPath, { force: true });
  return goTo('done', { videoPath: undefined });
}

/** When the render came through the authenticated fallback, its URL is not shareable: link the project. */
async function projectLink(d: StepDeps): Promise<string> {
  const session = await d.svc.sessions.get(sessionKeyOf(d.ctx.data));
  if (session?.taskId) {
    const claim = await d.svc.nemo.claimLink(d.auth, { sessionId: session.sessionId, taskId: session.taskId }).catch(() => undefined);
    if (claim) return claim.url;
  }
  return d.svc.config.NEMO_WEB_URL;
}
