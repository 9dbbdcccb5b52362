/**
 * Form buttons (Remix): a press opens a modal pre-filled by the core. A modal must be the first
 * answer to the press, so the core is asked before any defer; when it has no form (expired, foreign)
 * or is too slow, the press goes on as an ordinary button and the core answers it in the chat.
 */
import type { ButtonInteraction } from 'discord.js';
import type { ConversationIngress, IncomingMessage } from '../../src/core/message.js';
import type { Logger } from '../../src/log.js';
import { describeDiscordError } from './errors.js';
import { decodeFormButtonId } from './payload.js';

/** How long a press waits for its pre-filled text; beyond it, it is handled as a plain button (Discord's window is 3 s). */
const FORM_LOOKUP_MS = 1_500;
/** The modal's one text input; the submit handler reads it back by this id. */
export const FORM_INPUT_ID = 'prompt';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Show the form of a form button; false when this press is to be handled as a plain button. */
export async function openForm(i: ButtonInteraction, msg: IncomingMessage, ingress: ConversationIngress, logger: Logger): Promise<boolean> {
  const id = decodeFormButtonId(i.customId);
  if (!id || !ingress.formFor) return false;
  try {
    const form = await Promise.race([ingress.formFor(msg.conversationKey, id, msg.locale), sleep(FORM_LOOKUP_MS).then(() => undefined)]);
    if (!form) return false;
    await i.showModal({
      custom_id: i.customId,
      title: form.title.slice(0, 45),
      components: [{ type: 1, components: [{ type: 4, custom_id: FORM_INPUT_ID, label: form.label.slice(0, 45), style: 2, value: form.value.slice(0, 4000), required: true, max_length: 4000 }] }],
    });
    return true;
  } catch (err) {
    logger.warn({ error: describeDiscordError(err) }, 'discord: could not open the form; handling the press as a button');
    return false;
  }
}
