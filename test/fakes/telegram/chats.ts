/**
 * The fake server's memory of chats, messages and files.
 *
 * Message ids are counted per chat and shared by user and bot messages, like in Telegram, so a reply
 * or a button press can point at any stored message. Bot messages are kept as the exact JSON returned
 * to the bot (a callback query carries that JSON back), plus a `SentMessage` record for assertions.
 */
import type { Chat, Message, User } from 'grammy/types';
import { autoEntities, DEFAULT_PHOTO_SIZES, type FakeChat } from './builders.js';
import type { UploadedFile } from './multipart.js';
import type { ForceReply, InlineKeyboard } from './schemas.js';

export interface FakeFile {
  fileId: string;
  uniqueId: string;
  size: number;
  path: string;
  /** Absent for files registered by size only (too big to download anyway). */
  bytes?: Buffer;
}

export interface SentMessage {
  chatId: number;
  messageId: number;
  threadId?: number;
  kind: 'text' | 'video' | 'document';
  /** Current text (after edits) of a text message. */
  text?: string;
  caption?: string;
  /** Every text set by editMessageText, in order. */
  edits: string[];
  replyTo?: number;
  replyMarkup?: InlineKeyboard;
  /** The ForceReply markup of a message that asks for a reply. */
  forceReply?: ForceReply;
  entities?: unknown[];
  /** Uploaded bytes and video metadata of sendVideo / sendDocument. */
  file?: { bytes: Buffer; filename: string; width?: number; height?: number; duration?: number; supportsStreaming?: boolean; thumbnail?: UploadedFile };
  deleted: boolean;
  at: number;
}

type Json = Record<string, unknown>;

interface Base {
  chat: FakeChat;
  from: User;
  replyTo?: number;
  /** Forum topic id (message_thread_id) for supergroups with topics. */
  threadId?: number;
}

export type AlbumItem = { kind: 'photo'; bytes?: Buffer } | { kind: 'video' | 'document'; bytes?: Buffer; fileName: string; mimeType: string };

export class FakeChats {
  readonly files = new Map<string, FakeFile>();
  private chats = new Map<number, FakeChat>();
  private messages = new Map<number, Map<number, Json>>();
  private nextMsg = new Map<number, number>();
  private sentList: SentMessage[] = [];
  private fileSeq = 0;
  private groupSeq = 0;

  constructor(private readonly bot: User) {}

  add(chat: FakeChat): void {
    this.chats.set(chat.id, chat);
    if (!this.messages.has(chat.id)) this.messages.set(chat.id, new Map());
  }

  get(chatId: number, messageId: number): Json | undefined {
    return this.messages.get(chatId)?.get(messageId);
  }

  sent(chatId?: number): SentMessage[] {
    return chatId === undefined ? [...this.sentList] : this.sentList.filter((m) => m.chatId === chatId);
  }

  /** Register a downloadable file (bytes) or one known only by size (e.g. a 25 MB document). */
  registerFile(o: { bytes?: Buffer; size?: number; dir: string; ext: string }): FakeFile {
    const n = ++this.fileSeq;
    const f: FakeFile = {
      fileId: `FILEID-${o.dir}-${n}-${'x'.repeat(20)}`,
      uniqueId: `UQ${n}${o.dir.slice(0, 3)}`,
      size: o.bytes?.length ?? o.size ?? 0,
      path: `${o.dir}/file_${n}.${o.ext}`,
      ...(o.bytes ? { bytes: o.bytes } : {}),
    };
    this.files.set(f.fileId, f);
    return f;
  }

  textMessage(o: Base & { text: string }): Json {
    return { ...this.base(o), text: o.text, ...this.entities('entities', o.text) };
  }

  photoMessage(o: Base & { caption?: string; bytes?: Buffer; sizes?: ReadonlyArray<{ width: number; height: number }>; mediaGroupId?: string }): Json {
    const sizes = o.sizes ?? DEFAULT_PHOTO_SIZES;
    const biggest = sizes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    const photo = sizes.map((s) => {
      const isBig = s === biggest;
      const bytes = isBig ? (o.bytes ?? Buffer.from(`jpeg-${s.width}x${s.height}`)) : Buffer.from(`thumb-${s.width}x${s.height}`);
      const f = this.registerFile({ bytes, dir: 'photos', ext: 'jpg' });
      return { file_id: f.fileId, file_unique_id: f.uniqueId, width: s.width, height: s.height, file_size: f.size };
    });
    return { ...this.base(o), photo, ...this.caption(o.caption), ...(o.mediaGroupId ? { media_group_id: o.mediaGroupId } : {}) };
  }

  documentMessage(
    o: Base & { fileName?: string; mimeType?: string; bytes?: Buffer; size?: number; caption?: string; kind?: 'document' | 'video' | 'animation' | 'audio'; mediaGroupId?: string },
  ): Json {
    const kind = o.kind ?? 'document';
    const ext = o.fileName?.split('.').pop() ?? 'bin';
    const f = this.registerFile({ ...(o.bytes ? { bytes: o.bytes } : {}), size: o.size ?? 0, dir: kind === 'document' ? 'documents' : `${kind}s`, ext });
    const media: Json = {
      file_id: f.fileId,
      file_unique_id: f.uniqueId,
      file_size: f.size,
      ...(o.fileName ? { file_name: o.fileName } : {}),
      ...(o.mimeType ? { mime_type: o.mimeType } : {}),
      ...(kind === 'video' || kind === 'animation' ? { width: 640, height: 360, duration: 3 } : {}),
      ...(kind === 'audio' ? { duration: 3 } : {}),
    };
    // Telegram still sends `document` next to `animation` for old clients.
    const body: Json = kind === 'animation' ? { animation: media, document: media } : { [kind]: media };
    return { ...this.base(o), ...body, ...this.caption(o.caption), ...(o.mediaGroupId ? { media_group_id: o.mediaGroupId } : {}) };
  }

  /** An album: one message per item sharing a media_group_id; only the first carries the caption. */
  albumMessages(o: Base & { caption?: string; items: AlbumItem[] }): Json[] {
    const mediaGroupId = `${Date.now()}${++this.groupSeq}`;
    return o.items.map((item, i) => {
      const { caption: albumCaption, items: _items, replyTo, ...rest } = o;
      const caption = i === 0 ? albumCaption : undefined;
      const common = { ...rest, mediaGroupId, ...(caption !== undefined ? { caption } : {}), ...(i === 0 && replyTo !== undefined ? { replyTo } : {}) };
      if (item.kind === 'photo') return this.photoMessage({ ...common, ...(item.bytes ? { bytes: item.bytes } : {}) });
      return this.documentMessage({ ...common, kind: item.kind, fileName: item.fileName, mimeType: item.mimeType, ...(item.bytes ? { bytes: item.bytes } : {}) });
    });
  }

  /** sendMessage / sendVideo / sendDocument by the bot. Returns the Message or an error description. */
  send(method: 'sendMessage' | 'sendVideo' | 'sendDocument' | string, p: Json, files: UploadedFile[]): Json | string {
    const chat = this.chats.get(Number(p.chat_id));
    if (!chat) return 'Bad Request: chat not found';
    const rp = p.reply_parameters as { message_id: number; allow_sending_without_reply?: boolean } | undefined;
    const replied = rp ? this.get(chat.id, rp.message_id) : undefined;
    if (rp && !replied && !rp.allow_sending_without_reply) return 'Bad Request: message to be replied not found';
    const threadId = typeof p.message_thread_id === 'number' ? p.message_thread_id : undefined;
    if (threadId !== undefined && !(chat.type === 'supergroup' && chat.is_forum)) return 'Bad Request: message thread not found';

    let file: SentMessage['file'];
    const media: Json = {};
    if (method !== 'sendMessage') {
      const field = method === 'sendVideo' ? 'video' : 'document';
      const ref = String(p[field]);
      const attach = /^attach:\/\/(.+)$/.exec(ref);
      const up = attach ? files.find((f) => f.field === attach[1]) : undefined;
      const known = this.files.get(ref);
      const bytes = up?.bytes ?? known?.bytes;
      if (!bytes) return 'Bad Request: wrong file identifier/HTTP URL specified';
      if (bytes.length === 0) return 'Bad Request: file must be non-empty';
      const thumbRef = /^attach:\/\/(.+)$/.exec(String(p.thumbnail ?? ''));
      const thumb = thumbRef ? files.find((f) => f.field === thumbRef[1]) : undefined;
      if (thumbRef && !thumb) return 'Bad Request: thumbnail file part not found';
      const stored = this.registerFile({ bytes, dir: `${field}s`, ext: 'mp4' });
      const filename = up?.filename ?? 'file';
      file = {
        bytes,
        filename,
        ...(typeof p.width === 'number' ? { width: p.width } : {}),
        ...(typeof p.height === 'number' ? { height: p.height } : {}),
        ...(typeof p.duration === 'number' ? { duration: p.duration } : {}),
        ...(typeof p.supports_streaming === 'boolean' ? { supportsStreaming: p.supports_streaming } : {}),
        ...(thumb ? { thumbnail: thumb } : {}),
      };
      media[field] = {
        file_id: stored.fileId,
        file_unique_id: stored.uniqueId,
        file_size: bytes.length,
        file_name: filename,
        ...(method === 'sendVideo' ? { width: p.width ?? 0, height: p.height ?? 0, duration: p.duration ?? 0, mime_type: 'video/mp4' } : {}),
      };
      if (typeof p.caption === 'string') media.caption = p.caption;
    } else {
      media.text = p.text;
      if (p.entities) media.entities = p.entities;
    }
    const id = this.nextId(chat.id);
    const message: Json = {
      message_id: id,
      from: this.bot,
      chat,
      date: Math.floor(Date.now() / 1000),
      ...(threadId !== undefined ? { message_thread_id: threadId, is_topic_message: true } : {}),
      ...(replied ? { reply_to_message: this.shallow(replied) } : {}),
      ...media,
      ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}),
    };
    this.messages.get(chat.id)?.set(id, message);
    this.sentList.push({
      chatId: chat.id,
      messageId: id,
      ...(threadId !== undefined ? { threadId } : {}),
      kind: method === 'sendMessage' ? 'text' : method === 'sendVideo' ? 'video' : 'document',
      ...(typeof p.text === 'string' ? { text: p.text } : {}),
      ...(typeof p.caption === 'string' ? { caption: p.caption } : {}),
      edits: [],
      ...(rp ? { replyTo: rp.message_id } : {}),
      ...(p.reply_markup && 'inline_keyboard' in (p.reply_markup as Json) ? { replyMarkup: p.reply_markup as InlineKeyboard } : {}),
      ...(p.reply_markup && 'force_reply' in (p.reply_markup as Json) ? { forceReply: p.reply_markup as ForceReply } : {}),
      ...(Array.isArray(p.entities ?? p.caption_entities) ? { entities: (p.entities ?? p.caption_entities) as unknown[] } : {}),
      ...(file ? { file } : {}),
      deleted: false,
      at: Date.now(),
    });
    return message;
  }

  edit(chatId: number, messageId: number, text: string, markup: InlineKeyboard | undefined): Json | string {
    const m = this.get(chatId, messageId);
    const rec = this.sentList.find((s) => s.chatId === chatId && s.messageId === messageId);
    if (!m || !rec || rec.deleted) return 'Bad Request: message to edit not found';
    if (typeof m.text !== 'string') return 'Bad Request: there is no text in the message to edit';
    if (m.text === text && JSON.stringify(m.reply_markup) === JSON.stringify(markup)) {
      return 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
    }
    m.text = text;
    m.edit_date = Math.floor(Date.now() / 1000);
    // Like Telegram, an edit without reply_markup removes the inline keyboard.
    if (markup) m.reply_markup = markup;
    else delete m.reply_markup;
    rec.text = text;
    rec.edits.push(text);
    if (markup) rec.replyMarkup = markup;
    else delete rec.replyMarkup;
    return m;
  }

  /** Administrators of each group (getChatMember answers `administrator` for them). */
  readonly admins = new Map<number, Set<number>>();

  /** Users who blocked the bot: anything sent to their private chat is refused (403). */
  readonly blockedBy = new Set<number>();

  /** Users the fake has seen (in any chat): a bot may not write first to one who never opened a chat with it. */
  private readonly knownUsers = new Set<number>();

  /**
   * Telegram's 403 for a send to a private chat the bot may not write to: the user blocked it, or the
   * user never started it (a user id, but no private chat yet).
   */
  refusal(chatId: number): string | undefined {
    if (chatId <= 0) return undefined;
    if (this.blockedBy.has(chatId)) return 'Forbidden: bot was blocked by the user';
    if (!this.chats.has(chatId) && this.knownUsers.has(chatId)) return "Forbidden: bot can't initiate conversation with a user";
    return undefined;
  }

  /** Users' messages the bot deleted. */
  readonly deletedUserMessages: Array<{ chatId: number; messageId: number }> = [];

  delete(chatId: number, messageId: number): true | string {
    const rec = this.sentList.find((s) => s.chatId === chatId && s.messageId === messageId);
    if (!rec && this.messages.get(chatId)?.delete(messageId)) {
      // A user's message: bots may delete them in private chats (and in groups as an admin).
      this.deletedUserMessages.push({ chatId, messageId });
      return true;
    }
    if (!rec || rec.deleted) return 'Bad Request: message to delete not found';
    rec.deleted = true;
    this.messages.get(chatId)?.delete(messageId);
    return true;
  }

  // ---- internals -------------------------------------------------------------------------------

  private base(o: Base): Json {
    this.add(o.chat);
    this.knownUsers.add(o.from.id);
    const forum = o.chat.type === 'supergroup' && o.chat.is_forum === true && o.threadId !== undefined;
    if (forum) this.ensureTopic(o.chat as Chat.SupergroupChat, o.threadId as number, o.from);
    const id = this.nextId(o.chat.id);
    const replied = o.replyTo !== undefined ? this.get(o.chat.id, o.replyTo) : forum ? this.get(o.chat.id, o.threadId as number) : undefined;
    if (o.replyTo !== undefined && !replied) throw new Error(`fake telegram: no message ${o.replyTo} to reply to`);
    const message: Json = {
      message_id: id,
      from: o.from,
      chat: o.chat,
      date: Math.floor(Date.now() / 1000),
      ...(forum ? { message_thread_id: o.threadId, is_topic_message: true } : {}),
      ...(replied ? { reply_to_message: this.shallow(replied) } : {}),
    };
    this.messages.get(o.chat.id)?.set(id, message);
    return message;
  }

  /** Forum topics start with a service message whose id is the thread id; topic messages "reply" to it. */
  private ensureTopic(chat: Chat.SupergroupChat, threadId: number, from: User): void {
    if (this.get(chat.id, threadId)) return;
    this.nextMsg.set(chat.id, Math.max(this.nextMsg.get(chat.id) ?? 0, threadId));
    this.messages.get(chat.id)?.set(threadId, {
      message_id: threadId,
      from,
      chat,
      date: Math.floor(Date.now() / 1000),
      message_thread_id: threadId,
      is_topic_message: true,
      forum_topic_created: { name: `Topic ${threadId}`, icon_color: 0x6fb9f0 },
    });
  }

  private nextId(chatId: number): number {
    const n = (this.nextMsg.get(chatId) ?? 0) + 1;
    this.nextMsg.set(chatId, n);
    return n;
  }

  private shallow(m: Json): Message {
    const { reply_to_message: _drop, ...rest } = m;
    return rest as unknown as Message;
  }

  private caption(caption: string | undefined): Json {
    return caption === undefined ? {} : { caption, ...this.entities('caption_entities', caption) };
  }

  private entities(field: 'entities' | 'caption_entities', text: string): Json {
    const e = autoEntities(text);
    return e.length ? { [field]: e } : {};
  }
}
