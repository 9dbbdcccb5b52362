/**
 * Which Telegram updates may be confirmed when several are handled at once.
 *
 * Telegram forgets an update as soon as getUpdates is called with an `offset` above its id. With
 * updates handled concurrently, one handled later than its successors (a slow chat) must hold the
 * offset back: the offset only moves past a *contiguous* run of finished updates, so a crash never
 * loses an update that was still in hand — it is delivered again, and the core drops what it had
 * already enqueued.
 *
 * The window also tells the poller which updates of a getUpdates answer are new: until the offset
 * passes them Telegram returns the in-hand ones again, and they must not be handled twice.
 */
export class OffsetWindow {
  /** Received, not yet confirmable, ascending by id. */
  private readonly entries: Array<{ id: number; done: boolean }> = [];
  private confirmable: number | undefined;

  /** The offset to send: every update below it is finished (undefined until one is). */
  get offset(): number | undefined {
    return this.confirmable;
  }

  /** Updates received and not yet finished. */
  get inFlight(): number {
    let n = 0;
    for (const e of this.entries) if (!e.done) n++;
    return n;
  }

  /** Received updates the offset has not passed yet (finished or not). */
  get size(): number {
    return this.entries.length;
  }

  /** Record a received update; false when it is already in hand or already confirmable (a repeat). */
  receive(id: number): boolean {
    if (this.confirmable !== undefined && id < this.confirmable) return false;
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.id > id) i--;
    if (i > 0 && this.entries[i - 1]!.id === id) return false;
    this.entries.splice(i, 0, { id, done: false });
    return true;
  }

  /** Mark an update finished; returns true when the offset moved. */
  finish(id: number): boolean {
    const e = this.entries.find((x) => x.id === id);
    if (!e) return false;
    e.done = true;
    let moved = false;
    while (this.entries[0]?.done) {
      this.confirmable = this.entries.shift()!.id + 1;
      moved = true;
    }
    return moved;
  }
}
