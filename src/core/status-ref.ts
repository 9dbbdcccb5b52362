/**
 * The acknowledgement / status message of a job, as stored in Redis by the bot process and read back
 * by workers (status card, cancellation, places in line). Read back through zod: a malformed or
 * foreign value is treated as absent, never trusted as a message reference.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keys } from './keys.js';
import type { MessageRef } from './outbox.js';
import { readStoredJson } from './stored-json.js';

const messageRefSchema = z.object({ chatId: z.string().min(1), messageId: z.string().min(1) });

/** Parse a stored status reference; undefined when it is missing or not one. */
export function parseMessageRef(raw: string | null | undefined): MessageRef | undefined {
  return readStoredJson(raw, messageRefSchema);
}

/** The status message of job `jobId`, if one was stored. */
export async function readStatusRef(redis: Redis, keys: Keys, jobId: string): Promise<MessageRef | undefined> {
  return parseMessageRef(await redis.get(keys.statusRef(jobId)));
}
