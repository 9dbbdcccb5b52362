/**
 * A turn whose answer is not known from its stream: the seed's recovery (poll the project state until
 * it changes or the checks run out), and the answer told from the state. Never re-sends the message.
 */
import { describeStateChange, draftFingerprint, isReadyToExport } from '../nemo/draft.js';
import { NemoError } from '../nemo/errors.js';
import type { ProjectState } from '../nemo/types.js';
import { loadBaseline } from './baseline.js';
import { t, timelineWords } from './i18n.js';
import { waitFor, type StepDeps, type Wait } from './job-context.js';
import { reply } from './turn-reply.js';
import { sessionKeyOf } from './account.js';

/**
 * The seed's recovery after a lost stream: poll the state until it changes, or give up after
 * TURN_RECOVERY_MAX_CHECKS unchanged checks. Generation comes in two stages (the raw clip, then the
 * backend adds music, title and effects), so a change is reported once the project holds still for
 * one more check (or the checks run out), not at the first sign of the raw clip.
 */
export async function recover(d: StepDeps): Promise<{ export: boolean } | Wait> {
  const { ctx, svc } = d;
  const session = await svc.sessions.get(sessionKeyOf(ctx.data));
  if (!session) throw new NemoError({ kind: 'session_lost', message: 'session vanished during recovery' });
  await d.card.maybeStillWorking();
  const state = await svc.nemo.getState(d.auth, session.sessionId);
  const fingerprint = draftFingerprint(state.draft);
  const checks = (ctx.data.recoverChecks ?? 0) + 1;
  const changed = fingerprint !== ctx.data.baseline?.fingerprint;
  const settled = changed && (fingerprint === ctx.data.recoverSeen || checks >= svc.config.TURN_RECOVERY_MAX_CHECKS);
  if (settled) {
    await ctx.save({ turnDone: true });
    return answerFromState(d, state);
  }
  await ctx.save({ recoverChecks: checks, recoverSeen: changed ? fingerprint : undefined });
  if (!changed && checks >= svc.config.TURN_RECOVERY_MAX_CHECKS) {
    throw new NemoError({ kind: ctx.data.lostWith ?? 'stream_dropped', message: `project unchanged after ${checks} checks` });
  }
  return waitFor(svc.config.TURN_RECOVERY_INTERVAL_MS);
}

/**
 * The turn is over but its answer is not known (the stream was lost) or was not posted (a platform
 * error after the turn): tell the user from the project state, and export when it is ready.
 */
export async function answerFromState(d: StepDeps, state: ProjectState): Promise<{ export: boolean }> {
  const { ctx, svc } = d;
  if (!ctx.data.replied) {
    await reply(d, t(d.target.lang, 'result.recovered'));
    const changes = describeStateChange(await loadBaseline(d.svc, d.ctx.id), state.draft, timelineWords(d.target.lang));
    if (changes.length) await reply(d, t(d.target.lang, 'result.silent_changed', { changes: changes.join(t(d.target.lang, 'result.changes_separator')) }));
  }
  const autoExport = ctx.data.replied ? !!ctx.data.exportAfterTurn : svc.config.AUTO_EXPORT && isReadyToExport(state.draft);
  await ctx.save({ replied: true, exportAfterTurn: autoExport });
  return { export: autoExport };
}
