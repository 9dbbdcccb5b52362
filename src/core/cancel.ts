/**
 * /cancel: stop this conversation's running job and drop its waiting ones.
 *
 * A waiting or delayed job is removed outright; a running one is flagged and its worker (whichever
 * process holds it) is told over pub/sub to abort it, since BullMQ can only cancel jobs locally.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { CANCEL_FLAG_TTL_S } from './defaults.js';
import { JobHistory } from './history.js';
import { cardText, t } from './i18n.js';
import type { ConversationJobData } from './job-data.js';
import type { JobQueue } from './job-queue.js';
import type { ConversationLine } from './line.js';
import type { Keys } from './keys.js';
import type { OutboxRegistry } from './outbox.js';
import type { IncomingMessage } from './message.js';
import { readStatusRef } from './status-ref.js';
import { giveBackQuota } from './settings.js';
import type { CoreServices } from './services.js';
import { jobCredential } from './account.js';

export interface CancelDeps {
  redis: Redis;
  keys: Keys;
  queue: JobQueue;
  line: ConversationLine;
  outboxes: OutboxRegistry;
  log: Logger;
}

/**
 * Returns how many jobs were cancelled. With `onlyUser`, only that user's jobs (a group member's
 * /cancel never stops someone else's work).
 */
export async function cancelConversation(deps: CancelDeps, conv: string, lang: string, onlyUser?: string): Promise<number> {
  let count = 0;
  for (const id of await deps.line.ids(conv)) {
    if (onlyUser !== undefined && (await deps.queue.data(id))?.target.userId !== onlyUser) continue;
    if (await cancelOne(deps, conv, id, lang)) count++;
  }
  await deps.line.wakeHead(conv);
  return count;
}

/**
 * `/cancel` as a command: with a `/jobs` id, that job (the requester's own, or any for an admin);
 * without, the conversation's jobs (in a group a member's stop only their own, an admin's all).
 * The answer, and whether it is a refusal (said to the requester only).
 */
export async function cancelCommand(deps: CancelDeps, msg: Pick<IncomingMessage, 'conversationKey' | 'userId'>, id: string | undefined, admin: boolean, lang: string): Promise<{ text: string; refusal: boolean }> {
  const said = (text: string, refusal = false) => ({ text, refusal });
  if (id) {
    const entry = await new JobHistory(deps.redis, deps.keys).get(msg.conversationKey, id);
    if (!entry) return said(t(lang, 'show.unknown', { id: id.slice(0, 32) }));
    if (entry.userId !== msg.userId && !admin) return said(t(lang, 'cancel.foreign'), true);
    const done = await cancelJob(deps, msg.conversationKey, entry.jobId, lang);
    return said(t(lang, done ? 'admin.cancelled' : 'admin.not_running', { id: entry.id }));
  }
  const count = await cancelConversation(deps, msg.conversationKey, lang, admin ? undefined : msg.userId);
  return said(count ? t(lang, 'cancel.done', { count }) : t(lang, 'cancel.none'));
}

/** Cancel one job of `conv` (waiting: removed; running: its worker is told); false when it is not live. */
export async function cancelJob(deps: CancelDeps, conv: string, id: string, lang: string): Promise<boolean> {
  const done = await cancelOne(deps, conv, id, lang);
  await deps.line.wakeHead(conv);
  return done;
}

async function cancelOne(deps: CancelDeps, conv: string, id: string, lang: string): Promise<boolean> {
  const state = await deps.queue.state(id);
  if (state === 'missing') {
    await deps.redis.lrem(deps.keys.line(conv), 0, id);
    return false;
  }
  if (state === 'completed' || state === 'failed') return false;
  await deps.redis.set(deps.keys.cancelled(id), '1', 'EX', CANCEL_FLAG_TTL_S);
  if (state === 'active') {
    await deps.redis.publish(deps.keys.cancelChannel(), id);
    return true;
  }
  try {
    const data = await deps.queue.data(id);
    if (data?.renderStarted && !data.videoPath) {
      // Between render polls: let a worker take it now, so it also cancels the render at Nemo.
      await deps.queue.promote(id);
      return true;
    }
    await deps.queue.remove(id);
    await deps.redis.lrem(deps.keys.line(conv), 0, id);
    if (data) await markCancelled(deps, id, data, lang);
    // It never started: the generation it took from the daily quota is given back.
    if (data?.quotaKey) await giveBackQuota(deps.redis, data.quotaKey).catch((err) => deps.log.warn({ err, jobId: id }, 'could not give back the quota'));
    await new JobHistory(deps.redis, deps.keys).update(conv, id, { state: 'cancelled', finishedAt: Date.now() }).catch(() => undefined);
  } catch (err) {
    // It became active meanwhile: its worker sees the flag or the pub/sub message.
    deps.log.debug({ err, jobId: id }, 'cancel: job was picked up while removing');
    await deps.redis.publish(deps.keys.cancelChannel(), id);
  }
  return true;
}

/** Show "Cancelled" on a job's status card. Shared with the worker, which cancels jobs it finds flagged. */
export async function markCancelled(deps: Pick<CancelDeps, 'redis' | 'keys' | 'outboxes'>, jobId: string, data: ConversationJobData, lang = data.target.lang): Promise<void> {
  const ref = await readStatusRef(deps.redis, deps.keys, jobId);
  const outbox = deps.outboxes[data.target.platform];
  if (!ref || !outbox) return;
  await outbox.editText({ ...data.target }, ref, cardText(lang, data.header, t(lang, 'stage.cancelled'))).catch(() => undefined);
}

/** A cancelled job whose render is still running at Nemo: stop it there too (best effort), under the account that started it. */
export async function cancelRunningRender(svc: CoreServices, jobId: string, data: ConversationJobData, log: Logger): Promise<void> {
  const { renderId, renderStarted, step } = data;
  if (!renderId || !renderStarted || step !== 'poll') return;
  try {
    await svc.nemo.cancelRender(await jobCredential(svc, jobId, data), renderId);
  } catch (err) {
    log.warn({ err, renderId }, 'could not cancel the render');
  }
}
