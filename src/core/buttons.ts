/**
 * Buttons under bot messages, remembered in Redis.
 *
 * Platforms give us at most 64 (Telegram) or 100 (Discord) bytes of callback data, and a press can
 * arrive hours later on another process; so the button carries only a short random id and its
 * meaning (which conversation, which action) lives here. A press from another conversation is
 * refused, which also stops forged presses.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { BUTTON_TTL_S as TTL_S } from './defaults.js';
import type { Keys } from './keys.js';
import type { Button } from './outbox.js';
import { readStoredJson } from './stored-json.js';

export const buttonActionSchema = z.object({
  action: z.enum(['export', 'retry', 'new', 'credits', 'status', 'answer', 'aspect', 'open', 'delete', 'remix']),
  conv: z.string(),
  /** retry: the prompt to send again; answer: the option label to send; aspect: the ratio (9:16, 1:1); remix: the prompt to start from. */
  value: z.string().optional(),
  /** The job the button was made for. */
  jobId: z.string().optional(),
  /** delete: who asked for the result (only they, or an admin, may delete it). */
  userId: z.string().optional(),
  /** The job ran on this user's own account (/login): only they may press it (it acts on their project). */
  owner: z.string().optional(),
});
export type ButtonAction = z.infer<typeof buttonActionSchema>;


export class ButtonStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Store an action and return the button that triggers it. */
  async create(label: string, action: ButtonAction): Promise<Button> {
    const id = randomBytes(8).toString('base64url');
    await this.redis.set(this.keys.button(id), JSON.stringify(action), 'EX', TTL_S);
    // Remix opens a form (a Discord modal) where the platform has them.
    return action.action === 'remix' ? { id, label, form: true } : { id, label };
  }

  async resolve(id: string): Promise<ButtonAction | undefined> {
    return readStoredJson(await this.redis.get(this.keys.button(id)), buttonActionSchema);
  }
}
