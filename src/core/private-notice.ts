/**
 * Private notices: a refusal or a quota notice goes to the person concerned only.
 *
 * How, by platform capability (the core knows no platform):
 * - where the outbox can show a message to one person only (a Discord interaction: an ephemeral
 *   answer), it does so for `SendOptions.private`;
 * - where it cannot, but a bot may write to whoever started it (`Outbox.directNotices`: Telegram), a
 *   notice from a group goes to the person's direct chat, naming the group, and nothing is posted in
 *   the group. Whether they have a direct chat is a "reachable" record, written when they message the
 *   bot directly (pipelined with the ingress's first reads, so no extra round trip) and read only when
 *   a notice is due. A direct chat that refuses (the person blocked the bot) is forgotten;
 * - otherwise the notice stays in the group, addressed to them (a mention, `privateNotice`).
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { privateNotice } from './answer-target.js';
import { REACHABLE_TTL_S } from './defaults.js';
import { t } from './i18n.js';
import type { Keys } from './keys.js';
import type { IncomingMessage } from './message.js';
import { outboxErrorKind, type ChatTarget, type Outbox } from './outbox.js';
import { readStoredJson } from './stored-json.js';

/** The stored record: the person's direct chat with the bot. */
const reachableSchema = z.object({ chatId: z.string().min(1), conversationKey: z.string().min(1) });
type Reachable = z.infer<typeof reachableSchema>;

export class PrivateNotices {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly log: Logger,
  ) {}

  /**
   * Remember that the sender of a direct message can be written to privately. Only where the outbox
   * uses it; undefined (nothing to wait for) otherwise. Issued next to the ingress's reads, so the
   * write travels in the same round trip.
   */
  remember(msg: IncomingMessage, outbox: Outbox): Promise<unknown> | undefined {
    if (!msg.isDirect || !outbox.directNotices) return undefined;
    const record: Reachable = { chatId: msg.chatId, conversationKey: msg.conversationKey };
    return this.redis.set(this.keys.reachable(msg.platform, msg.userId), JSON.stringify(record), 'EX', REACHABLE_TTL_S);
  }

  /** Send `text` to the sender of `msg` only: their direct chat when that is how this platform does it, else as a private reply. */
  async send(outbox: Outbox, target: ChatTarget, msg: IncomingMessage, text: string): Promise<void> {
    if (!msg.isDirect && outbox.directNotices) {
      const dm = await this.reachable(msg);
      if (dm && (await this.sendDirect(outbox, target, msg, dm, text))) return;
    }
    await outbox.sendText(target, text, privateNotice(msg));
  }

  private async reachable(msg: IncomingMessage): Promise<Reachable | undefined> {
    // A damaged record reads as none.
    return readStoredJson(await this.redis.get(this.keys.reachable(msg.platform, msg.userId)), reachableSchema);
  }

  /** True when the notice reached the direct chat; false (the caller falls back to the group) otherwise. */
  private async sendDirect(outbox: Outbox, target: ChatTarget, msg: IncomingMessage, dm: Reachable, text: string): Promise<boolean> {
    const direct: ChatTarget = { platform: msg.platform, conversationKey: dm.conversationKey, chatId: dm.chatId, userId: msg.userId, isDirect: true, lang: target.lang };
    try {
      await outbox.sendText(direct, t(target.lang, 'notice.from_group', { group: msg.chatTitle, text }), { private: true });
      return true;
    } catch (err) {
      const kind = outboxErrorKind(err);
      // Blocked by the person (or their chat is gone): forget it until they write to the bot again.
      if (kind === 'forbidden' || kind === 'not_found') await this.redis.del(this.keys.reachable(msg.platform, msg.userId));
      this.log.info({ err, kind, platform: msg.platform }, 'private notice: the direct chat refused it; answering in the group');
      return false;
    }
  }
}
