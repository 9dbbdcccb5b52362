/**
 * Leaving a conversation's line, and what follows: the next job runs, the turn gate's next waiters
 * wake, the user's share is given back, and the jobs still waiting show their new place
 * ("🕒 #2 in line", with an ETA from recent durations). Only the first few are refreshed: beyond that the number changes often and
 * matters little.
 */
import { forgetBaseline } from './baseline.js';
import { waitingText } from './eta.js';
import { cardText, t } from './i18n.js';
import type { ConversationJobData } from './job-data.js';
import { readStatusRef } from './status-ref.js';
import type { CoreServices } from './services.js';

const REFRESH_FIRST = 5;

export async function leaveLine(svc: CoreServices, data: ConversationJobData, jobId: string): Promise<void> {
  await svc.line.leave(data.conv, jobId);
  await releaseGate(svc, jobId);
  await svc.shares.give(data.target.platform, data.target.userId ?? data.conv, jobId);
  await forgetBaseline(svc, jobId);
  await announcePositions(svc, data.conv).catch((err) => svc.log.debug({ err }, 'could not refresh line positions'));
}

/** Free a turn-gate slot (no-op when not held) and wake the waiters it lets in. */
export async function releaseGate(svc: CoreServices, jobId: string): Promise<void> {
  const wake = await svc.gate.release(jobId);
  await Promise.all(wake.map((id) => svc.jobs.promote(id)));
}

/** Refresh the places of the jobs waiting behind the head; `paused`: the head is held by an admin's pause, and so are they. */
export async function announcePositions(svc: CoreServices, conv: string, paused = false): Promise<void> {
  const ids = (await svc.line.ids(conv)).slice(1, 1 + REFRESH_FIRST);
  await Promise.all(
    ids.map(async (id, i) => {
      const [ref, data] = await Promise.all([readStatusRef(svc.redis, svc.keys, id), svc.jobs.data(id)]);
      const outbox = data && svc.outboxes[data.target.platform];
      if (!ref || !data || !outbox || data.step !== 'start') return;
      const { lang } = data.target;
      const text = paused ? cardText(lang, data.header, t(lang, 'ack.position_paused', { position: i + 2 })) : await waitingText(svc.redis, svc.keys, outbox, data.header, lang, i + 2);
      await outbox.editText({ ...data.target }, ref, text).catch(() => undefined);
    }),
  );
}
