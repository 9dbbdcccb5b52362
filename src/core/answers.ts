/**
 * Quick answers (/credits, /status, Open in NemoVideo): read from Nemo and reply at once, in the job's `start` step.
 * Also the registration link an anonymous user is shown (with its bind id when one is known).
 */
import { summarizeTimeline } from '../nemo/draft.js';
import { NemoError } from '../nemo/errors.js';
import type { CredentialHandle } from '../nemo/types.js';
import { t, timelineWords } from './i18n.js';
import type { JobContext, StepDeps } from './job-context.js';
import { withReady } from './replies.js';
import type { CoreServices } from './services.js';
import { sessionKeyOf } from './account.js';

export async function answerCredits(d: StepDeps): Promise<void> {
  const { svc, ctx, target, auth } = d;
  const c = await svc.nemo.getCredits(auth);
  let text = t(target.lang, 'credits.text', { available: c.available, frozen: c.frozen });
  const register = await registrationLink(svc, ctx, auth);
  if (register) text += `\n${t(target.lang, 'credits.register', { url: register })}`;
  await finalAnswer(d, text);
}

export async function answerStatus(d: StepDeps): Promise<void> {
  const { svc, ctx, target, auth } = d;
  const session = await svc.sessions.get(sessionKeyOf(ctx.data));
  if (!session) return finalAnswer(d, t(target.lang, 'status.none'));
  let text: string;
  try {
    const state = await svc.nemo.getState(auth, session.sessionId);
    text = state.draft?.t?.length ? summarizeTimeline(state.draft, { words: timelineWords(target.lang) }) : t(target.lang, 'status.empty');
  } catch (err) {
    if (!(err instanceof NemoError && err.kind === 'session_lost')) throw err;
    await svc.sessions.reset(sessionKeyOf(ctx.data));
    return finalAnswer(d, `${t(target.lang, 'error.session_lost')}\n${t(target.lang, 'status.none')}`);
  }
  if (session.taskId) {
    const claim = await svc.nemo.claimLink(auth, { sessionId: session.sessionId, taskId: session.taskId }).catch(() => undefined);
    if (claim) text += `\n${t(target.lang, 'status.link', { url: claim.url })}`;
  }
  await finalAnswer(d, text);
}

/** "Open in NemoVideo": the project's claim link (never the token itself). */
export async function answerOpen(d: StepDeps): Promise<void> {
  const { svc, ctx, target, auth } = d;
  const session = await svc.sessions.get(sessionKeyOf(ctx.data));
  const claim = session?.taskId ? await svc.nemo.claimLink(auth, { sessionId: session.sessionId, taskId: session.taskId }).catch(() => undefined) : undefined;
  await finalAnswer(d, claim ? t(target.lang, 'open.link', { url: claim.url }) : t(target.lang, 'status.none'));
}

/** Quick answers arrive as a reply, and their "Checking…" acknowledgement goes away. */
async function finalAnswer(d: StepDeps, text: string): Promise<void> {
  const { svc, ctx, outbox, target, card } = d;
  await outbox.sendText(target, await withReady(svc, ctx.data.conv, target.lang, text), { replyTo: ctx.data.replyTo });
  await card.remove();
}

/** `register?bind=<id>` for an anonymous credential, reading the state for the id when none is known yet. */
export async function registrationLink(svc: CoreServices, ctx: JobContext, auth: CredentialHandle): Promise<string | undefined> {
  if (!auth.credential.anonymous) return undefined;
  const known = svc.nemo.registrationUrl(auth.credential);
  if (known) return known;
  const session = await svc.sessions.get(sessionKeyOf(ctx.data));
  if (!session) return undefined;
  if (session.userId) return svc.nemo.registrationUrl({ ...auth.credential, userId: session.userId });
  try {
    await svc.nemo.getState(auth, session.sessionId); // the client keeps a user id the state carries
  } catch (e) {
    ctx.log.warn({ err: e }, 'could not read the state for the bind id');
  }
  return svc.nemo.registrationUrl(auth.credential);
}
