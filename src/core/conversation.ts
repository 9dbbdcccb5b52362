/**
 * Runs one conversation job from wherever it stands: credits and status answer directly; turns
 * upload, talk to the agent and may export; exports render, poll, download and deliver.
 *
 * Failures end here too: a transient one is handed back to the queue while retries remain and
 * nothing irreversible happened; anything else becomes one catalogue message for the user, so
 * nothing is silently dropped.
 */
import { summarizeTimeline } from '../nemo/draft.js';
import { NemoError } from '../nemo/errors.js';
import type { CredentialHandle } from '../nemo/types.js';
import { cancelRunningRender } from './cancel.js';
import { runExportSteps } from './export.js';
import { isTransient, userMessageFor } from './failures.js';
import { t, timelineWords } from './i18n.js';
import type { JobContext } from './job-context.js';
import type { ChatTarget, Outbox } from './outbox.js';
import { StatusCard } from './progress.js';
import { failureButtons, withReady } from './replies.js';
import { outboxFor, type CoreServices } from './services.js';
import { runTurnStep } from './turn.js';
import { chargeNotice, settleCost } from './costs.js';
import { recordEnd, recordRunning } from './job-record.js';
import { personalCredential } from './login.js';

export async function runConversationJob(svc: CoreServices, ctx: JobContext): Promise<void> {
  const outbox = outboxFor(svc, ctx.data.target.platform);
  const target: ChatTarget = { ...ctx.data.target };
  const card = new StatusCard(svc, ctx, outbox, target);
  await card.load();
  let authHandle: CredentialHandle | undefined;
  try {
    if (ctx.data.step === 'start') await recordRunning(svc, ctx);
    if (ctx.data.step === 'start' && (await svc.sessions.needsConnecting(ctx.data.conv, ctx.data.kind === 'turn'))) {
      // The skill's first moment: "Connecting…" on the card while the token and session are set up;
      // the first answer after it says the bot is ready (no technical details in the chat).
      await svc.redis.set(svc.keys.ready(ctx.data.conv), '1', 'EX', 24 * 3600);
      await card.stage('stage.connecting');
    }
    // The user's own account (/login) in their direct chat, else the conversation's credential.
    const auth = (await personalCredential(svc, ctx)) ?? (await svc.sessions.credential(ctx.data.conv));
    authHandle = auth;
    switch (ctx.data.kind) {
      case 'credits':
        await answerCredits(svc, ctx, outbox, target, card, auth);
        break;
      case 'status':
        await answerStatus(svc, ctx, outbox, target, card, auth);
        break;
      case 'open':
        await answerOpen(svc, ctx, outbox, target, card, auth);
        break;
      case 'turn': {
        if (ctx.data.step === 'start') await ctx.save({ step: 'turn' });
        if (ctx.data.step === 'turn') {
          const { export: doExport } = await runTurnStep({ svc, ctx, outbox, target, card, auth });
          await ctx.save({ step: doExport ? 'export' : 'done' });
        }
        if (ctx.data.step !== 'done') await runExportSteps({ svc, ctx, outbox, target, card, auth });
        await finishDone(svc, ctx, card, auth);
        break;
      }
      case 'export':
        if (ctx.data.step === 'start') await ctx.save({ step: 'export' });
        await runExportSteps({ svc, ctx, outbox, target, card, auth });
        await finishDone(svc, ctx, card, auth);
        break;
    }
  } catch (err) {
    if (ctx.isControlFlow(err)) throw err;
    if (ctx.signal.aborted) {
      await cancelRunningRender(svc, ctx.data, ctx.log);
      await recordEnd(svc, ctx, 'cancelled');
      await card.finish('stage.cancelled');
      return;
    }
    if (err instanceof NemoError && err.kind === 'token_quota' && !ctx.data.tokenRetried) {
      // The skill: a 429 on anonymous-token is retried once, after 30 s. The wait is a delayed job (no
      // worker slot held), and this is the only retry: token_quota is not transient for the queue.
      ctx.log.warn({ waitMs: svc.config.NEMO_RATE_LIMIT_RETRY_MS }, 'free token refused (429); one retry after the wait');
      await ctx.save({ tokenRetried: true });
      await card.stage('stage.connecting');
      return ctx.waitFor(svc.config.NEMO_RATE_LIMIT_RETRY_MS);
    }
    if (err instanceof NemoError && err.kind === 'session_lost') {
      // 1002 outside a turn's own renewal (export, status, recovery): forget the session, so the next
      // message starts the new project the user is told about instead of hitting 1002 again.
      await svc.sessions.reset(ctx.data.conv).catch((e) => ctx.log.warn({ err: e }, 'could not reset the lost session'));
    }
    if (err instanceof NemoError && (err.kind === 'no_credits' || err.kind === 'plan_blocked') && err.details.bindMissing && authHandle) {
      await learnBindId(svc, ctx, authHandle, err);
    }
    if (isTransient(err) && ctx.attemptsLeft > 0 && !irreversible(ctx, err)) {
      ctx.log.warn({ err, attemptsLeft: ctx.attemptsLeft }, 'transient failure; the queue will retry');
      throw err;
    }
    ctx.log.error({ err, step: ctx.data.step }, 'job failed');
    await ctx.save({ failed: true });
    const buttons = await failureButtons(svc, ctx);
    // Every failure says whether it was charged ("you were not charged" when nothing billable ran).
    const charged = `\n${await chargeNotice(svc, ctx, authHandle)}`;
    await outbox
      .sendText(target, `${userMessageFor(err, target.lang)}${charged}`, { replyTo: ctx.data.replyTo, buttons })
      .catch((e) => ctx.log.error({ err: e }, 'could not tell the user about a failure'));
    await recordEnd(svc, ctx, 'failed');
    await card.finish('stage.failed');
  }
}

/**
 * 2001 (or the free plan's 402) for an anonymous user whose answers so far carried no user id: the
 * skill takes the registration link's bind id "from create-session or state response when needed",
 * so read the project state now (the client keeps any user id it carries) and rebuild the link.
 */
async function learnBindId(svc: CoreServices, ctx: JobContext, auth: CredentialHandle, err: NemoError): Promise<void> {
  const url = await registrationLink(svc, ctx, auth);
  if (url) {
    err.details.registerUrl = url;
    err.details.bindMissing = false;
  } else ctx.log.warn('no bind id in any answer yet; showing the registration link without it');
}

/** `register?bind=<id>` for an anonymous credential, reading the state for the id when none is known yet. */
async function registrationLink(svc: CoreServices, ctx: JobContext, auth: CredentialHandle): Promise<string | undefined> {
  if (!auth.credential.anonymous) return undefined;
  const known = svc.nemo.registrationUrl(auth.credential);
  if (known) return known;
  const session = await svc.sessions.get(ctx.data.conv);
  if (!session) return undefined;
  if (session.userId) return svc.nemo.registrationUrl({ ...auth.credential, userId: session.userId });
  try {
    await svc.nemo.getState(auth, session.sessionId); // the client keeps a user id the state carries
  } catch (e) {
    ctx.log.warn({ err: e }, 'could not read the state for the bind id');
  }
  return svc.nemo.registrationUrl(auth.credential);
}

/** A finished turn or export: the history first (so /jobs agrees with the card), then the card with the cost. */
async function finishDone(svc: CoreServices, ctx: JobContext, card: StatusCard, auth: CredentialHandle): Promise<void> {
  const cost = await settleCost(svc, ctx, auth);
  await recordEnd(svc, ctx, 'done');
  await card.finish('stage.done', cost);
}

/** A retry would repeat something the user would notice (a second turn). */
function irreversible(ctx: JobContext, err: unknown): boolean {
  if (ctx.data.kind === 'turn' && ctx.data.step === 'turn' && ctx.data.turnSentAt && !ctx.data.turnDone) return true;
  return err instanceof NemoError && err.kind === 'no_credits';
}

async function answerCredits(svc: CoreServices, ctx: JobContext, outbox: Outbox, target: ChatTarget, card: StatusCard, auth: CredentialHandle): Promise<void> {
  const c = await svc.nemo.getCredits(auth);
  let text = t(target.lang, 'credits.text', { available: c.available, frozen: c.frozen });
  const register = await registrationLink(svc, ctx, auth);
  if (register) text += `\n${t(target.lang, 'credits.register', { url: register })}`;
  await finalAnswer(svc, ctx, outbox, target, card, text);
}

async function answerStatus(svc: CoreServices, ctx: JobContext, outbox: Outbox, target: ChatTarget, card: StatusCard, auth: CredentialHandle): Promise<void> {
  const session = await svc.sessions.get(ctx.data.conv);
  if (!session) return finalAnswer(svc, ctx, outbox, target, card, t(target.lang, 'status.none'));
  let text: string;
  try {
    const state = await svc.nemo.getState(auth, session.sessionId);
    text = state.draft?.t?.length ? summarizeTimeline(state.draft, { words: timelineWords(target.lang) }) : t(target.lang, 'status.empty');
  } catch (err) {
    if (!(err instanceof NemoError && err.kind === 'session_lost')) throw err;
    await svc.sessions.reset(ctx.data.conv);
    return finalAnswer(svc, ctx, outbox, target, card, `${t(target.lang, 'error.session_lost')}\n${t(target.lang, 'status.none')}`);
  }
  if (session.taskId) {
    const claim = await svc.nemo.claimLink(auth, { sessionId: session.sessionId, taskId: session.taskId }).catch(() => undefined);
    if (claim) text += `\n${t(target.lang, 'status.link', { url: claim.url })}`;
  }
  await finalAnswer(svc, ctx, outbox, target, card, text);
}

/** "Open in NemoVideo": the project's claim link (never the token itself). */
async function answerOpen(svc: CoreServices, ctx: JobContext, outbox: Outbox, target: ChatTarget, card: StatusCard, auth: CredentialHandle): Promise<void> {
  const session = await svc.sessions.get(ctx.data.conv);
  const claim = session?.taskId ? await svc.nemo.claimLink(auth, { sessionId: session.sessionId, taskId: session.taskId }).catch(() => undefined) : undefined;
  await finalAnswer(svc, ctx, outbox, target, card, claim ? t(target.lang, 'open.link', { url: claim.url }) : t(target.lang, 'status.none'));
}

/** Quick answers arrive as a reply, and their "Checking…" acknowledgement goes away. */
async function finalAnswer(svc: CoreServices, ctx: JobContext, outbox: Outbox, target: ChatTarget, card: StatusCard, text: string): Promise<void> {
  await outbox.sendText(target, await withReady(svc, ctx.data.conv, target.lang, text), { replyTo: ctx.data.replyTo });
  await card.remove();
}
