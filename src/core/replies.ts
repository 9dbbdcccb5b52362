/**
 * Buttons the core puts under its messages. Each is stored in the ButtonStore with the
 * conversation it belongs to, so a press from elsewhere is refused.
 */
import type { GuiAction } from '../nemo/draft.js';
import type { QuestionOption } from '../nemo/types.js';
import type { ButtonAction } from './buttons.js';
import { t, type MessageKey } from './i18n.js';
import type { JobContext } from './job-context.js';
import type { Button } from './outbox.js';
import type { CoreServices } from './services.js';

/** On a job that ran on its requester's own account, only they may press its buttons: they act on their project. */
const ownerOf = (ctx: JobContext): Pick<ButtonAction, 'owner'> => (ctx.data.account === 'personal' && ctx.data.target.userId ? { owner: ctx.data.target.userId } : {});

/**
 * One-tap buttons for what the agent's GUI wording pointed at: Export (when the project is ready and
 * the bot is not exporting by itself), a dragged edit ("Move the title to the end"), or another
 * on-screen button ("Apply"): pressing one sends it to the agent as the user's message.
 */
export async function guiButtons(svc: CoreServices, ctx: JobContext, actions: GuiAction[], o: { ready: boolean; exporting: boolean }): Promise<Button[][] | undefined> {
  const { conv, target } = ctx.data;
  const row: Button[] = [];
  for (const a of actions) {
    if (a.kind === 'export' && o.ready && !o.exporting) row.push(await svc.buttons.create(t(target.lang, 'btn.export_first'), { action: 'export', conv, jobId: ctx.id, ...ownerOf(ctx) }));
    if (a.kind === 'edit') row.push(await svc.buttons.create(t(target.lang, 'btn.edit', { text: a.instruction }).slice(0, 60), { action: 'answer', conv, value: a.instruction, jobId: ctx.id, ...ownerOf(ctx) }));
    if (a.kind === 'click') row.push(await svc.buttons.create(t(target.lang, 'btn.click', { text: a.label }).slice(0, 60), { action: 'answer', conv, value: a.label, jobId: ctx.id, ...ownerOf(ctx) }));
  }
  return row.length ? [row] : undefined;
}

/** One button per option of an `ask_question`; pressing it sends the option as the answer. */
export async function questionButtons(svc: CoreServices, ctx: JobContext, options: QuestionOption[]): Promise<Button[][] | undefined> {
  if (!options.length) return undefined;
  const buttons: Button[] = [];
  for (const o of options.slice(0, 10)) {
    buttons.push(await svc.buttons.create(o.label.slice(0, 60), { action: 'answer', conv: ctx.data.conv, value: o.label, jobId: ctx.id, ...ownerOf(ctx) }));
  }
  const rows: Button[][] = [];
  for (let i = 0; i < buttons.length; i += 3) rows.push(buttons.slice(i, i + 3));
  return rows;
}

/** Under a delivered video: export again, retry (same prompt), new project. */
export async function resultButtons(svc: CoreServices, ctx: JobContext): Promise<Button[][]> {
  const { conv, target, prompt } = ctx.data;
  return iterationButtons(svc, { conv, lang: target.lang, prompt, jobId: ctx.id, userId: target.userId, ...ownerOf(ctx) });
}

/**
 * The iteration buttons under a result (also when /show posts it again): export again, retry (same
 * prompt), remix (the prompt to edit first: a form or a reply), new project; then vertical 9:16, square 1:1, open in NemoVideo (a claim link, asked for
 * when pressed) and delete (the requester's). All of it lives in Redis, so a press works hours later,
 * after a restart, on any process.
 */
export async function iterationButtons(svc: Pick<CoreServices, 'buttons'>, o: { conv: string; lang: string; prompt: string; jobId: string; userId?: string; owner?: string }): Promise<Button[][]> {
  const { conv, lang, prompt, jobId } = o;
  const make = (key: MessageKey, action: Omit<ButtonAction, 'conv' | 'jobId'>) => svc.buttons.create(t(lang, key), { ...action, conv, jobId, ...(o.owner ? { owner: o.owner } : {}) });
  const first: Button[] = [await make('btn.export', { action: 'export' })];
  if (prompt.trim()) first.push(await make('btn.retry', { action: 'retry', value: prompt }), await make('btn.remix', { action: 'remix', value: prompt }));
  first.push(await make('btn.new', { action: 'new' }));
  const second: Button[] = [await make('btn.vertical', { action: 'aspect', value: '9:16' }), await make('btn.square', { action: 'aspect', value: '1:1' }), await make('btn.open', { action: 'open' })];
  if (o.userId) second.push(await make('btn.delete', { action: 'delete', userId: o.userId }));
  return [first, second];
}

/** Under a failure message: try the same thing again. */
export async function failureButtons(svc: CoreServices, ctx: JobContext): Promise<Button[][] | undefined> {
  const { conv, target, prompt, kind } = ctx.data;
  if (kind === 'export' || (kind === 'turn' && ctx.data.step !== 'turn')) {
    return [[await svc.buttons.create(t(target.lang, 'btn.retry'), { action: 'export', conv, jobId: ctx.id, ...ownerOf(ctx) })]];
  }
  if (kind === 'turn' && prompt.trim()) {
    return [[await svc.buttons.create(t(target.lang, 'btn.retry'), { action: 'retry', conv, value: prompt, jobId: ctx.id, ...ownerOf(ctx) })]];
  }
  return undefined;
}

/** The first answer after connecting starts with "ready" (once per connection; see runConversationJob). */
export async function withReady(svc: CoreServices, conv: string, lang: string, text: string): Promise<string> {
  return (await svc.redis.del(svc.keys.ready(conv))) === 1 ? `${t(lang, 'ready')}\n${text}` : text;
}
