/**
 * Lanes: each kind of work gets its own pool of worker slots, so one kind can never starve another.
 *
 * Why: a chat turn spends 30 s to 15 min waiting on Nemo's SSE stream. If turns, render polls and
 * deliveries shared one pool, a burst of new turns would hold every slot while finished renders
 * queued behind them. A job moves forward through the lanes as its steps change (turn → task →
 * transfer) and never back, so a hand-over is a one-way, idempotent step.
 *
 *   turn      the SSE turn (upload + stream + recovery checks): cheap, I/O-bound, thousands at once
 *   task      short calls: render start and polls, credits, status
 *   transfer  bandwidth-heavy: download the rendered video, upload it to the chat (few at once)
 */
import type { ConversationJobData } from './job-data.js';

export type Lane = 'turn' | 'task' | 'transfer';

export const LANES: readonly Lane[] = ['turn', 'task', 'transfer'];

/** The lane a job belongs in given its current step; undefined once it is done (any lane may finish it). */
export function laneOf(data: Pick<ConversationJobData, 'kind' | 'step'>): Lane | undefined {
  switch (data.step) {
    case 'start':
      return data.kind === 'turn' ? 'turn' : 'task';
    case 'turn':
      return 'turn';
    case 'export':
    case 'poll':
      return 'task';
    case 'download':
    case 'deliver':
      return 'transfer';
    case 'done':
      return undefined;
  }
}

