/**
 * Answering through an interaction token (the acknowledgement of a slash command or button).
 *
 * Why: a slash command was deferred ("Nemo is thinking…") within Discord's 3 s; the deferred
 * message must then be *edited* (`PATCH /webhooks/:app/:token/messages/@original`), otherwise the
 * user sees "thinking…" until the token dies. The token lives 15 minutes while a generation may take
 * longer, so only the acknowledgement uses it; everything later goes to the channel with the bot
 * token. A button was deferred with `deferUpdate`, whose `@original` is the message carrying the
 * button (the result!) — editing it would overwrite the video's caption, so for buttons the
 * acknowledgement is a follow-up message instead. A second text for the same command (rare: an ack
 * and then a refusal) becomes a follow-up as well, so the first is not overwritten.
 *
 * Private answers (a refusal, a quota notice: `ephemeral`) are shown only to the user. A deferred
 * reply's visibility is fixed when it is deferred, and Discord turns the first follow-up after a
 * defer into an edit of the "thinking…" message, ignoring its flags (docs: Create Followup Message;
 * discord-api-docs #2866, #3466, #7091). Slash commands whose answer is usually public (/video) are
 * deferred publicly so the job card is seen by everyone; when such a command is refused, the public
 * "thinking…" is deleted first and the refusal is an ephemeral follow-up (after the delete it is a
 * new message whose flags count; #2739). Private commands (/login, /admin) were deferred
 * ephemerally and simply edit it.
 *
 * Interaction routes need no bot token (`auth: false`): the interaction token is the credential,
 * which is why it is never logged (see errors.ts) and never stored by the core.
 */
import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { z } from 'zod';
import { DiscordCode, discordCodeOf } from './errors.js';

/** What the gateway side puts in `IncomingMessage.platformMeta`. */
export interface InteractionMeta {
  interactionId: string;
  interactionToken: string;
  applicationId: string;
  /** `command` (deferred reply: edit @original) or `component` (deferred update: follow up). */
  interactionKind: 'command' | 'component';
  /** A command deferred ephemerally (only its user sees "thinking…" and the answer). */
  deferred?: 'ephemeral';
}

const metaSchema = z.object({
  interactionId: z.string().min(1),
  interactionToken: z.string().min(1),
  applicationId: z.string().min(1),
  interactionKind: z.enum(['command', 'component']).default('command'),
  deferred: z.literal('ephemeral').optional(),
});

/** Read interaction data from a target's `platformMeta`; `undefined` when absent or malformed. */
export function interactionMetaOf(meta: Record<string, string> | undefined): InteractionMeta | undefined {
  if (!meta) return undefined;
  const parsed = metaSchema.safeParse(meta);
  return parsed.success ? parsed.data : undefined;
}

/** Build the `platformMeta` record for an interaction. */
export function interactionMetaRecord(meta: InteractionMeta): Record<string, string> {
  return { ...meta };
}

/** Message flag: shown only to the user of the interaction. */
const EPHEMERAL = 64;

/** Interaction tokens stop working after 15 minutes; keep a small margin. */
export const INTERACTION_TOKEN_TTL_MS = 14 * 60_000;

const messageSchema = z.object({ id: z.string(), channel_id: z.string() });

export class InteractionReplies {
  /** Tokens whose `@original` was already used for text, with their expiry. */
  private readonly usedOriginal = new Map<string, number>();

  constructor(
    private readonly rest: REST,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Post `body` as the interaction's answer. Returns the Discord message (id + channel).
   * Throws the REST error when the token is dead; the caller then falls back to the channel.
   */
  async send(meta: InteractionMeta, body: object, o: { ephemeral?: boolean } = {}): Promise<{ id: string; channelId: string }> {
    this.prune();
    const { applicationId, interactionToken } = meta;
    const originalUnused = meta.interactionKind === 'command' && !this.usedOriginal.has(interactionToken);
    let raw: unknown;
    if (o.ephemeral && !(originalUnused && meta.deferred === 'ephemeral')) {
      if (originalUnused) {
        // The public "thinking…" would pass its visibility on to the answer: remove it first.
        await this.deleteOriginal(meta);
        this.usedOriginal.set(interactionToken, this.now() + INTERACTION_TOKEN_TTL_MS);
      }
      // A new follow-up (a button's deferred update, or after the first answer): only the user sees it.
      raw = await this.rest.post(Routes.webhook(applicationId, interactionToken), {
        body: { ...body, flags: EPHEMERAL },
        auth: false,
        query: new URLSearchParams({ wait: 'true' }),
      });
    } else if (originalUnused) {
      raw = await this.rest.patch(Routes.webhookMessage(applicationId, interactionToken, '@original'), { body, auth: false });
      this.usedOriginal.set(interactionToken, this.now() + INTERACTION_TOKEN_TTL_MS);
    } else {
      // Interaction follow-ups imply `wait=true`; passing it keeps the answer a message either way.
      raw = await this.rest.post(Routes.webhook(applicationId, interactionToken), {
        body,
        auth: false,
        query: new URLSearchParams({ wait: 'true' }),
      });
    }
    const msg = messageSchema.parse(raw);
    return { id: msg.id, channelId: msg.channel_id };
  }

  /** Delete the deferred "thinking…" (already gone is fine). */
  private async deleteOriginal(meta: InteractionMeta): Promise<void> {
    try {
      await this.rest.delete(Routes.webhookMessage(meta.applicationId, meta.interactionToken, '@original'), { auth: false });
    } catch (err) {
      if (discordCodeOf(err) !== DiscordCode.UnknownMessage) throw err;
    }
  }

  private prune(): void {
    const now = this.now();
    for (const [token, expires] of this.usedOriginal) if (expires <= now) this.usedOriginal.delete(token);
  }
}
