/**
 * The fake server's update stream, delivered the two ways Telegram delivers it.
 *
 * Long polling: getUpdates returns unconfirmed updates at once, or holds the request up to `timeout`
 * seconds until one arrives; an update is confirmed (gone for good) as soon as getUpdates is called
 * with an offset above its id; a second getUpdates while one is held gets 409, and a poller whose
 * connection drops frees its slot. Webhook: while a webhook is set, getUpdates gets 409 and updates
 * are POSTed one at a time with the secret header, each retried until a 2xx confirms it.
 */
import type { ServerResponse } from 'node:http';
import type { Update } from 'grammy/types';

export interface WebhookDelivery {
  updateId: number;
  status: number;
  at: number;
}

interface PendingPoll {
  res: ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
export const CONFLICT_POLLING = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
export const CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

export class UpdateQueue {
  /** Every update ever pushed, confirmed or not. */
  readonly all: Update[] = [];
  readonly webhookDeliveries: WebhookDelivery[] = [];
  webhook: { url: string; secret?: string } | undefined;
  private nextUpdateId = 100_000;
  /** Updates with an id below this were confirmed and are gone. */
  private confirmedBelow = 0;
  private poll: PendingPoll | undefined;
  private delivering = false;
  private closed = false;

  constructor(
    private readonly answer: (res: ServerResponse, updates: Update[]) => void,
    private readonly changed: () => void,
  ) {}

  push(body: Omit<Update, 'update_id'>): Update {
    const update = { update_id: ++this.nextUpdateId, ...body } as Update;
    this.all.push(update);
    this.changed();
    if (this.poll) {
      const ready = this.available(this.poll.offset, this.poll.limit);
      if (ready.length) this.answerPoll(ready);
    }
    if (this.webhook) void this.deliverWebhooks();
    return update;
  }

  pending(): Update[] {
    return this.all.filter((u) => u.update_id >= this.confirmedBelow);
  }

  /** Handle getUpdates: answers now or later through `answer`; returns a 409 description instead when refused. */
  getUpdates(p: { offset?: number; limit?: number; timeout?: number }, res: ServerResponse): string | undefined {
    if (this.webhook) return CONFLICT_WEBHOOK;
    if (this.poll) return CONFLICT_POLLING;
    const offset = p.offset ?? 0;
    if (offset > this.confirmedBelow) this.confirmedBelow = offset;
    const limit = p.limit ?? 100;
    const ready = this.available(offset, limit);
    if (ready.length || !p.timeout || this.closed) {
      this.answer(res, ready);
      return undefined;
    }
    const poll: PendingPoll = { res, offset, limit, timer: setTimeout(() => this.answerPoll([]), p.timeout * 1000) };
    this.poll = poll;
    // The poller went away (aborted, killed): free the slot like Telegram does when the connection drops.
    res.on('close', () => {
      if (this.poll === poll) {
        clearTimeout(poll.timer);
        this.poll = undefined;
      }
    });
    return undefined;
  }

  setWebhook(url: string, secret: string | undefined, dropPending: boolean): void {
    this.webhook = { url, ...(secret ? { secret } : {}) };
    if (dropPending) this.confirmedBelow = this.nextUpdateId + 1;
    void this.deliverWebhooks();
  }

  deleteWebhook(dropPending: boolean): void {
    this.webhook = undefined;
    if (dropPending) this.confirmedBelow = this.nextUpdateId + 1;
  }

  close(): void {
    this.closed = true;
    this.answerPoll([]);
  }

  private available(offset: number, limit: number): Update[] {
    const from = Math.max(offset, this.confirmedBelow);
    return this.all.filter((u) => u.update_id >= from).slice(0, limit);
  }

  private answerPoll(updates: Update[]): void {
    const poll = this.poll;
    if (!poll) return;
    this.poll = undefined;
    clearTimeout(poll.timer);
    this.answer(poll.res, updates);
  }

  /** Deliver unconfirmed updates to the webhook one at a time, retrying failures like Telegram. */
  private async deliverWebhooks(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      let failures = 0;
      while (this.webhook && !this.closed) {
        const next = this.all.find((u) => u.update_id >= this.confirmedBelow);
        if (!next) break;
        const hook = this.webhook;
        let status = 0;
        try {
          const r = await fetch(hook.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(hook.secret ? { [SECRET_HEADER]: hook.secret } : {}) },
            body: JSON.stringify(next),
          });
          status = r.status;
          await r.arrayBuffer();
        } catch {
          status = 0;
        }
        this.webhookDeliveries.push({ updateId: next.update_id, status, at: Date.now() });
        this.changed();
        if (status >= 200 && status < 300) {
          this.confirmedBelow = next.update_id + 1;
          failures = 0;
        } else if (++failures > 20) {
          break;
        } else {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      this.delivering = false;
    }
  }
}
