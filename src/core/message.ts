/**
 * The normalized message: what every adapter turns a platform event into.
 *
 * The core never sees a grammY or discord.js type; everything it needs to route, queue, answer and
 * deduplicate is here. Nothing in it is a secret: platform files travel as refs (a download URL may
 * contain the bot token) and are resolved by the worker's outbox.
 */
/**
 * A platform's id, as registered in the platform registry (src/platforms.ts): lower-case letters,
 * digits and dashes. The core treats it as an opaque name.
 */
export type Platform = string;

/** Where a file comes from, as the worker will fetch it. */
export type AttachmentSource =
  | { kind: 'url'; url: string } // a plain downloadable URL (keep a signed URL whole: its query string is the signature)
  | { kind: 'platform'; ref: string } // a platform file id, resolved by Outbox.resolveAttachment
  | { kind: 'path'; path: string }; // a local file (console adapter, tests)

export interface Attachment {
  /** File name as the user sent it (its extension decides the type check). */
  name: string;
  mimeType?: string;
  /** Size when the platform told us; used to refuse early and in the acknowledgement. */
  sizeBytes?: number;
  source: AttachmentSource;
  /** Hand the URL to Nemo's upload-by-URL instead of downloading (an http(s) link in the text). */
  byUrl?: boolean;
}

export interface IncomingCommand {
  /** Lower-case, without the slash or @botname: `video`, `export`, `credits`, `status`, `new`, `cancel`, `help`, `start`. */
  name: string;
  /** The rest of the command text (the prompt of `/video ...`). */
  args: string;
}

export interface IncomingMessage {
  platform: Platform;
  /** One Nemo session per conversation key: `${platform}:${chatId}` (+ `:${threadId}` for topics). */
  conversationKey: string;
  /** Where replies go (Telegram chat id, Discord channel or thread id). */
  chatId: string;
  /** Telegram forum topic (message_thread_id); Discord threads are channels and use chatId. */
  threadId?: string;
  userId: string;
  userName: string;
  /**
   * Unique per platform + chat: the platform message id, or the interaction / callback query id.
   * Used to process a message once even if the platform delivers it twice.
   */
  messageId: string;
  text: string;
  attachments: Attachment[];
  /** Id of the message to reply to with the acknowledgement (undefined for slash commands). */
  replyToMessageId?: string;
  /** Raw platform locale (`zh-hans`, `en-US`, `zh-CN`); the core maps it to en/zh. */
  locale?: string;
  isDirect: boolean;
  /** The group's name as its members see it (a notice sent to someone's direct chat names it). */
  chatTitle?: string;
  mentionsBot: boolean;
  command?: IncomingCommand;
  /**
   * The server or group the conversation belongs to, for admin settings (a Discord guild id; the chat
   * for Telegram). Defaults to the conversation key.
   */
  scopeId?: string;
  /** Whether the sender may change this scope's settings, when the platform says so cheaply (Discord permissions and roles). */
  isAdmin?: boolean;
  /** A pressed button: the core's button id (from callback_data / custom_id `nb:<id>`). */
  button?: { id: string };
  /**
   * Per-platform data the bot-side outbox needs for the acknowledgement only (e.g. a Discord
   * interaction to edit). Never stored in Redis or job data.
   */
  platformMeta?: Record<string, string>;
  /**
   * The platform delivers this event again until the bot accepts it (a Telegram update is confirmed
   * only after the ingress took it), so the inbox keeps it only when the ingress cannot take it.
   */
  redeliveredUntilAccepted?: boolean;
  receivedAt: number;
}

/** Build the conversation key the same way everywhere. */
export function conversationKey(platform: Platform, chatId: string, threadId?: string): string {
  return threadId ? `${platform}:${chatId}:${threadId}` : `${platform}:${chatId}`;
}

/** Prefix of button ids in callback_data / custom_id. */
export const BUTTON_PREFIX = 'nb:';

/** What `ConversationIngress.accept` did with a message. */
export interface IngressResult {
  /**
   * queued: a job was enqueued (ack sent); answered: handled at once (help, /new, a refusal);
   * duplicate: this platform message was already taken; ignored: not for the bot; kept: it could
   * not be taken yet and waits in the inbox, which retries it (the user was told).
   */
  outcome: 'queued' | 'answered' | 'duplicate' | 'ignored' | 'kept';
  jobId?: string;
  /** 1-based place in the conversation's line (1 = runs now). */
  position?: number;
}

/**
 * The core's entry point for adapters. `accept` only validates, deduplicates, enqueues and
 * acknowledges; it never waits for Nemo, so an adapter can confirm the platform update as soon as
 * it resolves (the job is then safely in Redis).
 */
export interface ConversationIngress {
  accept(msg: IncomingMessage): Promise<IngressResult>;
  /**
   * The form a `form` button opens (Remix: the prompt to start from), for platforms that show forms;
   * undefined when the button is unknown, expired or from another conversation. Answered from Redis
   * only, so an adapter can show the form within the platform's answer window.
   */
  formFor?(conversationKey: string, buttonId: string, locale?: string): Promise<ButtonForm | undefined>;
}

/** A one-field form: its title, the field's label and the text it starts with. */
export interface ButtonForm {
  title: string;
  label: string;
  value: string;
}

/** Prefix of a form button's custom id on platforms with forms (the core id follows, as with BUTTON_PREFIX). */
export const FORM_BUTTON_PREFIX = 'nbf:';
