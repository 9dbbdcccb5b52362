/**
 * Running the Telegram side of a bot process: identity, command menu, album sweeper, and either
 * lease-guarded long polling or a webhook server.
 *
 * Long polling (default) needs the lease (poll-lease.ts) because Telegram allows one poller per
 * token; every bot process runs this and the standbys wait for the holder to die. Webhook mode
 * (TELEGRAM_WEBHOOK_URL set) needs no lease: each process serves whatever Telegram sends it.
 */
import type { Redis } from 'ioredis';
import type { Api } from 'grammy';
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import { Keys } from '../../src/core/keys.js';
import type { ConversationIngress } from '../../src/core/message.js';
import { AlbumBuffer } from './album-buffer.js';
import { createApi } from './api.js';
import { registerCommands } from './commands.js';
import { toTelegramError } from './errors.js';
import { createUpdateHandler } from './handler.js';
import { PollLease } from './poll-lease.js';
import { LongPoller } from './polling.js';
import { startWebhookServer, type WebhookServer } from './webhook.js';

/** The only update types we act on; asking for fewer saves Telegram and us work. */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/**
 * Webhook mode: how many requests Telegram may have open to us at once (its maximum; default 40).
 * Each request is answered as soon as its update is accepted, and the server handles requests
 * concurrently, so a burst is limited by this number, not by one chat's slow update.
 */
export const WEBHOOK_MAX_CONNECTIONS = 100;

export interface TelegramBotOptions {
  config: Config;
  ingress: ConversationIngress;
  redis: Redis;
  logger: Logger;
  /** Long-poll timeout in seconds (default 30). */
  pollTimeoutSeconds?: number;
  /** First back-off of an update whose handler failed (default 1 s, doubling). */
  handlerRetryMs?: number;
  /** Quiet time before an album is merged (default 700 ms). */
  albumQuietMs?: number;
  /** Use this Api (e.g. shared with the outbox); one is created from the config otherwise. */
  api?: Api;
}

export interface TelegramBot {
  readonly mode: 'polling' | 'webhook';
  /** Polling mode: this process holds the lease and is long-polling right now. */
  readonly isPolling: boolean;
  /** Webhook mode: the port the server listens on. */
  readonly webhookPort: number | undefined;
  /** Graceful: finish the updates in hand, confirm them (if still the lease holder), release the lease. */
  stop(): Promise<void>;
  /** Stop everything at once without releasing or confirming anything, like a killed process. */
  kill(): void;
}

export async function startTelegramBot(opts: TelegramBotOptions): Promise<TelegramBot> {
  const { config, redis } = opts;
  const log = opts.logger.child({ component: 'telegram' });
  const api = opts.api ?? createApi(config);

  let me;
  try {
    me = await api.getMe();
  } catch (err) {
    throw toTelegramError(err, 'getMe');
  }
  const bot = { id: me.id, username: me.username };
  log.info({ username: me.username }, 'telegram: bot identity loaded');
  await registerCommands(api, log);

  const albums = new AlbumBuffer({
    redis,
    prefix: config.QUEUE_PREFIX,
    logger: log,
    ...(opts.albumQuietMs !== undefined ? { quietMs: opts.albumQuietMs } : {}),
    onAlbum: async (msg) => {
      const r = await opts.ingress.accept(msg);
      log.debug({ conversationKey: msg.conversationKey, messageId: msg.messageId, outcome: r.outcome }, 'telegram: album accepted');
    },
  });
  albums.start();
  const handle = createUpdateHandler({ api, bot, ingress: opts.ingress, albums, logger: log });

  if (config.TELEGRAM_WEBHOOK_URL) {
    const url = config.TELEGRAM_WEBHOOK_URL;
    const secret = config.TELEGRAM_WEBHOOK_SECRET;
    if (!secret) throw new Error('TELEGRAM_WEBHOOK_SECRET is required in webhook mode');
    let server: WebhookServer;
    try {
      server = await startWebhookServer({ port: config.TELEGRAM_WEBHOOK_PORT, path: new URL(url).pathname || '/', secret, handle, logger: log });
      await api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES], max_connections: WEBHOOK_MAX_CONNECTIONS });
    } catch (err) {
      albums.kill();
      throw toTelegramError(err, 'setWebhook');
    }
    return {
      mode: 'webhook',
      isPolling: false,
      webhookPort: server.port,
      async stop() {
        // The webhook stays registered: other processes may still be serving it.
        await server.close();
        await albums.stop();
      },
      kill() {
        server.kill();
        albums.kill();
      },
    };
  }

  let poller: LongPoller | undefined;
  let stopped = false;
  let transition: Promise<void> = Promise.resolve();
  const lease = new PollLease(redis, new Keys(config.QUEUE_PREFIX).platformKey('telegram', 'poll-lease'), config.TELEGRAM_POLL_LEASE_MS, log, {
    onAcquired() {
      transition = transition.then(async () => {
        if (stopped || !lease.held) return;
        // Like grammY's bot.start(): a leftover webhook would make every getUpdates fail with 409.
        await api.deleteWebhook().catch((err: unknown) => log.warn({ err: toTelegramError(err, 'deleteWebhook') }, 'telegram: deleteWebhook failed'));
        if (stopped || !lease.held) return;
        poller = new LongPoller({
          api,
          logger: log,
          handle,
          allowedUpdates: ALLOWED_UPDATES,
          ...(opts.pollTimeoutSeconds !== undefined ? { timeoutSeconds: opts.pollTimeoutSeconds } : {}),
          ...(opts.handlerRetryMs !== undefined ? { handlerRetryMs: opts.handlerRetryMs } : {}),
          onFatal: () => void lease.release(),
        });
        poller.start();
      });
    },
    onLost() {
      poller?.halt();
      poller = undefined;
    },
  });
  lease.start();

  return {
    mode: 'polling',
    get isPolling() {
      return lease.held && poller?.isRunning === true;
    },
    webhookPort: undefined,
    async stop() {
      stopped = true;
      await transition;
      await poller?.stop({ confirm: lease.held });
      poller = undefined;
      await lease.release();
      await albums.stop();
    },
    kill() {
      stopped = true;
      lease.kill();
      poller?.halt();
      poller = undefined;
      albums.kill();
    },
  };
}
