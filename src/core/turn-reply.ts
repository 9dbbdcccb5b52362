/**
 * A turn's answer in the chat: cut to the platform's length, with the "ready" greeting when due. A
 * platform error after the turn ran is made retryable so the queue answers from the project state.
 */
import { OutboxError } from './outbox.js';
import type { StepDeps } from './job-context.js';
import { guiButtons, withReady } from './replies.js';

export async function reply(d: StepDeps, text: string, buttons?: Awaited<ReturnType<typeof guiButtons>>): Promise<void> {
  const max = d.outbox.limits.textMaxChars;
  text = await withReady(d.svc, d.ctx.data.conv, d.target.lang, text);
  const body = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  try {
    await d.outbox.sendText(d.target, body, { replyTo: d.ctx.data.replyTo, buttons });
  } catch (err) {
    // The turn already ran: its answer matters more than a rare doubled line. The queue's retry answers
    // from the project state (other words, never the same post twice) and goes on to the export.
    if (err instanceof OutboxError && err.retryable && !err.safeToRetry) throw new OutboxError('transient', err.message);
    throw err;
  }
  await d.card.markNews();
}
