/**
 * What a pressed button asks for. Most buttons become the intent they stand for (export, a turn with
 * a stored prompt, a new project…); Remix without a form asks for the new prompt by reply, and
 * Delete removes the result for its requester or an admin, refusing anyone else.
 */
import type { ButtonAction } from './buttons.js';
import { isAdminOf } from './gates.js';
import { deleteResult } from './history-commands.js';
import { t } from './i18n.js';
import type { Intent } from './intent.js';
import type { IncomingMessage } from './message.js';
import type { ChatTarget, Outbox, SendOptions } from './outbox.js';

/** The intent to go on with, or what to send (a private notice, or a message of its own) and stop. */
/** An intent a button may lead to (never another button, never /admin). */
export type ButtonIntent = Exclude<Intent, { kind: 'button' | 'admin' }>;

export type ButtonOutcome = { intent: ButtonIntent } | { notice: string } | { send: { text: string; opts: SendOptions } } | { done: true };

export async function buttonOutcome(action: ButtonAction, msg: IncomingMessage, outbox: Outbox, target: ChatTarget, privately: SendOptions): Promise<ButtonOutcome> {
  const { lang } = target;
  switch (action.action) {
    case 'export':
      return { intent: { kind: 'export' } };
    case 'retry':
    case 'answer':
      return { intent: { kind: 'turn', prompt: action.value ?? '' } };
    case 'new':
      return { intent: { kind: 'new' } };
    case 'credits':
      return { intent: { kind: 'credits' } };
    case 'status':
      return { intent: { kind: 'status' } };
    case 'open':
      return { intent: { kind: 'open' } };
    case 'aspect':
      return { intent: { kind: 'turn', prompt: t(lang, 'aspect.prompt', { ratio: action.value }) } };
    case 'remix':
      // No form on this platform: ask for the new prompt as a reply to a pre-filled message.
      return { send: { text: t(lang, 'remix.ask', { prompt: action.value }), opts: { ...privately, forceReply: { placeholder: t(lang, 'remix.placeholder') } } } };
    case 'delete': {
      const admin = action.userId !== msg.userId && (await isAdminOf(msg, outbox, target));
      const refusal = await deleteResult(outbox, target, msg, action, admin);
      return refusal ? { notice: refusal } : { done: true };
    }
  }
}
