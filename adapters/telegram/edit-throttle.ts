/**
 * Pacing of message edits, per chat.
 *
 * Telegram tolerates about 20 edits a minute in a group and roughly one message a second in a
 * private chat; going faster earns 429s with long `retry_after`s that then delay the result itself.
 * So edits of one chat are spaced by `intervalMs`. Progress edits are superseded quickly, hence:
 * - an edit that may go now is sent at once and the caller gets its outcome;
 * - an edit that has to wait is *scheduled* and the caller returns immediately — a status card must
 *   never slow down the job that updates it — and if a newer text for the same message comes in
 *   before its turn, only the newer one is sent (failures of scheduled edits go to `onError`);
 * - an edit to the text the message already shows is skipped (Telegram would say "not modified").
 * State is per process; separate worker processes editing one chat are rare and still bounded by the
 * 429 retry policy.
 */

interface PendingEdit {
  content: string;
  send: () => Promise<void>;
}

interface ChatState {
  lastAt: number;
  /** Edits queued or in flight in this chat. */
  busy: number;
  chain: Promise<void>;
}

/** Remember at most this many message contents; old ones are forgotten first. */
const MAX_REMEMBERED = 10_000;

export class EditThrottle {
  private chats = new Map<string, ChatState>();
  private pending = new Map<string, PendingEdit>();
  private shown = new Map<string, string>();

  constructor(private readonly onError: (err: unknown, messageKey: string) => void = () => undefined) {}

  /** Record what a message shows right after it was sent, so an identical first edit is skipped. */
  remember(messageKey: string, content: string): void {
    this.shown.delete(messageKey);
    this.shown.set(messageKey, content);
    if (this.shown.size > MAX_REMEMBERED) this.shown.delete(this.shown.keys().next().value as string);
  }

  /** The message is gone (deleted): forget it and drop a scheduled edit. */
  cancel(messageKey: string): void {
    this.shown.delete(messageKey);
    this.pending.delete(messageKey);
  }

  /**
   * Edit `messageKey` (in `chatKey`) no sooner than `intervalMs` after the chat's previous edit.
   * `content` identifies what the edit shows (text plus buttons). Resolves when an immediate edit is
   * done (rejecting on its failure), or at once when the edit was scheduled or merged.
   */
  edit(chatKey: string, messageKey: string, content: string, intervalMs: number, send: () => Promise<void>): Promise<void> {
    const waiting = this.pending.get(messageKey);
    if (waiting) {
      waiting.content = content;
      waiting.send = send;
      return Promise.resolve();
    }
    if (this.shown.get(messageKey) === content) return Promise.resolve();

    const state = this.chatState(chatKey);
    const immediate = state.busy === 0 && Date.now() >= state.lastAt + intervalMs;
    const entry: PendingEdit = { content, send };
    this.pending.set(messageKey, entry);
    state.busy++;
    const step = state.chain.then(async () => {
      try {
        const wait = state.lastAt + intervalMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (this.pending.get(messageKey) !== entry) return; // cancelled (message deleted)
        // From here on a newer edit queues behind this one instead of replacing it.
        this.pending.delete(messageKey);
        if (this.shown.get(messageKey) === entry.content) return;
        try {
          await entry.send();
          this.remember(messageKey, entry.content);
        } finally {
          state.lastAt = Date.now();
        }
      } finally {
        state.busy--;
      }
    });
    state.chain = step.catch((err: unknown) => {
      if (!immediate) this.onError(err, messageKey);
    });
    return immediate ? step : Promise.resolve();
  }

  private chatState(chatKey: string): ChatState {
    let s = this.chats.get(chatKey);
    if (!s) {
      if (this.chats.size > MAX_REMEMBERED) this.pruneIdle();
      s = { lastAt: 0, busy: 0, chain: Promise.resolve() };
      this.chats.set(chatKey, s);
    }
    return s;
  }

  /** Drop idle chats whose last edit is long past (their pacing no longer matters). */
  private pruneIdle(): void {
    const cutoff = Date.now() - 60_000;
    for (const [k, s] of this.chats) if (s.busy === 0 && s.lastAt < cutoff) this.chats.delete(k);
  }
}
