/**
 * The status card: one message per job, edited in place with the stage and elapsed time, plus
 * "⏳ Still working..." whenever the user has seen nothing new for STILL_WORKING_INTERVAL_MS, and a
 * typing / uploading indicator while work runs.
 *
 * Edits are throttled (platform limits; identical text is skipped) and never fail the job: a
 * deleted card or a rate limit only costs a log line.
 */
import { cardText, formatElapsed, t, type MessageKey } from './i18n.js';
import type { JobContext } from './job-context.js';
import type { ChatAction, ChatTarget, MessageRef, Outbox } from './outbox.js';
import type { CoreServices } from './services.js';
import { parseMessageRef } from './status-ref.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class StatusCard {
  private ref?: MessageRef;
  private stageText = '';
  /** Set by `finish`: the card shows its final state (no ⏳ in front). */
  private final = false;
  private note = '';
  private lastText = '';
  private lastEditAt = 0;
  private editing: Promise<void> = Promise.resolve();

  constructor(
    private readonly svc: CoreServices,
    private readonly ctx: JobContext,
    private readonly outbox: Outbox,
    private readonly target: ChatTarget,
  ) {}

  /**
   * How often the card is refreshed (PROGRESS_EDIT_INTERVAL_MS): the product's cadence. The platform's
   * rate limits are not applied here but by the one edit pacer every outbox goes through (edit-pacer.ts).
   */
  private get minEditMs(): number {
    return this.svc.config.PROGRESS_EDIT_INTERVAL_MS;
  }

  /** Find the acknowledgement the bot process sent (it may still be in flight). */
  async load(): Promise<void> {
    const key = this.svc.keys.statusRef(this.ctx.id);
    for (let i = 0; i < 20 && !this.ref; i++) {
      const ref = parseMessageRef(await this.svc.redis.get(key));
      if (ref) this.ref = ref;
      else await sleep(100);
    }
  }

  /** Move to a new stage: edit the card now (if allowed) and count it as news for the user. */
  async stage(key: MessageKey, params: Record<string, string | number | undefined> = {}): Promise<void> {
    const text = t(this.target.lang, key, params);
    if (text === this.stageText) return;
    this.stageText = text;
    await this.markNews();
    await this.render(true);
  }

  /** Refresh the elapsed time (throttled, optional: skipped when the cosmetic budget is spent; not news). */
  async tick(): Promise<void> {
    if (Date.now() - this.lastEditAt < this.minEditMs) return;
    if (!this.svc.cosmetic.take(this.target.platform)) return;
    await this.render(false);
  }

  /** An optional stage update (a place in line that moved): shown when the cosmetic budget allows. */
  async optionalStage(key: MessageKey, params: Record<string, string | number | undefined> = {}): Promise<void> {
    if (!this.svc.cosmetic.take(this.target.platform)) return;
    await this.stage(key, params);
  }

  /** Final state of the card, with an optional last line (what the job cost). */
  async finish(key: 'stage.done' | 'stage.failed' | 'stage.cancelled', note = ''): Promise<void> {
    this.stageText = t(this.target.lang, key);
    this.note = note;
    this.final = true;
    await this.render(true, true);
  }

  /** Delete the card (quick answers replace their "Checking…" acknowledgement). */
  async remove(): Promise<void> {
    if (!this.ref) return;
    await this.editing;
    await this.outbox.deleteMessage(this.target, this.ref).catch((err) => this.ctx.log.debug({ err }, 'could not delete status card'));
    this.ref = undefined;
  }

  /** Send "⏳ Still working..." if nothing new was shown for the configured interval. */
  async maybeStillWorking(): Promise<void> {
    const last = this.ctx.data.lastNewsAt ?? this.ctx.data.createdAt;
    if (Date.now() - last < this.svc.config.STILL_WORKING_INTERVAL_MS) return;
    await this.markNews();
    await this.outbox
      .sendText(this.target, t(this.target.lang, 'still_working'))
      .catch((err) => this.ctx.log.warn({ err }, 'could not send still-working notice'));
  }

  async markNews(): Promise<void> {
    await this.ctx.save({ lastNewsAt: Date.now() });
  }

  /**
   * While `work` runs: keep the chat action alive (platforms show it ~5 s), refresh the elapsed time
   * and send still-working notices.
   */
  async during<T>(action: ChatAction, work: () => Promise<T>): Promise<T> {
    const beat = async () => {
      if (this.svc.cosmetic.take(this.target.platform)) await this.outbox.sendAction(this.target, action).catch(() => undefined);
      await this.maybeStillWorking();
      await this.tick();
    };
    const period = Math.max(50, Math.min(4_500, this.svc.config.STILL_WORKING_INTERVAL_MS / 4));
    void beat();
    const timer = setInterval(() => void beat(), period);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private compose(): string {
    const elapsed = formatElapsed(Date.now() - this.ctx.data.createdAt);
    const line = t(this.target.lang, this.final ? 'card.final' : 'card.working', { stage: this.stageText, elapsed });
    return cardText(this.target.lang, this.ctx.data.header, [line, this.note].filter(Boolean).join('\n'));
  }

  private render(important: boolean, force = false): Promise<void> {
    this.editing = this.editing.then(async () => {
      if (!this.ref || !this.stageText) return;
      const now = Date.now();
      if (!force && now - this.lastEditAt < this.minEditMs && !(important && now - this.lastEditAt >= this.minEditMs / 2)) return;
      // A stage change sooner than the edit interval is optional: under a burst of thousands of turns
      // only the budget's share go out, and the card catches up at its next edit.
      if (!force && this.lastEditAt > 0 && now - this.lastEditAt < this.minEditMs && !this.svc.cosmetic.take(this.target.platform)) return;
      const text = this.compose();
      if (text === this.lastText) return;
      this.lastEditAt = now;
      this.lastText = text;
      await this.outbox.editText(this.target, this.ref, text).catch((err) => this.ctx.log.debug({ err }, 'status edit failed'));
    });
    return this.editing;
  }
}
