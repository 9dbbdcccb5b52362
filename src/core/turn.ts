/**
 * A chat turn: upload the user's files, send the message over SSE exactly once, and tell the user
 * what came of it (reply text, a question, or — for silent edits — what changed in the project).
 *
 * Crash safety: `turnSentAt` is saved before the POST. A job that resumes with it set and no result
 * never sends the message again; it follows the skill's recovery instead (check the project state
 * after 30 s, then every 60 s, give up after 5 unchanged checks).
 */
import { describeStateChange, draftFingerprint, isReadyToExport, summarizeTimeline, translateGui } from '../nemo/draft.js';
import { NemoError } from '../nemo/errors.js';
import { sleep } from '../nemo/http.js';
import type { ProjectState, TurnEvent, TurnResult } from '../nemo/types.js';
import { t, timelineWords } from './i18n.js';
import { uploadIfNeeded } from './turn-upload.js';
import { isWait, waitFor, type StepDeps, type Wait } from './job-context.js';
import type { ConversationJobData } from './job-data.js';
import { guiButtons, questionButtons } from './replies.js';
import type { SessionRecord } from './sessions.js';
import { GATE_RECHECK_MS } from './turn-gate.js';
import { releaseGate } from './positions.js';
import { SILENT_RECHECKS } from './defaults.js';
import { releaseSend, takeSend, type SendGuard } from './turn-send.js';
import { loadBaseline, saveBaseline } from './baseline.js';
import { answerFromState, recover } from './turn-recovery.js';
import { reply } from './turn-reply.js';
import { noteBalanceBefore } from './costs.js';
import { sessionKeyOf } from './account.js';


/** Outcome for the caller: whether to go on and export, or wait (recovery checks, the shared token's gate). */
export type TurnOutcome = { export: boolean } | Wait;

export async function runTurnStep(d: StepDeps): Promise<TurnOutcome> {
  const { ctx } = d;
  if (ctx.data.turnSentAt && !ctx.data.turnDone) {
    // Resumed after a crash mid-turn: the message was sent; never send it again. Wait, then check.
    if (ctx.data.recoverChecks === undefined) {
      await ctx.save({ recoverChecks: 0 });
      await d.card.stage('stage.recovering');
      return waitFor(d.svc.config.TURN_RECOVERY_FIRST_MS);
    }
    return recover(d);
  }
  if (ctx.data.turnDone) {
    if (ctx.data.replied) return { export: !!ctx.data.exportAfterTurn };
    // The turn ran but its answer never reached the chat (a platform error): answer from the state.
    const session = await d.svc.sessions.get(sessionKeyOf(ctx.data));
    if (!session) throw new NemoError({ kind: 'session_lost', message: 'session vanished after the turn' });
    return answerFromState(d, await d.svc.nemo.getState(d.auth, session.sessionId));
  }

  // A shared token's cap on concurrent turns: wait (holding no slot) until the gate lets this one in.
  const admitted = await d.svc.gate.acquire(ctx.id);
  if (!admitted.run) {
    await d.card.optionalStage('stage.waiting_slot', { position: admitted.position });
    return waitFor(GATE_RECHECK_MS, () => d.svc.gate.wouldRun(ctx.id));
  }
  try {
    return await runAdmittedTurn(d);
  } finally {
    await releaseGate(d.svc, ctx.id);
  }
}

async function runAdmittedTurn(d: StepDeps): Promise<TurnOutcome> {
  const { ctx } = d;
  let session: SessionRecord;
  let result: TurnResult;
  const guard: SendGuard = {};
  // The balance before the turn (for its cost), read alongside the session and upload calls rather than
  // in front of the POST; Nemo charges only once the turn runs.
  const balanceRead = noteBalanceBefore(d.svc, ctx, d.auth).catch((err: unknown) => ctx.log.debug({ err }, 'could not keep the balance before the turn'));
  for (;;) {
    session = await d.svc.sessions.ensure(sessionKeyOf(ctx.data), d.target.language ?? d.target.lang, d.auth);
    try {
      await uploadIfNeeded(d, session);
      if (!ctx.data.prompt.trim()) {
        // A file without a caption: upload only (the seed's §3.2), no SSE.
        const files = ctx.data.attachments.map((a) => `"${a.name}"`).join(', ');
        await reply(d, t(d.target.lang, 'result.uploaded', { files }));
        await ctx.save({ turnDone: true });
        return { export: false };
      }
      if (!ctx.data.baseline) await ctx.save({ baseline: await snapshot(d, session.sessionId) });
      await balanceRead;
      const sent = await send(d, session, guard);
      if (isWait(sent)) return sent; // another run of this job sent it: follow the recovery
      result = sent;
      break;
    } catch (err) {
      if (err instanceof NemoError && err.kind === 'session_lost' && !ctx.data.sessionRenewed) {
        // 1002 / 404 before any stream: nothing ran, so a new session and a second try are safe.
        await renewSession(d);
        await releaseSend(d, guard);
        await ctx.save({ uploaded: false, baseline: undefined });
        continue;
      }
      if (err instanceof NemoError && (err.kind === 'rate_limited' || err.kind === 'token_quota' || (err.kind === 'network' && err.endpoint === 'run_sse'))) {
        // A 429 answers before any stream (or a token renewal was refused), and a refused connection
        // (a connect burst overflowing the backend's accept queue) never carried the message: it did
        // not run, so it may be sent later.
        await releaseSend(d, guard);
        throw err;
      }
      if (err instanceof NemoError && ctx.data.turnSentAt && RECOVERABLE.has(err.kind)) {
        ctx.log.warn({ err }, 'turn stream lost; recovering from project state');
        await ctx.save({ recoverChecks: 0, lostWith: LOST_WITH.has(err.kind) ? (err.kind as NonNullable<ConversationJobData['lostWith']>) : 'stream_dropped' });
        await d.card.stage('stage.recovering');
        return waitFor(d.svc.config.TURN_RECOVERY_FIRST_MS);
      }
      throw err;
    }
  }
  await ctx.save({ turnDone: true });
  return outcome(d, session, result);
}

const GENERATION_TOOL = /generat|animat|image_to_video|text_to_video/i;

/** Failures after the message was sent that the project state can still resolve. */
const RECOVERABLE: ReadonlySet<string> = new Set(['stream_dropped', 'stream_stalled', 'stream_timeout', 'stream_idle', 'network', 'backend']);

/** Stream failures the user is told about by name when the project never changed (the rest read as a drop). */
const LOST_WITH: ReadonlySet<string> = new Set(['stream_stalled', 'stream_timeout', 'stream_idle']);

/** 1002: forget the session (the loop makes a new one) and tell the user once. */
async function renewSession(d: StepDeps): Promise<void> {
  await d.svc.sessions.reset(sessionKeyOf(d.ctx.data));
  await d.ctx.save({ sessionRenewed: true });
  await d.outbox.sendText(d.target, t(d.target.lang, 'error.session_lost')).catch(() => undefined);
}

/**
 * The project before the turn (to describe silent edits and spot a new video). A backend that cannot
 * show the state of a brand-new session must not block the turn: an empty project is assumed.
 */
async function snapshot(d: StepDeps, sessionId: string): Promise<{ fingerprint: string }> {
  const state = await readState(d, sessionId);
  await saveBaseline(d.svc, d.ctx.id, state?.draft);
  return { fingerprint: draftFingerprint(state?.draft) };
}

/** Project state, or undefined (logged) when the backend will not show it; auth and cancel still throw. */
async function readState(d: StepDeps, sessionId: string) {
  try {
    return await d.svc.nemo.getState(d.auth, sessionId);
  } catch (err) {
    if (err instanceof NemoError && ['auth', 'cancelled', 'no_credits'].includes(err.kind)) throw err;
    d.ctx.log.warn({ err }, 'could not read the project state; going on without it');
    return undefined;
  }
}

async function send(d: StepDeps, session: SessionRecord, guard: SendGuard): Promise<TurnResult | Wait> {
  const { ctx, svc } = d;
  await d.card.stage('stage.thinking');
  await svc.sessions.update(sessionKeyOf(ctx.data), { lastPrompt: ctx.data.prompt });
  const token = await takeSend(svc, ctx.id);
  if (!token) {
    // Another run of this job has sent it (or is sending it): follow the recovery, never send twice.
    ctx.log.warn('another run of this job already sent the message; recovering from project state');
    await ctx.save({ turnSentAt: ctx.data.turnSentAt ?? Date.now(), recoverChecks: 0 });
    await d.card.stage('stage.recovering');
    return waitFor(svc.config.TURN_RECOVERY_FIRST_MS);
  }
  guard.token = token;
  // Nothing awaits between this save and the POST: a worker killed in between leaves a turn that was
  // never sent, which the recovery can only report as unchanged (the contract has no way to ask
  // whether a message arrived), so the gap is kept as small as it can be.
  await ctx.save({ turnSentAt: Date.now() });
  const onEvent = (e: TurnEvent) => {
    if (e.type === 'tool_call') {
      if (/generat|video|image/i.test(e.name)) void d.card.stage('stage.generating');
      else if (/edit|track|title|music|audio/i.test(e.name)) void d.card.stage('stage.editing');
    }
  };
  return d.card.during('working', () => svc.nemo.runTurn(d.auth, session.sessionId, ctx.data.prompt, { signal: ctx.signal, onEvent }));
}

/** Tell the user what the turn did, and decide whether to export. */
async function outcome(d: StepDeps, session: SessionRecord, result: TurnResult): Promise<TurnOutcome> {
  const { ctx, svc, target } = d;
  let state = await readState(d, session.sessionId);
  if (result.silent && !result.question && !ctx.data.replied) state = await settleSilentTurn(d, session.sessionId, state);
  const changed = draftFingerprint(state?.draft) !== ctx.data.baseline?.fingerprint;
  const ready = isReadyToExport(state?.draft);
  // "A turn that produced a video": the draft changed, or the agent ran a generation tool (a backend may
  // replace a clip without the draft's fingerprint changing). Agent text alone ("click Export") is not
  // enough: it says that after a plain "hello" too.
  const produced = changed || result.toolCalls.some((n) => GENERATION_TOOL.test(n));
  const autoExport = svc.config.AUTO_EXPORT && ready && produced && !result.question;

  if (!ctx.data.replied) {
    if (result.question) {
      const buttons = await questionButtons(svc, ctx, result.question.options);
      await reply(d, t(target.lang, 'result.question', { prompt: result.question.prompt }), buttons);
    } else if (!result.silent) {
      await replyWithGui(d, result.text, state, { ready, autoExport });
    } else {
      const changes = describeStateChange(await loadBaseline(d.svc, d.ctx.id), state?.draft, timelineWords(target.lang));
      await reply(d, changes.length ? t(target.lang, 'result.silent_changed', { changes: changes.join(t(target.lang, 'result.changes_separator')) }) : t(target.lang, 'result.silent_unchanged'));
    }
    await ctx.save({ replied: true, exportAfterTurn: autoExport });
  }
  return { export: autoExport };
}

/**
 * The agent's text with its GUI instructions carried out (seed §4): the timeline or the balance is
 * read and shown inline, "click Export" becomes the export itself (or a one-tap Export button), a
 * dragged edit or another on-screen button becomes a one-tap button that sends it to the agent.
 */
async function replyWithGui(d: StepDeps, text: string, state: ProjectState | undefined, o: { ready: boolean; autoExport: boolean }): Promise<void> {
  const { svc, ctx, target } = d;
  const gui = translateGui(text);
  const parts = gui.text ? [gui.text] : [];
  for (const a of gui.actions) {
    if (a.kind === 'timeline') {
      parts.push(state?.draft?.t?.length ? summarizeTimeline(state.draft, { words: timelineWords(target.lang) }) : t(target.lang, 'status.empty'));
    } else if (a.kind === 'credits') {
      const c = await svc.nemo.getCredits(d.auth).catch((err) => void ctx.log.warn({ err }, 'could not read the balance the agent pointed at'));
      if (c) parts.push(t(target.lang, 'credits.text', { available: c.available, frozen: c.frozen }));
    } else if (a.kind === 'export' && o.autoExport) {
      parts.push(t(target.lang, 'gui.exporting'));
    }
  }
  const buttons = await guiButtons(svc, ctx, gui.actions, { ready: o.ready, exporting: o.autoExport });
  if (parts.length === 0) parts.push(t(target.lang, buttons ? 'gui.tap' : 'gui.done'));
  await reply(d, parts.join('\n'), buttons);
}

/**
 * About 30% of edits answer with no text, and the backend may finish them (or their second stage)
 * after the stream closed. Re-read the state with backoff (SILENT_TURN_RECHECK_MS, doubling, 4 times)
 * until it changed and then held still for one check, so the summary is not "no change yet".
 */
async function settleSilentTurn(d: StepDeps, sessionId: string, first: ProjectState | undefined): Promise<ProjectState | undefined> {
  const { ctx, svc } = d;
  const baseline = ctx.data.baseline?.fingerprint;
  let state = first;
  let previous = draftFingerprint(state?.draft);
  for (let i = 0; i < SILENT_RECHECKS; i++) {
    const current = draftFingerprint(state?.draft);
    if (current !== baseline && i > 0 && current === previous) break; // changed, and holding still
    previous = current;
    await d.card.during('working', () => sleep(svc.config.SILENT_TURN_RECHECK_MS * 2 ** i, ctx.signal));
    state = (await readState(d, sessionId)) ?? state;
  }
  return state;
}
