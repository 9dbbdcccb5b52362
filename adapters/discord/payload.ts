/**
 * Pure builders for Discord message bodies: content within 2000 characters, mentions limited to the
 * requester, buttons as action rows with `nb:<id>` custom ids, and replies that never fail because
 * the user deleted their message.
 *
 * Kept free of I/O so the exact JSON we send can be unit-tested and reused by the outbox for
 * channel messages, interaction edits and follow-ups alike.
 */
import { BUTTON_PREFIX, FORM_BUTTON_PREFIX } from '../../src/core/message.js';
import type { Button } from '../../src/core/outbox.js';

/** Discord's hard limits on message shape. */
export const DISCORD_LIMITS = {
  contentChars: 2000,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabelChars: 80,
  customIdChars: 100,
} as const;

const ELLIPSIS = '…';

/** Cut `text` to `max` characters (by code point, so an emoji is never split), marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
}

/** Encode a core button id as a Discord custom_id. */
export function encodeButtonId(id: string, form = false): string {
  return `${form ? FORM_BUTTON_PREFIX : BUTTON_PREFIX}${id}`.slice(0, DISCORD_LIMITS.customIdChars);
}

/** The core id of a form button's custom_id (`nbf:<id>`, it opens a modal); undefined for any other. */
export function decodeFormButtonId(customId: string): string | undefined {
  return customId.startsWith(FORM_BUTTON_PREFIX) && customId.length > FORM_BUTTON_PREFIX.length ? customId.slice(FORM_BUTTON_PREFIX.length) : undefined;
}

/** Decode a custom_id we created; `undefined` for components that are not ours. */
export function decodeButtonId(customId: string): string | undefined {
  const form = decodeFormButtonId(customId);
  if (form) return form;
  if (!customId.startsWith(BUTTON_PREFIX)) return undefined;
  const id = customId.slice(BUTTON_PREFIX.length);
  return id.length > 0 ? id : undefined;
}

export interface ButtonComponentJSON {
  type: 2;
  style: 2;
  label: string;
  custom_id: string;
}

export interface ActionRowJSON {
  type: 1;
  components: ButtonComponentJSON[];
}

/**
 * Rows of core buttons → action rows. Extra rows/buttons beyond Discord's 5×5 are dropped rather
 * than failing the whole message (a result without its 6th row is better than no result).
 */
export function buildComponents(buttons: Button[][] | undefined): ActionRowJSON[] {
  if (!buttons) return [];
  return buttons
    .filter((row) => row.length > 0)
    .slice(0, DISCORD_LIMITS.actionRows)
    .map((row) => ({
      type: 1 as const,
      components: row.slice(0, DISCORD_LIMITS.buttonsPerRow).map((b) => ({
        type: 2 as const,
        style: 2 as const, // Secondary: the core owns the meaning of each button, so none is styled as "the" action.
        label: truncate(b.label, DISCORD_LIMITS.buttonLabelChars) || '…',
        custom_id: encodeButtonId(b.id, b.form),
      })),
    }));
}

/** `<@id>` mention of a user. */
export function userMention(userId: string): string {
  return `<@${userId}>`;
}

/**
 * The message content: optional mention first (so it survives truncation), then the text, cut to
 * 2000 characters. `tail` (a download link) is kept whole and the text is shortened instead.
 */
export function fitContent(text: string, opts: { mentionUserId?: string; tail?: string } = {}): string {
  const head = opts.mentionUserId ? `${userMention(opts.mentionUserId)} ` : '';
  const tail = opts.tail ? `\n${opts.tail}` : '';
  const room = DISCORD_LIMITS.contentChars - Array.from(head).length - Array.from(tail).length;
  return `${head}${truncate(text, Math.max(0, room))}${tail}`.trim();
}

export interface AllowedMentionsJSON {
  parse: never[];
  users: string[];
  replied_user: boolean;
}

/**
 * Nobody is pinged except the requester we mention explicitly (and the author of the message we
 * reply to, who is the requester). A prompt containing `@everyone` must never ping a server.
 */
export function allowedMentions(opts: { mentionUserId?: string; replyTo?: string }): AllowedMentionsJSON {
  return { parse: [], users: opts.mentionUserId ? [opts.mentionUserId] : [], replied_user: Boolean(opts.replyTo) };
}

export interface MessageBodyJSON {
  content?: string;
  allowed_mentions: AllowedMentionsJSON;
  components: ActionRowJSON[];
  message_reference?: { message_id: string; fail_if_not_exists: false };
  attachments?: Array<{ id: number; filename: string }>;
}

export interface MessageBodyInput {
  text: string;
  mentionUserId?: string;
  replyTo?: string;
  buttons?: Button[][];
  /** Appended on its own line and never truncated (a link). */
  tail?: string;
}

/** Body of `POST /channels/:id/messages` (JSON, or `payload_json` of a multipart upload). */
export function buildMessageBody(input: MessageBodyInput): MessageBodyJSON {
  const content = fitContent(input.text, { mentionUserId: input.mentionUserId, tail: input.tail });
  const body: MessageBodyJSON = {
    allowed_mentions: allowedMentions(input),
    components: buildComponents(input.buttons),
  };
  if (content) body.content = content;
  if (input.replyTo) body.message_reference = { message_id: input.replyTo, fail_if_not_exists: false };
  return body;
}

/**
 * Body of an edit (channel message PATCH or interaction `@original`). Buttons that are not passed
 * are removed, matching Telegram's editMessageText, so both platforms behave the same for the core.
 */
export function buildEditBody(text: string, buttons: Button[][] | undefined, mentionUserId?: string) {
  return {
    content: fitContent(text, { mentionUserId }) || ELLIPSIS,
    components: buildComponents(buttons),
    allowed_mentions: allowedMentions({ mentionUserId }),
  };
}

/** A stable fingerprint of what an edit would show, to skip edits that change nothing. */
export function editFingerprint(text: string, buttons: Button[][] | undefined): string {
  return JSON.stringify([fitContent(text), buildComponents(buttons)]);
}
