/**
 * Everything the core's job logic needs, bundled so functions take one argument instead of eight.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { NemoApi } from '../nemo/types.js';
import type { ConversationLine } from './line.js';
import type { ButtonStore } from './buttons.js';
import type { JobQueue } from './job-queue.js';
import type { Keys } from './keys.js';
import type { OutboxRegistry, Outbox } from './outbox.js';
import type { Platform } from './message.js';
import type { SessionStore } from './sessions.js';
import type { TurnGate } from './turn-gate.js';
import type { UserShares } from './fair-shares.js';
import type { CosmeticBudget } from './cosmetic-budget.js';

export interface CoreServices {
  config: Config;
  redis: Redis;
  keys: Keys;
  nemo: NemoApi;
  sessions: SessionStore;
  buttons: ButtonStore;
  line: ConversationLine;
  jobs: JobQueue;
  /** The shared token's cap on concurrent turns. */
  gate: TurnGate;
  /** Optional chat updates are skipped beyond this per-process rate. */
  cosmetic: CosmeticBudget;
  /** Per-user caps on live jobs. */
  shares: UserShares;
  outboxes: OutboxRegistry;
  log: Logger;
  /** Directory for temporary files (inputs, rendered videos). */
  tempDir: string;
}

export function outboxFor(svc: Pick<CoreServices, 'outboxes'>, platform: Platform): Outbox {
  const outbox = svc.outboxes[platform];
  if (!outbox) throw new Error(`no outbox for platform ${platform} in this process`);
  return outbox;
}
