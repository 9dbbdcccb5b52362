/**
 * An admin's pause (`/admin pause`) holds the jobs that have not started yet: the ingress refuses new
 * work (gates.ts), and a queued job about to start finds the pause here instead of reaching Nemo. It
 * keeps its place (in the conversation's line too), its card says it is paused by an admin (once; the
 * cards of the jobs waiting behind it say so too, and get their plain place back when it starts),
 * and it looks again every PAUSE_RECHECK_MS as a delayed job (no worker slot held; one settings read
 * each time), so after `/admin resume` it starts by itself within seconds. Running jobs finish; /cancel
 * removes a held job like any waiting one.
 */
import { PAUSE_RECHECK_MS } from './defaults.js';
import { waitFor, type JobContext, type Wait } from './job-context.js';
import { LINE_KINDS } from './job-data.js';
import { announcePositions } from './positions.js';
import { StatusCard } from './progress.js';
import type { CoreServices } from './services.js';
import { SettingsStore } from './settings.js';

/** A wait when the job has not started and its server or chat is paused; undefined when it may start. */
export async function pauseHold(svc: CoreServices, ctx: JobContext): Promise<Wait | undefined> {
  const { data } = ctx;
  if (data.step !== 'start' || data.startedAt !== undefined) return undefined;
  const settings = await new SettingsStore(svc.redis, svc.keys).get(data.scope ?? data.conv);
  const inLine = LINE_KINDS.has(data.kind);
  const refreshLine = (paused: boolean) => (inLine ? announcePositions(svc, data.conv, paused).catch((err) => ctx.log.debug({ err }, 'could not refresh line positions')) : undefined);
  if (!settings.paused) {
    if (data.heldByPause) {
      await ctx.save({ heldByPause: false });
      await refreshLine(false);
    }
    return undefined;
  }
  if (!data.heldByPause) {
    await ctx.save({ heldByPause: true });
    const outbox = svc.outboxes[data.target.platform];
    if (outbox) {
      const card = new StatusCard(svc, ctx, outbox, { ...data.target });
      await card.load();
      await card.stage('stage.paused');
    }
    await refreshLine(true);
    ctx.log.info('held: an admin paused the queue here');
  }
  return waitFor(PAUSE_RECHECK_MS);
}
