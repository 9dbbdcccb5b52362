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
 * Interaction routes need no bot token (`auth: false`): the interaction token is the credential,
 * which is why it is never logged (see errors.ts) and never stored by the core.
 */
import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { z } from 'zod';

/** What the gateway side puts in `IncomingMessage.platformMeta`. */
export interface InteractionMeta {
  interactionId: string;
  interactionToken: string;
  applicationId: string;
  /** `command` (deferred reply: edit @original) or `component` (deferred update: follow up). */
  interactionKind: 'command' | 'component';
}

const metaSchema = z.object({
  interactionId: z.string().min(1),
  interactionToken: z.string().min(1),
  applicationId: z.string().min(1),
  interactionKind: z.enum(['command', 'component']).default('command'),
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
    let raw: unknown;
    if (o.ephemeral && meta.interactionKind === 'component') {
      // A button was deferred with an update, so a follow-up may be ephemeral: only the presser sees it.
      // (A deferred slash command's first follow-up replaces "thinking…" and keeps its visibility.)
      raw = await this.rest.post(Routes.webhook(applicationId, interactionToken), {
        body: { ...body, flags: EPHEMERAL },
        auth: false,
        query: new URLSearchParams({ wait: 'true' }),
      });
    } else if (meta.interactionKind === 'command' && !this.usedOriginal.has(interactionToken)) {
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

  private prune(): void {
    const now = this.now();
    for (const [token, expires] of this.usedOriginal) if (expires <= now) this.usedOriginal.delete(token);
  }
}
