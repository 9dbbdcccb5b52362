/**
 * A fake Telegram Bot API server on loopback, driven by real grammY in tests.
 *
 * Why a fake and not mocks: the adapter's hard parts live on the wire — long-poll offset confirmation,
 * the 409 a second poller gets, streamed multipart uploads with unquoted file names, 429 answers with
 * `retry_after`, the "message is not modified" 400, and file downloads under `/file/bot<token>/`. The
 * fake answers those exactly like Telegram, validates what it reads (zod, see schemas.ts) and records
 * everything so tests can assert on calls, sent messages, edits and uploaded bytes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import type { Message, Update, User } from 'grammy/types';
import { parseBody, type UploadedFile } from './multipart.js';
import { isFakeMethod, schemas, type InlineKeyboard } from './schemas.js';
import { FakeChats, type SentMessage } from './chats.js';

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

interface PendingPoll {
  res: ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

export interface WebhookDelivery {
  updateId: number;
  status: number;
  at: number;
}

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export class FakeTelegram extends EventEmitter {
  readonly calls: ApiCall[] = [];
  readonly bot: User;
  readonly chats: FakeChats;
  /** Every update ever pushed, confirmed or not. */
  readonly updates: Update[] = [];
  readonly webhookDeliveries: WebhookDelivery[] = [];
  webhook: { url: string; secret?: string } | undefined;
  url = '';

  private server: Server;
  private nextUpdateId = 100_000;
  /** Updates with an id below this were confirmed by a getUpdates offset and are gone. */
  private confirmedBelow = 0;
  private poll: PendingPoll | undefined;
  private faults = new Map<string, InjectedError[]>();
  private delivering = false;
  private closed = false;

  private constructor(private readonly opts: FakeTelegramOptions) {
    super();
    this.setMaxListeners(100);
    const botId = opts.botId ?? (opts.token ? Number(opts.token.split(':')[0]) : 777_000_111);
    this.bot = { id: botId, is_bot: true, first_name: 'Nemo Test Bot', username: opts.botUsername ?? 'nemo_test_bot' };
    this.chats = new FakeChats(this.bot);
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

  async close(): Promise<void> {
    this.closed = true;
    if (this.poll) this.answerPoll([]);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- test-side API -------------------------------------------------------------------------

  /** Queue an update (delivered to the pending long poll or the webhook). */
  pushUpdate(body: Omit<Update, 'update_id'>): Update {
    const update = { update_id: ++this.nextUpdateId, ...body } as Update;
    this.updates.push(update);
    this.changed();
    if (this.poll) {
      const ready = this.available(this.poll.offset, this.poll.limit);
      if (ready.length) this.answerPoll(ready);
    }
    if (this.webhook) void this.deliverWebhooks();
    return update;
  }

  /** Make the next `count` calls of `method` fail with `error` (after their body was read). */
  failNext(method: string, error: InjectedError, count = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push(error);
    this.faults.set(method, list);
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
    return this.updates.filter((u) => u.update_id >= this.confirmedBelow);
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
    const fault = this.faults.get(method)?.shift();
    if (fault) {
      return this.fail(res, method, payload, body.files, fault.error_code, fault.description, fault.retry_after);
    }
    await this.dispatch(method, payload, body.files, req, res);
  }

  private async dispatch(method: string, p: Record<string, unknown>, files: UploadedFile[], req: IncomingMessage, res: ServerResponse): Promise<void> {
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
      case 'deleteWebhook':
        if (p.drop_pending_updates) this.confirmedBelow = this.nextUpdateId + 1;
        this.webhook = undefined;
        return ok(true);
      case 'setWebhook':
        this.webhook = { url: String(p.url), ...(typeof p.secret_token === 'string' ? { secret: p.secret_token } : {}) };
        if (p.drop_pending_updates) this.confirmedBelow = this.nextUpdateId + 1;
        ok(true);
        void this.deliverWebhooks();
        return;
      case 'getUpdates':
        return this.getUpdates(p, req, res);
      case 'sendChatAction':
      case 'answerCallbackQuery':
        return ok(true);
      case 'getFile': {
        const f = this.chats.files.get(String(p.file_id));
        if (!f) return bad('Bad Request: invalid file_id');
        if (f.size > 20 * 1024 * 1024) return bad('Bad Request: file is too big');
        return ok({ file_id: p.file_id, file_unique_id: f.uniqueId, file_size: f.size, file_path: f.path });
      }
      case 'sendMessage':
      case 'sendVideo':
      case 'sendDocument': {
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

  private getUpdates(p: Record<string, unknown>, _req: IncomingMessage, res: ServerResponse): void {
    if (this.webhook) {
      return this.fail(res, 'getUpdates', p, [], 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    if (this.poll) {
      return this.fail(res, 'getUpdates', p, [], 409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    }
    const offset = typeof p.offset === 'number' ? p.offset : 0;
    // Telegram: an update is confirmed as soon as getUpdates is called with an offset above its id.
    if (offset > this.confirmedBelow) this.confirmedBelow = offset;
    const limit = typeof p.limit === 'number' ? p.limit : 100;
    const timeout = typeof p.timeout === 'number' ? p.timeout : 0;
    this.record('getUpdates', p, [], true);
    const ready = this.available(offset, limit);
    if (ready.length || timeout === 0 || this.closed) return this.reply(res, 200, { ok: true, result: ready });
    const poll: PendingPoll = { res, offset, limit, timer: setTimeout(() => this.answerPoll([]), timeout * 1000) };
    this.poll = poll;
    // The poller went away (aborted, killed): free the slot like Telegram does when the connection drops.
    res.on('close', () => {
      if (this.poll === poll) {
        clearTimeout(poll.timer);
        this.poll = undefined;
      }
    });
  }

  private available(offset: number, limit: number): Update[] {
    const from = Math.max(offset, this.confirmedBelow);
    return this.updates.filter((u) => u.update_id >= from).slice(0, limit);
  }

  private answerPoll(updates: Update[]): void {
    const poll = this.poll;
    if (!poll) return;
    this.poll = undefined;
    clearTimeout(poll.timer);
    this.reply(poll.res, 200, { ok: true, result: updates });
  }

  /** Deliver unconfirmed updates to the webhook one at a time, retrying failures like Telegram. */
  private async deliverWebhooks(): Promise<void> {
    if (this.delivering) return;
    this.delivering = true;
    try {
      let failures = 0;
      while (this.webhook && !this.closed) {
        const next = this.updates.find((u) => u.update_id >= this.confirmedBelow);
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
