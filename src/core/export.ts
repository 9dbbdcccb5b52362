/**
 * Export: state → ready check → render → poll (delayed jobs) → download → deliver → clean up.
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
import { DeliveryUnsureError } from './failures.js';
import { formatBytes, t } from './i18n.js';
import type { StepDeps } from './job-context.js';
import { resultButtons } from './replies.js';
import { followLane } from './lanes.js';
import { OutboxError, outboxErrorKind } from './outbox.js';
import { DELIVERED_TTL_S, MAX_DELIVER_RATE_LIMIT_WAITS, RENDER_POLL_FIRST_MS } from './defaults.js';

/** The `delivered` record while the video is being posted; a timestamp once it was. */
const SENDING = 'sending';

/** Runs the export steps from wherever the job is; returns when the video was delivered. */
export async function runExportSteps(d: StepDeps): Promise<void> {
  const { ctx } = d;
  await followLane(ctx);
  if (ctx.data.step === 'export') await startRender(d);
  if (ctx.data.step === 'poll') await poll(d);
  // A finished render goes to the transfer lane: its download and upload never wait behind turns or polls.
  await followLane(ctx);
  if (ctx.data.step === 'download') await download(d);
  if (ctx.data.step === 'deliver') await deliver(d);
}

async function startRender(d: StepDeps): Promise<void> {
  const { ctx, svc } = d;
  const session = await svc.sessions.get(ctx.data.conv);
  if (!session) {
    await d.outbox.sendText(d.target, t(d.target.lang, 'export.nothing'), { replyTo: ctx.data.replyTo });
    await ctx.save({ step: 'done' });
    return;
  }
  if (ctx.data.renderId && !ctx.data.renderStarted) {
    // Resumed between saving the id and confirming the POST: poll it first, never start it twice.
    try {
      await svc.nemo.pollRender(d.auth, ctx.data.renderId, ctx.signal);
      await ctx.save({ renderStarted: true, step: 'poll', renderPolls: 0 });
      return;
    } catch (err) {
      if (!(err instanceof NemoError && (err.kind === 'render_not_found' || err.status === 404))) throw err;
    }
  }
  await d.card.stage('stage.rendering', {});
  const state = await svc.nemo.getState(d.auth, session.sessionId);
  if (!isReadyToExport(state.draft)) {
    await d.outbox.sendText(d.target, t(d.target.lang, 'export.nothing'), { replyTo: ctx.data.replyTo });
    await ctx.save({ step: 'done' });
    return;
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
  await ctx.save({ renderId: used, renderStarted: true, step: 'poll', renderPolls: 0 });
  await svc.sessions.update(ctx.data.conv, { lastRenderId: used });
  await ctx.waitFor(pollDelay(svc, 0));
}

/**
 * Time before poll number `n`: 5 s, 10 s, 20 s, then every RENDER_POLL_INTERVAL_MS (30 s by default,
 * the skill's cadence), so a quick render is not held back by a full interval.
 */
function pollDelay(svc: StepDeps['svc'], n: number): number {
  return Math.min(svc.config.RENDER_POLL_INTERVAL_MS, RENDER_POLL_FIRST_MS * 2 ** n);
}

async function poll(d: StepDeps): Promise<void> {
  const { ctx, svc } = d;
  const renderId = ctx.data.renderId!;
  await d.card.maybeStillWorking();
  const status = await svc.nemo.pollRender(d.auth, renderId, ctx.signal);
  if (status.status === 'completed') {
    await ctx.save({ outputUrl: status.outputUrl, step: 'download' });
    return;
  }
  if (status.status === 'failed') {
    ctx.log.warn({ renderId, error: status.error }, 'render failed');
    if ((ctx.data.renderAttempt ?? 0) >= 1) throw new NemoError({ kind: 'render_failed', message: `render failed twice: ${status.error ?? 'unknown'}` });
    // One retry with a new id (the seed's rule), saved before the POST like the first one.
    await ctx.save({ renderAttempt: 1, renderId: undefined, renderStarted: false, step: 'export' });
    await startRender(d);
    return;
  }
  const polls = (ctx.data.renderPolls ?? 0) + 1;
  if (polls > svc.config.RENDER_MAX_POLLS) throw new NemoError({ kind: 'render_timeout', message: `render ${renderId} not done after ${polls} polls` });
  await ctx.save({ renderPolls: polls });
  await d.card.stage('stage.rendering', { progress: status.progress });
  await d.outbox.sendAction(d.target, 'sending_video');
  await ctx.waitFor(pollDelay(svc, polls));
}

async function download(d: StepDeps): Promise<void> {
  const { ctx, svc } = d;
  await d.card.stage('stage.downloading_result');
  // A file of this run's own: a second run of the job (after a lost lock) never clobbers or deletes it.
  const dest = path.join(svc.tempDir, `${ctx.id}-${ctx.data.renderId}-${randomBytes(4).toString('hex')}.mp4`);
  const res = await d.card.during('sending_video', () =>
    svc.nemo.downloadRender(d.auth, {
      renderId: ctx.data.renderId!,
      outputUrl: ctx.data.outputUrl,
      destPath: dest,
      maxBytes: svc.config.DOWNLOAD_MAX_MB * 1024 * 1024,
      signal: ctx.signal,
    }),
  );
  await ctx.save({ videoPath: dest, videoBytes: res.bytes, step: 'deliver' });
}

async function deliver(d: StepDeps): Promise<void> {
  const { ctx, svc, outbox, target } = d;
  const deliveredKey = svc.keys.delivered(`${ctx.id}-${ctx.data.renderId}`);
  const videoPath = ctx.data.videoPath!;
  const record = await svc.redis.get(deliveredKey);
  if (record === SENDING) throw new DeliveryUnsureError(); // a run died while posting it
  if (record === null) {
    const size = ctx.data.videoBytes ?? (await stat(videoPath)).size;
    const limit = await outbox.maxUploadBytes(target);
    const buttons = await resultButtons(svc, ctx);
    const mention = target.isDirect ? undefined : target.userId;
    await d.card.stage('stage.delivering');
    const sendLink = async () =>
      outbox.sendLink(target, {
        url: ctx.data.outputUrl ?? (await projectLink(d)),
        text: t(target.lang, 'result.link', { size: formatBytes(size), limit: formatBytes(limit) }),
        replyTo: ctx.data.replyTo,
        buttons,
        mentionUserId: mention,
      });
    // Taken atomically right before posting, so of two runs of one job (a crash, or a lock lost under
    // load) only one posts. Another run was posting (and died, or still is): the video may or may not
    // be in the chat; posting again could show it twice, so stop and tell the user (with Retry).
    if ((await svc.redis.set(deliveredKey, SENDING, 'EX', DELIVERED_TTL_S, 'NX')) !== 'OK') {
      if ((await svc.redis.get(deliveredKey)) === SENDING) throw new DeliveryUnsureError();
      return finishDelivery(d, videoPath);
    }
    if (size <= limit) {
      const caption = t(target.lang, 'result.caption', { prompt: ctx.data.prompt.slice(0, 200) || undefined });
      try {
        await d.card.during('sending_video', () =>
          outbox.sendVideo(target, {
            path: videoPath,
            sizeBytes: size,
            fileName: `nemo-${ctx.data.renderId}.mp4`,
            caption: caption.slice(0, outbox.limits.captionMaxChars),
            replyTo: ctx.data.replyTo,
            buttons,
            mentionUserId: mention,
          }),
        );
      } catch (err) {
        if (ctx.isControlFlow(err)) throw err;
        // Not posted for sure (refused, rate limited, failed before sending): the record goes back to "not sent".
        if (!(err instanceof OutboxError && err.mayHavePosted)) await svc.redis.del(deliveredKey);
        const kind = outboxErrorKind(err);
        // The chat refused the file (too large for it after all, or no permission to attach): a link still works.
        if (kind === 'too_large' || kind === 'forbidden') {
          ctx.log.warn({ err, kind }, 'video upload refused; posting a link instead');
          await sendLink();
        } else if (kind === 'rate_limited' && (ctx.data.deliverWaits ?? 0) < MAX_DELIVER_RATE_LIMIT_WAITS) {
          // Nothing was posted: wait as long as the platform asked (a delayed job, no slot held), then post.
          const waitMs = Math.max(1_000, (err as OutboxError).retryAfterMs ?? 1_000);
          ctx.log.warn({ waitMs }, 'video upload rate limited; posting after the wait');
          await ctx.save({ deliverWaits: (ctx.data.deliverWaits ?? 0) + 1 });
          return ctx.waitFor(waitMs);
        } else {
          // transient: the queue retries it if it cannot have posted (failures.ts isTransient); anything else fails the job.
          throw err;
        }
      }
    } else {
      await sendLink();
    }
    await svc.redis.set(deliveredKey, String(Date.now()), 'EX', DELIVERED_TTL_S);
    await svc.sessions.update(ctx.data.conv, { lastVideoUrl: ctx.data.outputUrl, lastDeliveredAt: Date.now() });
  }
  await finishDelivery(d, videoPath);
}

async function finishDelivery(d: StepDeps, videoPath: string): Promise<void> {
  await rm(videoPath, { force: true });
  await d.ctx.save({ step: 'done', videoPath: undefined });
}

/** When the render came through the authenticated fallback, its URL is not shareable: link the project. */
async function projectLink(d: StepDeps): Promise<string> {
  const session = await d.svc.sessions.get(d.ctx.data.conv);
  if (session?.taskId) {
    const claim = await d.svc.nemo.claimLink(d.auth, { sessionId: session.sessionId, taskId: session.taskId }).catch(() => undefined);
    if (claim) return claim.url;
  }
  return d.svc.config.NEMO_WEB_URL;
}
