/**
 * Per-channel pacing of message edits.
 *
 * Why: Discord does not publish per-route limits, and progress cards edited every second trip
 * 429s that then delay the *result* message too (ux-anchors §2 item 8; mold and nonoo settle on
 * ≥3 s). So at most one edit per channel per interval goes out. Edits that arrive while one is
 * waiting *replace* the waiting edit of the same message (only the newest progress text matters);
 * every caller's promise settles when the edit that superseded theirs is done, so nobody waits on
 * a stale request and no backlog builds up. `schedule` also says whether the edit starts at once,
 * so a caller that must not block (a progress card ticking every second) can return immediately
 * and let the newest text go out when the slot opens.
 */

type Task = () => Promise<void>;

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface PendingEdit {
  task: Task;
  waiters: Waiter[];
}

interface ChannelLane {
  /** Earliest time the next edit in this channel may start. */
  nextAt: number;
  /** Waiting edits by message key, oldest first (Map keeps insertion order). */
  pending: Map<string, PendingEdit>;
  timer?: NodeJS.Timeout;
  running: boolean;
}

export class EditThrottle {
  private readonly lanes = new Map<string, ChannelLane>();

  constructor(
    /** Minimum time between two edits in one channel. */
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Queue `task` (the edit of `messageKey` in `channelId`) for the channel's next slot. A later call
   * for the same message replaces this task before it starts. `immediate` tells whether the slot
   * was free (the edit starts now) or the edit waits for the interval to pass.
   */
  schedule(channelId: string, messageKey: string, task: Task): { done: Promise<void>; immediate: boolean } {
    const lane = this.lane(channelId);
    const immediate = !lane.running && !lane.timer && lane.pending.size === 0 && lane.nextAt <= this.now();
    const done = new Promise<void>((resolve, reject) => {
      const existing = lane.pending.get(messageKey);
      if (existing) {
        existing.task = task;
        existing.waiters.push({ resolve, reject });
      } else {
        lane.pending.set(messageKey, { task, waiters: [{ resolve, reject }] });
      }
      this.arm(channelId, lane);
    });
    return { done, immediate };
  }

  /** Queue `task` and wait until it (or the edit that replaced it) has run. */
  run(channelId: string, messageKey: string, task: Task): Promise<void> {
    return this.schedule(channelId, messageKey, task).done;
  }

  /** Drop a waiting edit (the message is being deleted); its callers resolve. */
  cancel(channelId: string, messageKey: string): void {
    const lane = this.lanes.get(channelId);
    const pending = lane?.pending.get(messageKey);
    if (!lane || !pending) return;
    lane.pending.delete(messageKey);
    for (const w of pending.waiters) w.resolve();
  }

  /** Whether an edit of this message is waiting (used to decide whether "unchanged" can be skipped). */
  hasPending(channelId: string, messageKey: string): boolean {
    return this.lanes.get(channelId)?.pending.has(messageKey) ?? false;
  }

  /** Drop timers (pending callers are rejected); used when the outbox shuts down. */
  close(): void {
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      for (const p of lane.pending.values()) for (const w of p.waiters) w.reject(new Error('edit throttle closed'));
      lane.pending.clear();
    }
    this.lanes.clear();
  }

  private lane(channelId: string): ChannelLane {
    let lane = this.lanes.get(channelId);
    if (!lane) {
      lane = { nextAt: 0, pending: new Map(), running: false };
      this.lanes.set(channelId, lane);
    }
    return lane;
  }

  private arm(channelId: string, lane: ChannelLane): void {
    if (lane.running || lane.timer || lane.pending.size === 0) return;
    const delay = Math.max(0, lane.nextAt - this.now());
    lane.timer = setTimeout(() => void this.flush(channelId, lane), delay);
  }

  private async flush(channelId: string, lane: ChannelLane): Promise<void> {
    lane.timer = undefined;
    const first = lane.pending.entries().next();
    if (first.done) return;
    const [key, edit] = first.value;
    lane.pending.delete(key);
    lane.running = true;
    try {
      await edit.task();
      for (const w of edit.waiters) w.resolve();
    } catch (err) {
      for (const w of edit.waiters) w.reject(err);
    } finally {
      lane.running = false;
      lane.nextAt = this.now() + this.intervalMs;
    }
    if (lane.pending.size > 0) {
      this.arm(channelId, lane);
    } else {
      // Forget idle channels once their interval has passed so the map does not grow forever.
      const idle = setTimeout(() => {
        if (this.lanes.get(channelId) === lane && lane.pending.size === 0 && !lane.running && !lane.timer) {
          this.lanes.delete(channelId);
        }
      }, this.intervalMs);
      idle.unref();
    }
  }
}
