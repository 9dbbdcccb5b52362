/**
 * Runs one conversation job: the checks before it may run (cancelled? in the right lane? its turn in
 * the conversation's line? held by an admin's pause?), then its account (account.ts), then its steps
 * (job-machine.ts) from wherever it stands, then leaving the line. A run ends with a `JobResult` the queue acts on; it never throws to steer the queue.
 *
 * Failures end here too: a transient one is handed back to the queue while retries remain and
 * nothing irreversible happened; anything else becomes one catalogue message for the user, so
 * nothing is silently dropped.
 */
import { NemoError } from '../nemo/errors.js';
import type { CredentialHandle } from '../nemo/types.js';
import { registrationLink } from './answers.js';
import { cancelRunningRender, markCancelled } from './cancel.js';
import { CONNECTING_TTL_S, PARK_MS } from './defaults.js';
import { isTransient, storeUnavailable, userMessageFor } from './failures.js';
import { FINISHED, handingBack, waitFor, type JobContext, type JobResult } from './job-context.js';
import { LINE_KINDS } from './job-data.js';
import { runSteps } from './job-machine.js';
import { laneOf } from './lanes.js';
import type { ChatTarget } from './outbox.js';
import { leaveLine } from './positions.js';
import { StatusCard } from './progress.js';
import { failureButtons } from './replies.js';
import { outboxFor, type CoreServices } from './services.js';
import { chargeNotice, settleCost } from './costs.js';
import { recordEnd, recordRunning } from './job-record.js';
import { chooseAccount, forgetJobToken, jobCredential, needsConnecting, sessionKeyOf } from './account.js';
import { pauseHold } from './pause-hold.js';

/** One run of a job, from the queue's point of view. An error thrown out of it is a failed attempt. */
export async function runJob(svc: CoreServices, ctx: JobContext): Promise<JobResult> {
  const { id, data } = ctx;
  const inLine = LINE_KINDS.has(data.kind);
  /** The job is over: free its place in the line and drop its copy of a personal token. */
  const wrapUp = async () => {
    if (inLine) await leaveLine(svc, data, id);
    await forgetJobToken(ctx);
  };
  if (await svc.redis.exists(svc.keys.cancelled(id))) {
    await cancelRunningRender(svc, id, data, ctx.log);
    await markCancelled(svc, id, data);
    await wrapUp();
    return FINISHED;
  }
  // Resumed after a crash between a hand-over and this job's completion: finish the hand-over.
  const belongs = laneOf(data);
  if (belongs && belongs !== ctx.lane) return { kind: 'move', lane: belongs };
  if (inLine) {
    const may = await svc.line.mayRun(data.conv, id);
    if (may === 'gone') return FINISHED;
    // Not its turn yet: park (no slot held); leaving the line ahead of it promotes it.
    if (may === 'wait') return waitFor(PARK_MS, async () => (await svc.line.mayRun(data.conv, id)) === 'run');
  }
  // Not started yet and an admin paused the queue here: hold, keeping its place.
  const held = await pauseHold(svc, ctx);
  if (held) return held;
  let result: JobResult;
  try {
    result = await runConversationJob(svc, ctx);
  } catch (err) {
    // A failed attempt keeps its place in the line while the queue retries it (or hands it back at shutdown).
    const handedBack = handingBack(ctx.signal) || storeUnavailable(err);
    if (ctx.attemptsLeft === 0 && !handedBack) await wrapUp().catch((e) => ctx.log.warn({ err: e }, 'could not wrap up the failed job'));
    throw err;
  }
  if (result.kind === 'finished') await wrapUp();
  return result;
}

async function runConversationJob(svc: CoreServices, ctx: JobContext): Promise<JobResult> {
  const outbox = outboxFor(svc, ctx.data.target.platform);
  const target: ChatTarget = { ...ctx.data.target };
  const card = new StatusCard(svc, ctx, outbox, target);
  await card.load();
  let authHandle: CredentialHandle | undefined;
  try {
    if (ctx.data.step === 'start') await recordRunning(svc, ctx);
    // The account is decided once, when the job starts: the user's own (/login) wherever they ask, else the conversation's.
    await chooseAccount(svc, ctx);
    if (ctx.data.step === 'start' && (await needsConnecting(svc, ctx.data))) {
      // The skill's first moment: "Connecting…" on the card while the token and session are set up;
      // the first answer after it says the bot is ready (no technical details in the chat).
      await svc.redis.set(svc.keys.ready(ctx.data.conv), '1', 'EX', CONNECTING_TTL_S);
      await card.stage('stage.connecting');
    }
    const auth = await jobCredential(svc, ctx.id, ctx.data);
    authHandle = auth;
    const result = await runSteps({ svc, ctx, outbox, target, card, auth });
    if (result.kind === 'finished' && LINE_KINDS.has(ctx.data.kind)) await finishDone(svc, ctx, card, auth);
    return result;
  } catch (err) {
    // Redis went away mid-run: the queue's worker hands the job back (it resumes from its last saved step).
    if (storeUnavailable(err)) throw err;
    if (handingBack(ctx.signal)) {
      ctx.log.info({ reason: ctx.signal.reason }, 'handing the job back to the queue');
      return waitFor(0);
    }
    if (ctx.signal.aborted) {
      await cancelRunningRender(svc, ctx.id, ctx.data, ctx.log);
      await recordEnd(svc, ctx, 'cancelled');
      await card.finish('stage.cancelled');
      return FINISHED;
    }
    if (err instanceof NemoError && err.kind === 'token_quota' && !ctx.data.tokenRetried) {
      // The skill: a 429 on anonymous-token is retried once, after 30 s. The wait is a delayed job (no
      // worker slot held), and this is the only retry: token_quota is not transient for the queue.
      ctx.log.warn({ waitMs: svc.config.NEMO_RATE_LIMIT_RETRY_MS }, 'free token refused (429); one retry after the wait');
      await ctx.save({ tokenRetried: true });
      await card.stage('stage.connecting');
      return waitFor(svc.config.NEMO_RATE_LIMIT_RETRY_MS);
    }
    if (err instanceof NemoError && err.kind === 'session_lost') {
      // 1002 outside a turn's own renewal (export, status, recovery): forget the session, so the next
      // message starts the new project the user is told about instead of hitting 1002 again.
      await svc.sessions.reset(sessionKeyOf(ctx.data)).catch((e) => ctx.log.warn({ err: e }, 'could not reset the lost session'));
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
      .sendText(target, `${userMessageFor(err, target.lang, { personalAccount: ctx.data.account === 'personal' })}${charged}`, { replyTo: ctx.data.replyTo, buttons })
      .catch((e) => ctx.log.error({ err: e }, 'could not tell the user about a failure'));
    await recordEnd(svc, ctx, 'failed');
    await card.finish('stage.failed');
    return FINISHED;
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
