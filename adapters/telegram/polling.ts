/**
 * The long-poll loop: getUpdates → handle each update → the next getUpdates confirms them.
 *
 * Why not grammY's `bot.start()`: it treats a 409 as fatal (a lease takeover race would kill the
 * bot) and its `stop()` confirms the offset with one more getUpdates — sent even after we lost the
 * lease, where it would knock out the new holder's poll. This loop keeps grammY's delivery contract
 * (updates handled one at a time, in order; an update's offset is confirmed only by the getUpdates
 * that follows its handling) and adds: abort at once when the lease is lost, confirm on a graceful
 * stop only while still holding the lease, and non-fatal handling of 409.
 *
 * Because the handler only normalizes and awaits `ingress.accept` (which returns once the job is in
 * Redis), a process killed between getUpdates and the end of a handler leaves that update
 * unconfirmed: Telegram hands it to the next poller, and the core drops the duplicate if it had
 * already been enqueued.
 */
import { GrammyError, type Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../src/log.js';
import { toTelegramError } from './errors.js';

export interface PollerOptions {
  api: Api;
  logger: Logger;
  handle: (update: Update) => Promise<void>;
  /** Long-poll timeout in seconds (Telegram holds the request this long when idle). */
  timeoutSeconds?: number;
  allowedUpdates: ReadonlyArray<string>;
  /** Called once when Telegram rejects the token (401): polling cannot work. */
  onFatal?: (err: Error) => void;
}

/** Tries per update whose handler throws (e.g. Redis briefly down) before it is skipped with an error log. */
const HANDLER_ATTEMPTS = 5;
/** How long a graceful stop waits for the update in hand. */
const STOP_GRACE_MS = 10_000;

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
  private offset: number | undefined;
  private loopDone: Promise<void> = Promise.resolve();

  constructor(private readonly o: PollerOptions) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loopDone = this.loop().catch((err: unknown) => {
      this.running = false;
      this.o.logger.error({ err }, 'telegram: poll loop crashed');
    });
  }

  /**
   * Stop polling; let the update in hand finish (bounded); with `confirm`, tell Telegram which
   * updates are done so the next poller does not get them again.
   */
  async stop(opts: { confirm: boolean }): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    const grace = new AbortController();
    await Promise.race([this.loopDone, sleep(STOP_GRACE_MS, grace.signal)]);
    grace.abort();
    if (opts.confirm && this.offset !== undefined) {
      try {
        await this.o.api.getUpdates({ offset: this.offset, limit: 1, timeout: 0 });
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
    while (this.running) {
      let updates: Update[];
      try {
        updates = await this.o.api.getUpdates(
          {
            ...(this.offset !== undefined ? { offset: this.offset } : {}),
            timeout: this.o.timeoutSeconds ?? 30,
            limit: 100,
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
      for (const update of updates) {
        if (!this.running) return; // lease lost: leave the rest unconfirmed for the next holder
        if (!(await this.handleWithRetries(update))) return;
        this.offset = update.update_id + 1;
      }
    }
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
        if (attempt >= HANDLER_ATTEMPTS) {
          this.o.logger.error({ err, updateId: update.update_id, attempts: attempt }, 'telegram: giving up on an update after repeated failures');
          return true;
        }
        const delay = 1000 * 2 ** (attempt - 1);
        this.o.logger.warn({ err, updateId: update.update_id, attempt, retryInMs: delay }, 'telegram: handling an update failed; retrying');
        await sleep(delay, this.abort.signal);
        if (!this.running) return false;
      }
    }
  }
}
