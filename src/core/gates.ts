/**
 * What an admin's settings say about a message before anything is queued or reaches Nemo: the
 * channel allow-list, a paused queue (jobs already queued hold in the worker: pause-hold.ts), blocked words; and who counts as an admin (the platform says
 * so with the message, or the outbox asks, e.g. Telegram's chat admins; in a direct chat the user).
 */
import type { MessageKey } from './i18n.js';
import type { IncomingMessage } from './message.js';
import type { ChatTarget, Outbox } from './outbox.js';
import { blockedBy, type Settings } from './settings.js';

/** Why this work is refused here, or undefined when it may go on. */
export function workRefusal(settings: Settings, msg: IncomingMessage, prompt?: string): MessageKey | undefined {
  if (settings.channels.length && !msg.isDirect && !settings.channels.includes(msg.chatId)) return 'refuse.channel';
  if (settings.paused) return 'refuse.paused';
  if (prompt && blockedBy(prompt, settings.blocked)) return 'refuse.blocked';
  return undefined;
}

export async function isAdminOf(msg: IncomingMessage, outbox: Outbox, target: ChatTarget): Promise<boolean> {
  if (msg.isDirect || msg.isAdmin) return true;
  if (msg.isAdmin === false || !outbox.isAdmin) return false;
  return outbox.isAdmin(target, msg.userId).catch(() => false);
}
