/**
 * zod schemas for the Bot API payloads the fake server reads.
 *
 * Why validate: a fake that accepts anything hides adapter bugs (a 70-byte callback_data, a caption of
 * 2000 chars, a reply to a non-numeric id). Each schema enforces the limits the real Bot API documents
 * and the fake answers violations with a 400 like Telegram does. Multipart bodies carry every field as
 * a string (grammY JSON-encodes objects), so numbers, booleans and objects are coerced first.
 */
import { z } from 'zod';

/** A field that may arrive as a JSON-encoded string (multipart) or as a value (JSON body). */
const jsonish = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }, schema);

const int = z.preprocess((v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v), z.number().int());
const bool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
const chatId = z.union([int, z.string().regex(/^@\w+$/)]);

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

export const inlineKeyboardSchema = z.object({
  inline_keyboard: z.array(
    z.array(
      z
        .object({
          text: z.string().min(1),
          callback_data: z
            .string()
            .refine((s) => byteLength(s) >= 1 && byteLength(s) <= 64, 'BUTTON_DATA_INVALID: callback_data must be 1-64 bytes')
            .optional(),
          url: z.string().url().optional(),
        })
        .refine((b) => (b.callback_data === undefined) !== (b.url === undefined), 'exactly one of callback_data / url'),
    ),
  ),
});
export type InlineKeyboard = z.infer<typeof inlineKeyboardSchema>;

/** ForceReply: the client opens a reply to the message (placeholder up to 64 characters). */
export const forceReplySchema = z.object({
  force_reply: z.literal(true),
  input_field_placeholder: z.string().min(1).max(64).optional(),
  selective: z.boolean().optional(),
});
export type ForceReply = z.infer<typeof forceReplySchema>;

const replyParameters = z.object({ message_id: int, allow_sending_without_reply: bool.optional(), chat_id: chatId.optional() });

const entity = z.object({ type: z.string(), offset: int, length: int, url: z.string().optional() }).passthrough();

const common = {
  chat_id: chatId,
  message_thread_id: int.optional(),
  reply_parameters: jsonish(replyParameters).optional(),
  reply_markup: jsonish(z.union([inlineKeyboardSchema, forceReplySchema])).optional(),
};

export const schemas = {
  getMe: z.object({}).passthrough(),
  getWebhookInfo: z.object({}).passthrough(),
  getUpdates: z.object({
    offset: int.optional(),
    limit: int.pipe(z.number().min(1).max(100)).optional(),
    timeout: int.pipe(z.number().min(0)).optional(),
    allowed_updates: jsonish(z.array(z.string())).optional(),
  }),
  setWebhook: z.object({
    url: z.string(),
    secret_token: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'secret_token: 1-256 of A-Z a-z 0-9 _ -').optional(),
    allowed_updates: jsonish(z.array(z.string())).optional(),
    drop_pending_updates: bool.optional(),
    max_connections: int.optional(),
  }),
  deleteWebhook: z.object({ drop_pending_updates: bool.optional() }),
  setMyCommands: z.object({
    commands: jsonish(
      z.array(z.object({ command: z.string().regex(/^[a-z0-9_]{1,32}$/), description: z.string().min(1).max(256) })).max(100),
    ),
    language_code: z.string().optional(),
    scope: jsonish(z.object({ type: z.string() }).passthrough()).optional(),
  }),
  sendMessage: z.object({
    ...common,
    text: z.string().min(1, 'message text is empty').max(4096, 'message is too long'),
    entities: jsonish(z.array(entity)).optional(),
    parse_mode: z.string().optional(),
    link_preview_options: jsonish(z.object({}).passthrough()).optional(),
  }),
  editMessageText: z.object({
    chat_id: chatId,
    message_id: int,
    text: z.string().min(1, 'message text is empty').max(4096, 'message is too long'),
    reply_markup: jsonish(inlineKeyboardSchema).optional(),
    entities: jsonish(z.array(entity)).optional(),
    parse_mode: z.string().optional(),
    link_preview_options: jsonish(z.object({}).passthrough()).optional(),
  }),
  deleteMessage: z.object({ chat_id: chatId, message_id: int }),
  sendChatAction: z.object({
    chat_id: chatId,
    message_thread_id: int.optional(),
    action: z.enum(['typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note']),
  }),
  answerCallbackQuery: z.object({ callback_query_id: z.string().min(1), text: z.string().max(200).optional(), show_alert: bool.optional() }),
  getFile: z.object({ file_id: z.string().min(1) }),
  getChatMember: z.object({ chat_id: chatId, user_id: int }),
  sendVideo: z.object({
    ...common,
    video: z.string().min(1),
    caption: z.string().max(1024, 'message caption is too long').optional(),
    caption_entities: jsonish(z.array(entity)).optional(),
    supports_streaming: bool.optional(),
    /** `attach://<part>`: a multipart file part (Telegram takes no thumbnail by file_id or URL). */
    thumbnail: z.string().regex(/^attach:\/\/.+/, 'thumbnail must be uploaded').optional(),
    width: int.optional(),
    height: int.optional(),
    duration: int.optional(),
  }),
  sendDocument: z.object({
    ...common,
    document: z.string().min(1),
    caption: z.string().max(1024, 'message caption is too long').optional(),
    caption_entities: jsonish(z.array(entity)).optional(),
  }),
} as const;

export type FakeMethod = keyof typeof schemas;
export const isFakeMethod = (m: string): m is FakeMethod => Object.hasOwn(schemas, m);
