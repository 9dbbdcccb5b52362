/**
 * /cancel: stop this conversation's running job and drop its waiting ones.
 *
 * A waiting or delayed job is removed outright; a running one is flagged and its worker (whichever
 * process holds it) is told over pub/sub to abort it, since BullMQ can only cancel jobs locally.
 */
import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { ConversationJobData } from '../queue/jobs.js';
import type { ConversationLine } from '../queue/line.js';
import { t } from './i18n.js';
import type { Keys } from './keys.js';
import type { MessageRef, OutboxRegistry } from './outbox.js';

export interface CancelDeps {
  redis: Redis;
  keys: Keys;
  queue: Queue<ConversationJobData>;
  line: ConversationLine;
  outboxes: OutboxRegistry;
  log: Logger;
}

/** Returns how many jobs were cancelled. */
export async function cancelConversation(deps: CancelDeps, conv: string, lang: string): Promise<number> {
  let count = 0;
  for (const id of await deps.line.ids(conv)) {
    const job = await Job.fromId<ConversationJobData>(deps.queue, id);
    if (!job) {
      await deps.redis.lrem(deps.keys.line(conv), 0, id);
      continue;
    }
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') continue;
    await deps.redis.set(deps.keys.cancelled(id), '1', 'EX', 24 * 3600);
    count++;
    if (state === 'active') {
      await deps.redis.publish(deps.keys.cancelChannel(), id);
      continue;
    }
    try {
      await job.remove();
      await deps.redis.lrem(deps.keys.line(conv), 0, id);
      await markCancelled(deps, job, lang);
    } catch (err) {
      // It became active meanwhile: its worker sees the flag or the pub/sub message.
      deps.log.debug({ err, jobId: id }, 'cancel: job was picked up while removing');
      await deps.redis.publish(deps.keys.cancelChannel(), id);
    }
  }
  await deps.line.wakeHead(conv);
  return count;
}

async function markCancelled(deps: CancelDeps, job: Job<ConversationJobData>, lang: string): Promise<void> {
  const raw = await deps.redis.get(deps.keys.statusRef(job.id!));
  const outbox = deps.outboxes[job.data.target.platform];
  if (!raw || !outbox) return;
  const ref = JSON.parse(raw) as MessageRef;
  await outbox.editText({ ...job.data.target }, ref, `${job.data.header}\n${t(lang, 'stage.cancelled')}`).catch(() => undefined);
}
