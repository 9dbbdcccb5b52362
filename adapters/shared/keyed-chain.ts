/**
 * Per-key ordering for platform events: tasks with the same key (a chat, a channel) run one after
 * another in the order they were added; tasks with different keys run at the same time.
 *
 * Why: a burst from a whole community must not queue behind one slow chat (a held Redis call, a
 * handler retrying with back-off), but two messages of one chat must reach the core in the order the
 * user sent them — the core numbers the chat's line in the order it is joined.
 *
 * Memory stays bounded by the keys with work in hand: a key's entry is removed when its last task
 * settles.
 */
export class KeyedChain {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly idleWaiters = new Set<() => void>();
  private running = 0;

  /** Keys with at least one task queued or running. */
  get activeKeys(): number {
    return this.tails.size;
  }

  /** Tasks queued or running, over all keys. */
  get pending(): number {
    return this.running;
  }

  /**
   * Run `task` after every earlier task of `key` settled (fulfilled or rejected); resolves or rejects
   * like `task`. A failing task does not stop the ones queued behind it.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.running++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    // The bookkeeping runs before `result` settles, so a caller that awaited it sees it done.
    const result = previous.then(task).finally(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.running--;
      if (this.running === 0) for (const wake of [...this.idleWaiters]) wake();
    });
    const tail: Promise<void> = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    return result;
  }

  /** Resolves once nothing is queued or running (at once when idle). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.idleWaiters.delete(wake);
        resolve();
      };
      this.idleWaiters.add(wake);
    });
  }
}
