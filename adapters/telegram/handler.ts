/**
 * What the bot does with one update, in polling and webhook mode alike: normalize it and hand it to
 * the core — nothing else. The handler awaits only `ingress.accept` (job in Redis) or the album
 * buffer (part in Redis), never Nemo, so the caller can confirm the update as soon as it returns and
 * one slow conversation never holds up the others.
 */
import type { Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../src/log.js';
import type { ConversationIngress, IncomingMessage } from '../../src/core/message.js';
import type { AlbumBuffer } from './album-buffer.js';
import { toTelegramError } from './errors.js';
import { normalizeUpdate, type BotIdentity } from './normalize.js';

export interface UpdateHandlerDeps {
  api: Api;
  bot: BotIdentity;
  ingress: ConversationIngress;
  albums: AlbumBuffer;
  logger: Logger;
}

export type UpdateHandler = (update: Update) => Promise<void>;

export function createUpdateHandler(d: UpdateHandlerDeps): UpdateHandler {
  return async (update) => {
    const n = normalizeUpdate(update, d.bot);
    switch (n.kind) {
      case 'ignore':
        d.logger.debug({ updateId: update.update_id, reason: n.reason }, 'telegram: update ignored');
        return;
      case 'album-part':
        await d.albums.add(n.mediaGroupId, n.part);
        return;
      case 'button': {
        // Answer first, whatever happens next: the user's client shows a spinner until we do.
        const answered = d.api
          .answerCallbackQuery(n.callbackQueryId)
          .catch((err: unknown) => d.logger.debug({ err: toTelegramError(err, 'answerCallbackQuery') }, 'telegram: answerCallbackQuery failed'));
        try {
          if (n.message) await accept(d, update.update_id, n.message);
        } finally {
          await answered;
        }
        return;
      }
      case 'message':
        await accept(d, update.update_id, n.message);
        return;
    }
  };
}

async function accept(d: UpdateHandlerDeps, updateId: number, msg: IncomingMessage): Promise<void> {
  // Polling confirms an update, and the webhook answers 200, only after this returns: Telegram keeps it until then.
  const r = await d.ingress.accept({ ...msg, redeliveredUntilAccepted: true });
  d.logger.debug({ updateId, conversationKey: msg.conversationKey, messageId: msg.messageId, outcome: r.outcome, jobId: r.jobId }, 'telegram: message accepted');
}
