/**
 * The normalized message as a zod schema: what is read back from Redis (the inbox) is checked
 * before the core acts on it, so a corrupt or outdated entry is reported instead of half-processed.
 */
import { z } from 'zod';
import type { IncomingMessage } from './message.js';

const source = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('url'), url: z.string() }),
  z.object({ kind: z.literal('platform'), ref: z.string() }),
  z.object({ kind: z.literal('path'), path: z.string() }),
]);

const attachment = z.object({
  name: z.string(),
  mimeType: z.string().optional(),
  sizeBytes: z.number().nonnegative().optional(),
  source,
  byUrl: z.boolean().optional(),
});

export const incomingMessageSchema = z.object({
  platform: z.string().min(1),
  conversationKey: z.string().min(1),
  chatId: z.string().min(1),
  threadId: z.string().optional(),
  userId: z.string(),
  userName: z.string(),
  messageId: z.string().min(1),
  text: z.string(),
  attachments: z.array(attachment),
  replyToMessageId: z.string().optional(),
  locale: z.string().optional(),
  isDirect: z.boolean(),
  mentionsBot: z.boolean(),
  command: z.object({ name: z.string(), args: z.string() }).optional(),
  button: z.object({ id: z.string() }).optional(),
  platformMeta: z.record(z.string(), z.string()).optional(),
  receivedAt: z.number(),
}) satisfies z.ZodType<IncomingMessage>;
