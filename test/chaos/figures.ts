/**
 * How each chaos job ended, read from what the user saw (the recording outbox) and what Nemo saw
 * (the simulator): delivered once, failed with a message, lost, or delivered twice; plus messages
 * sent to /run_sse twice and renders never polled to their end.
 */
import type { NemoSim } from '../../nemo-sim/index.js';
import type { RecordingOutbox } from '../helpers/recording-outbox.js';

export interface ChaosFigures {
  kills: number;
  jobs: number;
  delivered: number;
  'failed-with-message': number;
  lost: number;
  duplicates: number;
  resent: number;
  orphaned: number;
  /** Worker kills by the phase they interrupted. */
  phases: Record<string, number>;
  /** Bot processes killed between the platform event and the enqueue (or right after). */
  botKills: number;
  /** Of those, killed before the job was queued (only the inbox could save the message). */
  botKillsBeforeEnqueue: number;
  seconds: number;
}

/** Catalogue texts that end a job without a video (see src/core/i18n.ts). */
const FAILURE_TEXT = /interrupted several times|cannot tell whether it arrived|try again|Press Retry|Send "export"/i;

export type JobEnd = 'delivered' | 'failed' | undefined;

/** Where a tagged job stands: its videos, and whether it failed with a message. */
export function jobEnd(outbox: RecordingOutbox, chat: string, tag: string): { end: JobEnd; videos: number; texts: string[] } {
  const msgs = outbox.in(chat);
  const videos = msgs.filter((m) => m.kind === 'video' && m.text.includes(tag)).length;
  if (videos > 0) return { end: 'delivered', videos, texts: [] };
  // The job's messages: from its acknowledgement up to the next job's in this chat.
  // A bot process killed after the enqueue may never have acknowledged: its chat (one job) is the segment.
  const start = Math.max(0, msgs.findIndex((m) => m.kind === 'text' && m.text.includes(tag)));
  if (msgs.length === 0) return { end: undefined, videos, texts: [] };
  const next = msgs.findIndex((m, i) => i > start && m.kind === 'text' && /\[c\d+j\d+\]|\[b\d+\]/.test(m.text) && !m.text.includes(tag));
  const segment = msgs.slice(start, next < 0 ? undefined : next);
  const stopped = segment.some((m) => m.text.includes(tag) && /Stopped/.test(m.edits.at(-1) ?? ''));
  const told = segment.some((m) => m.kind === 'text' && FAILURE_TEXT.test(m.text));
  return { end: stopped || told ? 'failed' : undefined, videos, texts: segment.flatMap((m) => [m.text, ...m.edits.slice(-1)]) };
}

/** Messages that reached /run_sse more than once (each extra copy counts). */
export function resentTurns(sim: NemoSim): number {
  const seen = new Map<string, number>();
  for (const r of sim.requestsTo('run_sse')) {
    const text = (r.body as { new_message?: { parts?: Array<{ text?: string }> } }).new_message?.parts?.[0]?.text ?? '';
    seen.set(text, (seen.get(text) ?? 0) + 1);
  }
  return [...seen.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
}

/** Ids of renders started and never polled to their end (completed and seen as such, failed, or cancelled). */
export function orphanedRenders(sim: NemoSim): string[] {
  const out: string[] = [];
  for (const r of sim.renders.values()) {
    const job = r as { id: string; status: string; completedAt?: number; cancelled?: boolean };
    if (job.cancelled || job.status === 'failed') continue;
    const polledToEnd = job.completedAt !== undefined && sim.requestsTo('render_poll').some((p) => p.path.includes(encodeURIComponent(job.id)) && p.at >= job.completedAt!);
    if (!polledToEnd) out.push(job.id);
  }
  return out;
}

export function formatFigures(f: ChaosFigures): string {
  const main = (['kills', 'jobs', 'delivered', 'failed-with-message', 'lost', 'duplicates', 'resent', 'orphaned'] as const).map((k) => `${k}=${f[k]}`).join(', ');
  const phases = Object.entries(f.phases).map(([p, n]) => `${p}:${n}`).join(' ');
  return `chaos: ${main}\n  kills by phase: ${phases}\n  bot kills: ${f.botKills} (${f.botKillsBeforeEnqueue} before the enqueue)\n  ${f.seconds.toFixed(1)} s`;
}
