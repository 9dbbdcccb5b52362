/**
 * The platform port: everything the rest of nemo-bot needs from one chat platform, supplied by its
 * adapter folder (adapters/<id>/platform.ts) and listed once in the registry (registry.ts).
 *
 * The core never names a platform: it gets normalized messages through `ConversationIngress` and
 * answers through the `Outbox` the adapter creates; `main.ts` starts whatever the registry lists.
 */
import type { Redis } from 'ioredis';
import type { Config, ConfigSection } from '../config.js';
import type { ConversationIngress, Platform } from '../core/message.js';
import type { Outbox } from '../core/outbox.js';
import type { Logger } from '../log.js';

/** A running platform connection (bot processes): the receiving side. */
export interface PlatformConnection {
  stop(): Promise<void>;
  /** For /readyz: whether the connection is up (or standing by to take over), and how. */
  readiness?(): { ok: boolean; detail: string };
}

export interface PlatformContext {
  config: Config;
  logger: Logger;
}

export interface PlatformAdapter {
  /** The platform id messages and jobs carry (lower-case letters, digits, dashes). */
  readonly id: Platform;
  /** Its environment variables (adapters/<id>/config.ts), composed into the one schema (src/platforms/config.ts). */
  readonly config?: ConfigSection;
  /** Whether this deployment uses the platform (usually: its token is set). */
  enabled(config: Config): boolean;
  /** What to set to enable it (shown when no platform is configured); none for platforms `npm start` never runs. */
  readonly enableHint?: string;
  /** Config values that must never reach a log (tokens, webhook secrets). */
  secrets(config: Config): string[];
  /** Shapes of this platform's tokens (global regexps), scrubbed from every log line wherever they appear. */
  readonly tokenPatterns?: readonly RegExp[];
  /** Posting (any process; workers post results without a platform connection). */
  createOutbox(ctx: PlatformContext): Outbox;
  /**
   * Receiving (bot processes): connect, register the bot's commands, normalize events and hand them
   * to `ingress`; attachments stay refs the outbox resolves later (`Outbox.resolveAttachment`).
   */
  start(ctx: PlatformContext & { ingress: ConversationIngress; redis: Redis }): Promise<PlatformConnection>;
}

const PLATFORM_ID = /^[a-z][a-z0-9-]{0,31}$/;

/** Check an adapter's id: it becomes part of conversation keys, job ids and Redis keys. */
export function assertPlatformId(id: string): void {
  if (!PLATFORM_ID.test(id)) throw new Error(`platform id "${id}" must match ${PLATFORM_ID}`);
}
