/**
 * The history commands, answered at once in the bot process (no Nemo call): `/jobs` lists the
 * conversation's recent jobs, `/show <id>` posts a finished one again with its iteration buttons
 * (by the platform's stored file reference when it has one, else as a link), and the Delete button
 * removes a result for its requester.
 */
import { formatElapsed, t, type MessageKey } from './i18n.js';
import { JobHistory, type HistoryEntry } from './history.js';
import type { ButtonAction } from './buttons.js';
import type { IncomingMessage } from './message.js';
import type { ChatTarget, Outbox } from './outbox.js';
import { iterationButtons } from './replies.js';
import type { CoreServices } from './services.js';

type Deps = Pick<CoreServices, 'redis' | 'keys' | 'buttons'>;

const PROMPT_CHARS = 60;

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** One line per job: id, state, duration, cost, prompt, link. */
export function jobLine(lang: string, e: HistoryEntry): string {
  const parts = [`#${e.id}`, t(lang, `jobs.state.${e.state}` as MessageKey)];
  if (e.finishedAt) parts.push(formatElapsed(e.finishedAt - e.createdAt));
  if (e.cost !== undefined) parts.push(t(lang, 'jobs.cost', { cost: e.cost }));
  const prompt = e.kind === 'export' ? t(lang, 'jobs.kind.export') : `“${clip(e.prompt, PROMPT_CHARS)}”`;
  parts.push(prompt);
  const line = parts.join(' · ');
  return e.url ? `${line}\n   ${e.url}` : line;
}

export async function jobsText(deps: Deps, conv: string, lang: string): Promise<string> {
  const entries = await new JobHistory(deps.redis, deps.keys).recent(conv);
  if (!entries.length) return t(lang, 'jobs.none');
  return [t(lang, 'jobs.head', { count: entries.length }), ...entries.map((e) => jobLine(lang, e))].join('\n');
}

/** `/show <id>`: the video again (or its link) with its buttons; a refusal line when it cannot. Returns the refusal, or undefined when posted. */
export async function showJob(deps: Deps, outbox: Outbox, target: ChatTarget, msg: IncomingMessage, rawId: string): Promise<string | undefined> {
  const { lang } = target;
  const id = rawId.trim().replace(/^#/, '').toLowerCase();
  if (!id) return t(lang, 'show.usage');
  const entry = /^[a-z0-9]{1,32}$/.test(id) ? await new JobHistory(deps.redis, deps.keys).get(msg.conversationKey, id) : undefined;
  if (!entry) return t(lang, 'show.unknown', { id: clip(id, 32) });
  if (!entry.fileRef && !entry.url) return t(lang, 'show.no_video', { id: entry.id });
  const buttons = await iterationButtons(deps, { conv: msg.conversationKey, lang, prompt: entry.prompt, jobId: entry.jobId, userId: entry.userId, ...(entry.owner ? { owner: entry.owner } : {}) });
  const caption = t(lang, 'show.caption', { id: entry.id, prompt: clip(entry.prompt, 200) || undefined });
  const common = { replyTo: msg.replyToMessageId, buttons };
  if (entry.fileRef) {
    try {
      await outbox.sendVideo(target, { path: '', fileRef: entry.fileRef, sizeBytes: 0, fileName: `nemo-${entry.id}.mp4`, caption: caption.slice(0, outbox.limits.captionMaxChars), ...common });
      return undefined;
    } catch (err) {
      if (!entry.url) throw err; // nothing else to offer; the adapter reports the failure
    }
  }
  await outbox.sendLink(target, { url: entry.url!, text: caption, ...common });
  return undefined;
}

/** The Delete button: the requester's result goes away; anyone else gets a refusal (returned). */
export async function deleteResult(outbox: Outbox, target: ChatTarget, msg: IncomingMessage, action: ButtonAction, isAdmin: boolean): Promise<string | undefined> {
  if (action.userId !== msg.userId && !isAdmin) return t(target.lang, 'delete.refused');
  if (!msg.replyToMessageId) return undefined;
  await outbox.deleteMessage(target, { chatId: msg.chatId, messageId: msg.replyToMessageId });
  return undefined;
}
