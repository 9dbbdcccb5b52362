/**
 * The minimal shape of the Telegram updates the normalizer reads, checked with zod before it reads
 * them: a webhook accepts any JSON with an `update_id`, and a malformed one (a message without a
 * chat, a file without an id, a string where an object belongs) must be ignored, never crash.
 * Unknown fields pass through; only what the normalizer touches is checked.
 */
import { z } from 'zod';

const user = z.object({ id: z.number(), is_bot: z.boolean(), first_name: z.string().optional(), username: z.string().optional(), language_code: z.string().optional() }).passthrough();
const chat = z.object({ id: z.number(), type: z.string() }).passthrough();
const file = z.object({ file_id: z.string(), file_unique_id: z.string(), file_size: z.number().optional(), file_name: z.string().optional(), mime_type: z.string().optional() }).passthrough();
const entity = z
  .object({ type: z.string(), offset: z.number().int(), length: z.number().int(), user: z.object({ id: z.number() }).passthrough().optional() })
  .passthrough()
  .refine((e) => e.type !== 'text_mention' || e.user !== undefined, 'a text_mention names its user');

const message = z
  .object({
    message_id: z.number().int(),
    chat,
    from: user.optional(),
    text: z.string().optional(),
    caption: z.string().optional(),
    entities: z.array(entity).optional(),
    caption_entities: z.array(entity).optional(),
    photo: z.array(file.extend({ width: z.number(), height: z.number() })).optional(),
    document: file.optional(),
    animation: file.optional(),
    video: file.optional(),
    audio: file.optional(),
    voice: file.optional(),
    video_note: file.optional(),
    media_group_id: z.string().optional(),
    message_thread_id: z.number().optional(),
    is_topic_message: z.boolean().optional(),
    reply_to_message: z.object({ message_id: z.number(), from: user.optional() }).passthrough().optional(),
  })
  .passthrough();

export const updateShape = z
  .object({
    update_id: z.number(),
    message: message.optional(),
    callback_query: z.object({ id: z.string(), from: user, data: z.string().optional(), message: message.optional() }).passthrough().optional(),
  })
  .passthrough();

/** Whether the normalizer can read this update safely. */
export function isReadableUpdate(update: unknown): boolean {
  return updateShape.safeParse(update).success;
}
