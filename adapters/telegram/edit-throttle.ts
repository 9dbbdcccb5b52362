/**
 * Pacing of message edits, per chat.
 *
 * Telegram tolerates about 20 edits a minute in a group and roughly one message a second in a
 * private chat; going faster earns 429s with long `retry_after`s that then delay the result itself.
 * Progress edits are also superseded quickly: if a newer text for the same message arrives while an
 * older one waits for its turn, only the newer one is sent (both callers resolve when it is). An edit
 * to the text the message already shows is skipped; Telegram would answer "message is not modified".
 * State is per process; separate worker processes editing one chat are rare and still bounded by the
 * 429 retry policy.
 */

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface PendingEdit {
  content: string;
  send: () => Promise<void>;
  waiters: Waiter[];
}

interface ChatState {
  lastAt: number;
  chain: Promise<void>;
}

/** Remember at most this many message contents; old ones are forgotten first. */
const MAX_REMEMBERED = 10_000;

export class EditThrottle {
  private chats = new Map<string, ChatState>();
  private pending = new Map<string, PendingEdit>();
  private shown = new Map<string, string>();

  /** Record what a message shows right after it was sent, so an identical first edit is skipped. */
  remember(messageKey: string, content: string): void {
    this.shown.delete(messageKey);
    this.shown.set(messageKey, content);
    if (this.shown.size > MAX_REMEMBERED) this.shown.delete(this.shown.keys().next().value as string);
  }

  forget(messageKey: string): void {
    this.shown.delete(messageKey);
  }

  /**
   * Send an edit of `messageKey` (in `chatKey`) no sooner than `intervalMs` after the chat's previous
   * edit. `content` identifies what the edit shows (text plus buttons).
   */
  edit(chatKey: string, messageKey: string, content: string, intervalMs: number, send: () => Promise<void>): Promise<void> {
    const waiting = this.pending.get(messageKey);
    if (waiting) {
      waiting.content = content;
      waiting.send = send;
      return new Promise((resolve, reject) => waiting.waiters.push({ resolve, reject }));
    }
    if (this.shown.get(messageKey) === content) return Promise.resolve();

    const entry: PendingEdit = { content, send, waiters: [] };
    this.pending.set(messageKey, entry);
    const done = new Promise<void>((resolve, reject) => entry.waiters.push({ resolve, reject }));
    const state = this.chatState(chatKey);
    state.chain = state.chain.then(async () => {
      const wait = state.lastAt + intervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // From here on a newer edit queues behind this one instead of replacing it.
      this.pending.delete(messageKey);
      if (this.shown.get(messageKey) === entry.content) {
        for (const w of entry.waiters) w.resolve();
        return;
      }
      try {
        await entry.send();
        this.remember(messageKey, entry.content);
        for (const w of entry.waiters) w.resolve();
      } catch (err) {
        for (const w of entry.waiters) w.reject(err);
      } finally {
        state.lastAt = Date.now();
      }
    });
    return done;
  }

  private chatState(chatKey: string): ChatState {
    let s = this.chats.get(chatKey);
    if (!s) {
      if (this.chats.size > MAX_REMEMBERED) this.pruneIdle();
      s = { lastAt: 0, chain: Promise.resolve() };
      this.chats.set(chatKey, s);
    }
    return s;
  }

  /** Drop chats whose last edit is long past (their pacing no longer matters). */
  private pruneIdle(): void {
    const cutoff = Date.now() - 60_000;
    for (const [k, s] of this.chats) if (s.lastAt < cutoff) this.chats.delete(k);
  }
}
