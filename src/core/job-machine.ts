/**
 * The conversation job's state machine, in one place: its named steps, the transitions allowed
 * between them, and the loop that runs them.
 *
 *   start ─┬─ turn ──┬─ export ── poll ── download ── deliver ── done
 *          │         └──────────────────────────────────────────── done
 *          ├─ export (the Export button, /export)
 *          └─ done   (credits, status and Open in NemoVideo answer at once)
 *   poll → export: a failed render is retried once with a new id.
 *
 * A step does its work and returns either a transition (the next step plus the data it produced,
 * saved in one write before anything else happens, so a job resumed after a crash knows what was
 * done) or a `Wait` (resume this step later). The loop hands the job to another lane when its next
 * step belongs there (lanes.ts). Nothing is thrown to steer the queue: the run ends with a
 * `JobResult` that src/queue/worker.ts turns into BullMQ calls.
 */
import { answerCredits, answerOpen, answerStatus } from './answers.js';
import { download, deliver, poll, startRender } from './export.js';
import { FINISHED, goTo, isWait, type JobResult, type StepDeps, type StepOutcome } from './job-context.js';
import type { JobStep } from './job-data.js';
import { laneOf } from './lanes.js';
import { runTurnStep } from './turn.js';

type ActiveStep = Exclude<JobStep, 'done'>;

/** Every transition a job may take; anything else is a bug and fails the job loudly. */
export const TRANSITIONS: Readonly<Record<JobStep, readonly JobStep[]>> = {
  start: ['turn', 'export', 'done'],
  turn: ['export', 'done'],
  export: ['poll', 'done'],
  poll: ['download', 'export'],
  download: ['deliver'],
  deliver: ['done'],
  done: [],
};

const STEPS: Readonly<Record<ActiveStep, (d: StepDeps) => Promise<StepOutcome>>> = {
  async start(d) {
    switch (d.ctx.data.kind) {
      case 'turn':
        return goTo('turn');
      case 'export':
        return goTo('export');
      case 'credits':
        await answerCredits(d);
        return goTo('done');
      case 'status':
        await answerStatus(d);
        return goTo('done');
      case 'open':
        await answerOpen(d);
        return goTo('done');
    }
  },
  async turn(d) {
    const r = await runTurnStep(d);
    return isWait(r) ? r : goTo(r.export ? 'export' : 'done');
  },
  export: startRender,
  poll,
  download,
  deliver,
};

/** Run the job's steps from wherever it stands until it is done, waits, or belongs in another lane. */
export async function runSteps(d: StepDeps): Promise<JobResult> {
  const { ctx } = d;
  for (;;) {
    const from = ctx.data.step;
    if (from === 'done') return FINISHED;
    const lane = laneOf(ctx.data);
    if (lane && lane !== ctx.lane) return { kind: 'move', lane };
    const out = await STEPS[from](d);
    if (out.kind === 'wait') return out;
    if (!TRANSITIONS[from].includes(out.to)) throw new Error(`job ${ctx.id}: no transition from "${from}" to "${out.to}"`);
    await ctx.save({ ...out.save, step: out.to });
    if (out.then) return out.then;
  }
}
