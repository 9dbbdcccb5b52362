/**
 * The one pacer of message edits, per chat, for every platform.
 *
 * Platforms punish fast edits with 429s whose long `retry_after` then delays the result itself
 * (Telegram: ~20 edits a minute in a group, ~1 a second in a private chat; Discord: ≥3 s per
 * channel in practice). The adapters only state those facts (`OutboxLimits.minEditIntervalMs` and
 * `minEditIntervalDirectMs`); this pacer applies them to whatever edits the core makes (status cards,
 * places in line, acknowledgements):
 * - an edit that may go now is sent at once and the caller gets its outcome;
 * - an edit that has to wait is *scheduled* and the caller returns immediately — a status card must
 *   never slow down the job that updates it — and if a newer text for the same message comes in
 *   before its turn, only the newer one is sent (failures of scheduled edits go to `onError`);
 * - an edit to what the message already shows (text and buttons) is skipped.
 * State is per process; separate worker processes editing one chat are rare and still bounded by
 * the adapters' 429 handling.
 */
import { wrapOutbox, type Button, type ChatTarget, type MessageRef, type Outbox, type SendOptions } from './outbox.js';

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

/** Remember at most this many message contents and chats; old ones are forgotten first. */
const MAX_REMEMBERED = 10_000;

export class EditPacer {
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

/** What an edit shows: its text and its buttons. */
function contentOf(text: string, buttons: Button[][] | undefined): string {
  return buttons ? `${text}\u0000${JSON.stringify(buttons)}` : text;
}

/** The pacing interval a platform states for this chat. */
export function editIntervalFor(outbox: Pick<Outbox, 'limits'>, target: Pick<ChatTarget, 'isDirect'>): number {
  const { minEditIntervalMs, minEditIntervalDirectMs } = outbox.limits;
  return target.isDirect ? (minEditIntervalDirectMs ?? minEditIntervalMs) : minEditIntervalMs;
}

const PACED = Symbol('paced');

/**
 * The outbox the core uses: `outbox` with its edits paced by one `EditPacer` at the platform's stated
 * rate. Everything else passes through.
 */
export function pacedOutbox(outbox: Outbox, onError?: (err: unknown, messageKey: string) => void): Outbox {
  if ((outbox as Outbox & { [PACED]?: true })[PACED]) return outbox;
  const pacer = new EditPacer(onError);
  const key = (ref: MessageRef) => `${ref.chatId}:${ref.messageId}`;
  return wrapOutbox(outbox, {
    [PACED]: true,
    async sendText(target: ChatTarget, text: string, opts?: SendOptions) {
      const ref = await outbox.sendText(target, text, opts);
      pacer.remember(key(ref), contentOf(text, opts?.buttons));
      return ref;
    },
    editText(target: ChatTarget, ref: MessageRef, text: string, opts?: SendOptions) {
      return pacer.edit(ref.chatId, key(ref), contentOf(text, opts?.buttons), editIntervalFor(outbox, target), () => outbox.editText(target, ref, text, opts));
    },
    deleteMessage(target: ChatTarget, ref: MessageRef) {
      pacer.cancel(key(ref));
      return outbox.deleteMessage(target, ref);
    },
  });
}
