/**
 * zod shapes of the normalized message (message.ts), for messages and attachments read back from
 * Redis (buffered album parts, job data): what was stored by another process or version is checked,
 * not cast.
 */
import { z } from 'zod';
import type { Attachment, IncomingMessage } from './message.js';

export const attachmentSchema = z.object({
  name: z.string(),
  mimeType: z.string().optional(),
  sizeBytes: z.number().nonnegative().optional(),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('url'), url: z.string() }),
    z.object({ kind: z.literal('platform'), ref: z.string() }),
    z.object({ kind: z.literal('path'), path: z.string() }),
  ]),
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
  attachments: z.array(attachmentSchema),
  replyToMessageId: z.string().optional(),
  locale: z.string().optional(),
  isDirect: z.boolean(),
  chatTitle: z.string().optional(),
  mentionsBot: z.boolean(),
  command: z.object({ name: z.string(), args: z.string() }).optional(),
  button: z.object({ id: z.string() }).optional(),
  platformMeta: z.record(z.string(), z.string()).optional(),
  redeliveredUntilAccepted: z.boolean().optional(),
  receivedAt: z.number(),
});

// The schemas and the interfaces describe the same records (fails to compile when they drift apart).
const _sameShape: [(x: z.infer<typeof attachmentSchema>) => Attachment, (x: z.infer<typeof incomingMessageSchema>) => IncomingMessage] = [(x) => x, (x) => x];
void _sameShape;
