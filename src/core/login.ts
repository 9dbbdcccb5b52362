/**
 * `/login <token>` and `/logout`: a user's own Nemo account for their jobs.
 *
 * Only in a direct chat: a token typed in a group is seen by everyone, so it is refused there (and
 * the message deleted where the bot may). The message carrying a token is deleted wherever the
 * platform allows, and the token is stored encrypted (token-vault.ts). From then on the user's jobs
 * run under it wherever they ask, each in the user's own project (account.ts): nothing shared needs
 * forgetting, and after /logout their jobs go back to the conversation's account and project.
 */
import type { Logger } from '../log.js';
import { t } from './i18n.js';
import type { IncomingMessage } from './message.js';
import type { ChatTarget, Outbox } from './outbox.js';
import type { CoreServices } from './services.js';
import { personalTokenSchema, tokenVault } from './token-vault.js';

type Deps = Pick<CoreServices, 'redis' | 'keys' | 'config'> & { log: Logger };

/** The answer to /login or /logout, and whether it is a private notice (a refusal). */
export interface LoginAnswer {
  text: string;
  refusal: boolean;
}

export async function login(deps: Deps, outbox: Outbox, target: ChatTarget, msg: IncomingMessage, token: string): Promise<LoginAnswer> {
  const { lang } = target;
  if (token) await deleteCarrier(deps, outbox, target, msg);
  if (!msg.isDirect) return { text: t(lang, 'login.group'), refusal: true };
  const vault = tokenVault(deps);
  if (!vault) return { text: t(lang, 'login.disabled'), refusal: true };
  const parsed = personalTokenSchema.safeParse(token.trim());
  if (!parsed.success) return { text: t(lang, 'login.usage'), refusal: true };
  await vault.save(msg.platform, msg.userId, parsed.data);
  return { text: t(lang, 'login.done'), refusal: false };
}

export async function logout(deps: Deps, msg: IncomingMessage, lang: string): Promise<LoginAnswer> {
  const vault = tokenVault(deps);
  const had = vault ? await vault.forget(msg.platform, msg.userId) : false;
  return { text: t(lang, had ? 'logout.done' : 'logout.none'), refusal: false };
}

/** Delete the user's message that carried a token, where the platform allows (best effort, never logged with it). */
async function deleteCarrier(deps: Deps, outbox: Outbox, target: ChatTarget, msg: IncomingMessage): Promise<void> {
  if (!/^\d+$/.test(msg.messageId)) return; // a slash command's option is no message of its own
  await outbox.deleteMessage(target, { chatId: msg.chatId, messageId: msg.messageId }).catch((err) => deps.log.info({ err }, 'could not delete the message carrying a token'));
}
