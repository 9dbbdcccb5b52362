/**
 * A fake Telegram Bot API server on loopback, driven by real grammY in tests.
 *
 * Why a fake and not mocks: the adapter's hard parts live on the wire — long-poll offset confirmation,
 * the 409 a second poller gets, streamed multipart uploads with unquoted file names, 429 answers with
 * `retry_after`, the "message is not modified" 400, and file downloads under `/file/bot<token>/`. The
 * fake answers those exactly like Telegram, validates what it reads (zod, see schemas.ts) and records
 * everything so tests can assert on calls, sent messages, edits and uploaded bytes.
 */
import { noteChat } from '../../helpers/chat-capture.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import type { Message, Update, User } from 'grammy/types';
import { parseBody, type UploadedFile } from './multipart.js';
import { isFakeMethod, schemas, type InlineKeyboard } from './schemas.js';
import { FakeChats, type SentMessage } from './chats.js';
import { UpdateQueue, type WebhookDelivery } from './update-queue.js';

export type { WebhookDelivery };

export interface FakeTelegramOptions {
  /** Only this token is accepted (401 otherwise); any `<digits>:<chars>` token when unset. */
  token?: string;
  botUsername?: string;
  botId?: number;
}

export interface ApiCall {
  method: string;
  /** The validated payload (multipart fields coerced to numbers / objects). */
  payload: Record<string, unknown>;
  at: number;
  ok: boolean;
  errorCode?: number;
  files: Array<{ field: string; filename: string; size: number }>;
}

export interface InjectedError {
  error_code: number;
  description: string;
  retry_after?: number;
}

export class FakeTelegram extends EventEmitter {
  readonly calls: ApiCall[] = [];
  readonly bot: User;
  readonly chats: FakeChats;
  url = '';

  private server: Server;
  private queue: UpdateQueue;
  private faults = new Map<string, InjectedError[]>();
  private stalls = new Set<string>();

  private constructor(private readonly opts: FakeTelegramOptions) {
    super();
    this.setMaxListeners(100);
    const botId = opts.botId ?? (opts.token ? Number(opts.token.split(':')[0]) : 777_000_111);
    this.bot = { id: botId, is_bot: true, first_name: 'Nemo Test Bot', username: opts.botUsername ?? 'nemo_test_bot' };
    this.chats = new FakeChats(this.bot);
    this.queue = new UpdateQueue(
      (res, updates) => this.reply(res, 200, { ok: true, result: updates }),
      () => this.changed(),
    );
    this.server = createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.reply(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(err)}` });
      });
    });
  }

  static async start(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram(opts);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** Every update ever pushed, confirmed or not. */
  get updates(): Update[] {
    return this.queue.all;
  }

  get webhookDeliveries(): WebhookDelivery[] {
    return this.queue.webhookDeliveries;
  }

  get webhook(): { url: string; secret?: string } | undefined {
    return this.queue.webhook;
  }

  async close(): Promise<void> {
    this.queue.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- test-side API -------------------------------------------------------------------------

  /** Queue an update (delivered to the pending long poll or the webhook). */
  pushUpdate(body: Omit<Update, 'update_id'>): Update {
    return this.queue.push(body);
  }

  /** Make the next `count` calls of `method` fail with `error` (after their body was read). */
  failNext(method: string, error: InjectedError, count = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push(error);
    this.faults.set(method, list);
  }

  /** Make the next call of `method` hang (its body read, no answer) until the client gives up. */
  stallNext(method: string): void {
    this.stalls.add(method);
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages the bot posted (optionally in one chat), in order, with edits and uploaded bytes. */
  sent(chatId?: number): SentMessage[] {
    return this.chats.sent(chatId);
  }

  /** Updates not yet confirmed by a getUpdates offset. */
  pendingUpdates(): Update[] {
    return this.queue.pending();
  }

  /** Resolve with the predicate's first truthy value, re-checked after every call and update. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const v = predicate();
        if (v) {
          cleanup();
          resolve(v);
          return true;
        }
        return false;
      };
      const onChange = () => void check();
      const tick = setInterval(onChange, 50);
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake telegram: timed out after ${timeoutMs} ms waiting for ${what}; calls: ${this.calls.map((c) => c.method).join(', ')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearInterval(tick);
        clearTimeout(timer);
        this.off('change', onChange);
      };
      this.on('change', onChange);
      check();
    });
  }

  // ---- user-side helpers (build realistic updates and push them) ---------------------------

  userText(o: Parameters<FakeChats['textMessage']>[0]): Update {
    return this.pushUpdate({ message: this.chats.textMessage(o) as unknown as Update['message'] });
  }

  userPhoto(o: Parameters<FakeChats['photoMessage']>[0]): Update {
    return this.pushUpdate({ message: this.chats.photoMessage(o) as unknown as Update['message'] });
  }

  userDocument(o: Parameters<FakeChats['documentMessage']>[0]): Update {
    return this.pushUpdate({ message: this.chats.documentMessage(o) as unknown as Update['message'] });
  }

  userAlbum(o: Parameters<FakeChats['albumMessages']>[0]): Update[] {
    return this.chats.albumMessages(o).map((m) => this.pushUpdate({ message: m as unknown as Update['message'] }));
  }

  /** A user presses an inline button under a bot message. */
  pressButton(o: { chatId: number; from: User; messageId: number; data: string }): Update {
    const message = this.chats.get(o.chatId, o.messageId);
    if (!message) throw new Error(`fake telegram: no message ${o.messageId} in chat ${o.chatId}`);
    const id = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    return this.pushUpdate({
      callback_query: { id, from: o.from, message: message as unknown as Message, chat_instance: `ci${o.chatId}`, data: o.data },
    } as Omit<Update, 'update_id'>);
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file && req.method === 'GET') return this.download(res, file[1] ?? '', decodeURIComponent(file[2] ?? ''));
    const call = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!call) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token = '', method = ''] = call;
    if (!this.tokenOk(token)) {
      req.resume();
      return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    let body;
    try {
      body = await parseBody(req);
    } catch (err) {
      return this.fail(res, method, {}, [], 400, `Bad Request: can't parse request body: ${String(err)}`);
    }
    if (!isFakeMethod(method)) return this.fail(res, method, body.fields, body.files, 404, 'Not Found: method not found');
    const parsed = schemas[method].safeParse(body.fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.fail(res, method, body.fields, body.files, 400, `Bad Request: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    const payload = parsed.data as Record<string, unknown>;
    if (this.stalls.delete(method)) {
      this.record(method, payload, body.files, false, 0);
      return; // never answered: the client's timeout ends it (close() cuts the socket)
    }
    const fault = this.faults.get(method)?.shift();
    if (fault) {
      return this.fail(res, method, payload, body.files, fault.error_code, fault.description, fault.retry_after);
    }
    await this.dispatch(method, payload, body.files, res);
  }

  private async dispatch(method: string, p: Record<string, unknown>, files: UploadedFile[], res: ServerResponse): Promise<void> {
    const ok = (result: unknown) => {
      this.record(method, p, files, true);
      this.reply(res, 200, { ok: true, result });
    };
    const bad = (description: string, code = 400) => this.fail(res, method, p, files, code, description);
    switch (method) {
      case 'getMe':
        return ok({ ...this.bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'setMyCommands':
        return ok(true);
      case 'getWebhookInfo':
        return ok({ url: this.queue.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.pending().length });
      case 'deleteWebhook':
        this.queue.deleteWebhook(p.drop_pending_updates === true);
        return ok(true);
      case 'setWebhook':
        ok(true);
        this.queue.setWebhook(String(p.url), typeof p.secret_token === 'string' ? p.secret_token : undefined, p.drop_pending_updates === true);
        return;
      case 'getUpdates': {
        const conflict = this.queue.getUpdates(p as { offset?: number; limit?: number; timeout?: number }, res);
        if (conflict) return this.fail(res, method, p, [], 409, conflict);
        this.record(method, p, [], true);
        return;
      }
      case 'sendChatAction': {
        const refused = this.chats.refusal(Number(p.chat_id));
        return refused ? bad(refused, 403) : ok(true);
      }
      case 'answerCallbackQuery':
        return ok(true);
      case 'getChatMember': {
        const chat = Number(p.chat_id);
        const user = Number(p.user_id);
        const status = chat === user ? 'member' : this.chats.admins.get(chat)?.has(user) ? 'administrator' : 'member';
        return ok({ status, user: { id: user, is_bot: false, first_name: `user${user}` }, ...(status === 'administrator' ? { can_be_edited: false, is_anonymous: false } : {}) });
      }
      case 'getFile': {
        const f = this.chats.files.get(String(p.file_id));
        if (!f) return bad('Bad Request: invalid file_id');
        if (f.size > 20 * 1024 * 1024) return bad('Bad Request: file is too big');
        return ok({ file_id: p.file_id, file_unique_id: f.uniqueId, file_size: f.size, file_path: f.path });
      }
      case 'sendMessage':
      case 'sendVideo':
      case 'sendDocument': {
        const refused = this.chats.refusal(Number(p.chat_id));
        if (refused) return bad(refused, 403);
        const r = this.chats.send(method, p, files);
        if (typeof r === 'string') return bad(r);
        return ok(r);
      }
      case 'editMessageText': {
        const r = this.chats.edit(Number(p.chat_id), Number(p.message_id), String(p.text), p.reply_markup as InlineKeyboard | undefined);
        if (typeof r === 'string') return bad(r);
        return ok(r);
      }
      case 'deleteMessage': {
        const r = this.chats.delete(Number(p.chat_id), Number(p.message_id));
        if (typeof r === 'string') return bad(r);
        return ok(true);
      }
      default:
        return bad('Not Found: method not found', 404);
    }
  }

  private download(res: ServerResponse, token: string, path: string): void {
    if (!this.tokenOk(token)) return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const f = [...this.chats.files.values()].find((x) => x.path === path);
    this.record('download', { path }, [], Boolean(f?.bytes));
    if (!f?.bytes) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(f.bytes.length) });
    res.end(f.bytes);
  }

  private tokenOk(token: string): boolean {
    return this.opts.token ? token === this.opts.token : /^\d+:[A-Za-z0-9_-]+$/.test(token);
  }

  private fail(res: ServerResponse, method: string, p: Record<string, unknown>, files: UploadedFile[], code: number, description: string, retryAfter?: number): void {
    this.record(method, p, files, false, code);
    this.reply(res, code, { ok: false, error_code: code, description, ...(retryAfter !== undefined ? { parameters: { retry_after: retryAfter } } : {}) });
  }

  private record(method: string, payload: Record<string, unknown>, files: UploadedFile[], ok: boolean, errorCode?: number): void {
    for (const k of ['text', 'caption'] as const) if (typeof payload[k] === 'string') noteChat(payload[k]);
    this.calls.push({
      method,
      payload,
      at: Date.now(),
      ok,
      ...(errorCode !== undefined ? { errorCode } : {}),
      files: files.map((f) => ({ field: f.field, filename: f.filename, size: f.bytes.length })),
    });
    this.changed();
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private changed(): void {
    // Let waiters re-check after the response is on its way.
    setImmediate(() => this.emit('change'));
  }
}
