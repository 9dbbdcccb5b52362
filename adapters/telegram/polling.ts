/**
 * The long-poll loop: getUpdates → hand each update to its chat's chain → later getUpdates confirm
 * the finished ones.
 *
 * Why not grammY's `bot.start()`: it handles updates one at a time (a burst from a whole community
 * waits behind the slowest chat), treats a 409 as fatal (a lease takeover race would kill the bot)
 * and its `stop()` confirms the offset with one more getUpdates — sent even after we lost the lease,
 * where it would knock out the new holder's poll. Nor @grammyjs/runner: its concurrent mode confirms
 * updates before they are handled, so a crash loses them (eng-anchors §2.1).
 *
 * Delivery contract:
 * - updates of different chats are handled concurrently, those of one chat in order (keyed-chain.ts);
 *   a handler retrying with back-off holds up only its own chat;
 * - an update is confirmed only once it and every update before it were accepted (offset-window.ts):
 *   the getUpdates offset never passes an update still in hand, so a process killed at any moment
 *   leaves every unfinished update to the next poller, and the core drops what it already enqueued;
 * - the next getUpdates goes out while earlier updates are still in hand. Until the offset passes
 *   them Telegram returns them again; the window recognises them, so none is handled twice here.
 *   Since a new update cannot be long-polled for while older ones are unconfirmed, the loop asks
 *   again every `refetchMs` while updates are in hand (backing off to 1 s while nothing new comes),
 *   and goes back to a long poll (which confirms them all) as soon as the last one finishes;
 * - at most `limit` (100, Telegram's maximum) updates are in hand at once: every update this process
 *   holds lies within the 100 that follow the offset, because that is all a getUpdates can return;
 * - on top: abort at once when the lease is lost, confirm on a graceful stop only while still holding
 *   the lease, and non-fatal handling of 409.
 */
import { GrammyError, type Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../src/log.js';
import { KeyedChain } from '../shared/keyed-chain.js';
import { RetryLaterError } from '../../src/core/ingress.js';
import { toTelegramError } from './errors.js';
import { OffsetWindow } from './offset-window.js';

export interface PollerOptions {
  api: Api;
  logger: Logger;
  handle: (update: Update) => Promise<void>;
  /** Long-poll timeout in seconds (Telegram holds the request this long when idle). */
  timeoutSeconds?: number;
  allowedUpdates: ReadonlyArray<string>;
  /** Called once when Telegram rejects the token (401): polling cannot work. */
  onFatal?: (err: Error) => void;
  /** With updates in hand: ask Telegram for new ones this often (default 25 ms). */
  refetchMs?: number;
  /** First back-off of an update whose handler failed (default 1 s, doubling up to 30 s). */
  handlerRetryMs?: number;
}

/**
 * Tries per update whose handler throws before it is skipped with an error log. The core keeps what
 * it cannot take yet (its inbox); a `RetryLaterError` (it could not keep it) is retried without limit.
 */
const HANDLER_ATTEMPTS = 5;
const MAX_HANDLER_DELAY_MS = 30_000;
/** How long a graceful stop waits for the updates in hand. */
const STOP_GRACE_MS = 10_000;
/**
 * With updates in hand, the longest a new update waits before the next getUpdates asks for it: a
 * new update cannot be long-polled for while older ones are unconfirmed. Against the real Bot API
 * the round trip itself (tens of ms) spaces these requests further.
 */
const DEFAULT_REFETCH_MS = 25;
const MAX_REFETCH_MS = 1_000;
/** Updates per getUpdates (Telegram's maximum); also the most this process holds at once. */
const GET_UPDATES_LIMIT = 100;

/** Sleep that ends early on abort (and does not leave a listener behind when it does not). */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

export class LongPoller {
  private running = false;
  private abort = new AbortController();
  private window = new OffsetWindow();
  private readonly chats = new KeyedChain();
  private readonly idleWaiters = new Set<() => void>();
  private loopDone: Promise<void> = Promise.resolve();

  constructor(private readonly o: PollerOptions) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** Updates received and not yet accepted (tests, health). */
  get inFlight(): number {
    return this.window.inFlight;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.window = new OffsetWindow();
    this.loopDone = this.loop().catch((err: unknown) => {
      this.running = false;
      this.o.logger.error({ err }, 'telegram: poll loop crashed');
    });
  }

  /**
   * Stop polling; let the updates in hand finish (bounded); with `confirm`, tell Telegram which
   * updates are done so the next poller does not get them again.
   */
  async stop(opts: { confirm: boolean }): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    const grace = new AbortController();
    await Promise.race([Promise.all([this.loopDone, this.chats.idle()]), sleep(STOP_GRACE_MS, grace.signal)]);
    grace.abort();
    const offset = this.window.offset;
    if (opts.confirm && offset !== undefined) {
      try {
        await this.o.api.getUpdates({ offset, limit: 1, timeout: 0 });
      } catch (err) {
        this.o.logger.debug({ err: toTelegramError(err, 'getUpdates') }, 'telegram: final offset confirmation failed (updates will be re-delivered and deduplicated)');
      }
    }
  }

  /** Stop at once, confirming nothing more (lease lost, or a simulated crash). */
  halt(): void {
    this.running = false;
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    let firstCall = true;
    let quiet = 0;
    while (this.running) {
      const window = this.window;
      const offset = window.offset;
      let updates: Update[];
      try {
        updates = await this.o.api.getUpdates(
          {
            ...(offset !== undefined ? { offset } : {}),
            // With updates in hand Telegram answers at once anyway (they are still unconfirmed).
            timeout: window.size > 0 ? 0 : (this.o.timeoutSeconds ?? 30),
            limit: GET_UPDATES_LIMIT,
            // Telegram remembers allowed_updates; sending it once per start is enough.
            ...(firstCall ? { allowed_updates: [...this.o.allowedUpdates] as never } : {}),
          },
          // grammY types its signal with the abort-controller polyfill; Node's is compatible at runtime.
          this.abort.signal as Parameters<Api['getUpdates']>[1],
        );
        failures = 0;
        firstCall = false;
      } catch (err) {
        if (!this.running) break;
        failures++;
        const delay = await this.onPollError(err, failures);
        if (delay === undefined) break;
        await sleep(delay, this.abort.signal);
        continue;
      }
      if (!this.running) return; // lease lost: leave them unconfirmed for the next holder
      let fresh = 0;
      for (const update of updates) {
        if (!window.receive(update.update_id)) continue; // still in hand from an earlier answer
        fresh++;
        void this.chats.run(orderKey(update), () => this.handleOne(window, update));
      }
      // A full answer may have left more behind; if some of it finished meanwhile (the window has
      // room), ask again at once. Otherwise the answer held all there was, and with updates in hand
      // Telegram would answer at once with the same ones (a new update cannot be long-polled for
      // until they are confirmed): wait `refetchMs` — doubling up to 1 s while nothing new comes, a
      // chat stuck retrying say — or until the last one finishes, when the next request is a real
      // long poll that also confirms them all.
      quiet = fresh > 0 ? 0 : quiet + 1;
      const more = updates.length >= GET_UPDATES_LIMIT && window.size < GET_UPDATES_LIMIT;
      if (!more && window.size > 0) await this.untilIdleOr(Math.min(MAX_REFETCH_MS, (this.o.refetchMs ?? DEFAULT_REFETCH_MS) * 2 ** Math.max(0, Math.min(quiet - 1, 6))));
    }
  }

  /** Handle one update (its chat's earlier updates are done); mark it finished unless polling stopped. */
  private async handleOne(window: OffsetWindow, update: Update): Promise<void> {
    try {
      if (!this.running) return; // stopped while it waited behind its chat: the next poller gets it
      if (await this.handleWithRetries(update)) window.finish(update.update_id);
    } finally {
      if (window.size === 0) for (const wake of [...this.idleWaiters]) wake();
    }
  }

  /** Wait until no update is in hand, `ms` passes, or polling stops. */
  private untilIdleOr(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      const wake = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.idleWaiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** Milliseconds to wait before the next getUpdates, or undefined to give up. */
  private async onPollError(err: unknown, failures: number): Promise<number | undefined> {
    const clean = toTelegramError(err, 'getUpdates');
    if (err instanceof GrammyError) {
      if (err.error_code === 401) {
        this.running = false;
        this.o.logger.fatal({ err: clean }, 'telegram: the bot token was rejected (401); long polling stopped');
        this.o.onFatal?.(clean);
        return undefined;
      }
      if (err.error_code === 409) {
        this.o.logger.warn({ err: clean }, 'telegram: getUpdates conflict (409); another poller or a webhook is active');
        if (/webhook is active/i.test(err.description)) {
          await this.o.api.deleteWebhook().catch((e: unknown) => this.o.logger.warn({ err: toTelegramError(e, 'deleteWebhook') }, 'telegram: deleteWebhook failed'));
        }
        return 2_000;
      }
      if (err.error_code === 429) return (err.parameters.retry_after ?? 3) * 1000;
    }
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5));
    this.o.logger.warn({ err: clean, retryInMs: delay }, 'telegram: getUpdates failed; retrying');
    return delay;
  }

  /** True when the update was handled (or given up on); false when polling stopped meanwhile. */
  private async handleWithRetries(update: Update): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.o.handle(update);
        return true;
      } catch (err) {
        if (!this.running) return false;
        // The core could not keep it at all (Redis down and its in-memory inbox full): never skip it.
        if (attempt >= HANDLER_ATTEMPTS && !(err instanceof RetryLaterError)) {
          this.o.logger.error({ err, updateId: update.update_id, attempts: attempt }, 'telegram: giving up on an update after repeated failures');
          return true;
        }
        const delay = Math.min(MAX_HANDLER_DELAY_MS, (this.o.handlerRetryMs ?? 1000) * 2 ** (attempt - 1));
        this.o.logger.warn({ err, updateId: update.update_id, attempt, retryInMs: delay }, 'telegram: handling an update failed; retrying');
        await sleep(delay, this.abort.signal);
        if (!this.running) return false;
      }
    }
  }
}

/** Updates sharing this key are handled in order: the chat (or, for a button without its message, the user). */
export function orderKey(update: Update): string {
  const message = update.message ?? update.edited_message ?? update.channel_post ?? update.edited_channel_post ?? update.callback_query?.message;
  if (message) return `chat:${message.chat.id}`;
  if (update.callback_query) return `user:${update.callback_query.from.id}`;
  return 'other';
}
