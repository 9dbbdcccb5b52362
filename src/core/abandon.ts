/**
 * A job the queue gave up on without running it to an end: it stalled (its worker died) more often
 * than JOB_MAX_STALLED_COUNT allows. BullMQ fails it on its own; without this the user would never
 * hear of it and its conversation's line would wait for it. Stop its render, free its place, say so.
 */
import type { Logger } from '../log.js';
import { cancelRunningRender } from './cancel.js';
import { t } from './i18n.js';
import { LINE_KINDS, type ConversationJobData } from './job-data.js';
import { leaveLine } from './positions.js';
import { outboxFor, type CoreServices } from './services.js';

export async function abandonJob(svc: CoreServices, jobId: string, data: ConversationJobData, log: Logger): Promise<void> {
  log.error({ jobId, step: data.step }, 'job abandoned after repeated worker crashes');
  await cancelRunningRender(svc, jobId, data, log).catch((err: unknown) => log.warn({ err, jobId }, 'could not cancel the render of an abandoned job'));
  if (LINE_KINDS.has(data.kind)) await leaveLine(svc, data, jobId);
  // Its last run may have got as far as posting the video: then the user already has what they asked for.
  const delivered = data.renderId ? await svc.redis.get(svc.keys.delivered(`${jobId}-${data.renderId}`)) : null;
  if (data.step === 'done' || (delivered !== null && delivered !== 'sending')) return;
  await outboxFor(svc, data.target.platform).sendText(data.target, t(data.target.lang, 'error.interrupted'), { replyTo: data.replyTo });
}
