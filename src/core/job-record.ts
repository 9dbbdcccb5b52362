/**
 * What a finished or failed job leaves behind for /jobs, /show and the waiting-time estimate: its
 * history entry's state, duration, cost and result, and (when it succeeded) its duration sample.
 * Best effort: a Redis hiccup here costs a log line, never the job.
 */
import { recordDuration } from './eta.js';
import { JobHistory, type HistoryEntry } from './history.js';
import type { JobContext } from './job-context.js';
import type { CoreServices } from './services.js';

const tracked = (ctx: JobContext) => ctx.data.kind === 'turn' || ctx.data.kind === 'export';

async function update(svc: CoreServices, ctx: JobContext, patch: Partial<HistoryEntry>): Promise<void> {
  if (!tracked(ctx)) return;
  await new JobHistory(svc.redis, svc.keys).update(ctx.data.conv, ctx.id, patch).catch((err) => ctx.log.warn({ err }, 'could not update the job history'));
}

export async function recordRunning(svc: CoreServices, ctx: JobContext): Promise<void> {
  if (ctx.data.startedAt === undefined) await ctx.save({ startedAt: Date.now() });
  await update(svc, ctx, { state: 'running' });
}

/** The posted result: a platform file reference (to post it again) and the download link. */
export function recordResult(svc: CoreServices, ctx: JobContext, r: { fileRef?: string; url?: string }): Promise<void> {
  const owner = ctx.data.account === 'personal' ? ctx.data.target.userId : undefined;
  return update(svc, ctx, { ...(r.fileRef ? { fileRef: r.fileRef } : {}), ...(r.url ? { url: r.url } : {}), ...(owner ? { owner } : {}) });
}

export async function recordEnd(svc: CoreServices, ctx: JobContext, state: 'done' | 'failed' | 'cancelled'): Promise<void> {
  const now = Date.now();
  await update(svc, ctx, { state, finishedAt: now, ...(ctx.data.cost !== undefined ? { cost: ctx.data.cost } : {}) });
  if (state === 'done' && tracked(ctx)) {
    await recordDuration(svc.redis, svc.keys, now - (ctx.data.startedAt ?? ctx.data.createdAt)).catch((err) => ctx.log.debug({ err }, 'could not record the duration'));
  }
}
