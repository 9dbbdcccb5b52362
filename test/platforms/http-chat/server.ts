/**
 * A minimal HTTP chat service, standing in for a fourth platform: users post into chats, a bot polls
 * for updates and answers through a small REST API (messages, edits, deletions, video uploads).
 */
import { createServer, type IncomingMessage as Req, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatMessage {
  id: number;
  chat: string;
  from: 'user' | 'bot';
  text: string;
  edits: string[];
  deleted: boolean;
  buttons?: Array<Array<{ id: string; label: string }>>;
  video?: { name: string; bytes: Buffer };
  replyTo?: number;
}

export interface ChatUpdate {
  seq: number;
  message: { id: number; chat: string; user: string; userName: string; text: string };
}

export class HttpChatServer {
  readonly messages: ChatMessage[] = [];
  readonly actions: Array<{ chat: string; action: string }> = [];
  private readonly updates: ChatUpdate[] = [];
  private seq = 0;
  private ids = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<HttpChatServer> {
    let self!: HttpChatServer;
    const server = createServer((req, res) => void self.handle(req, res).catch((err: unknown) => send(res, 500, { error: String(err) })));
    self = new HttpChatServer(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A user writes in a chat. */
  userSays(chat: string, user: string, text: string): ChatMessage {
    const m: ChatMessage = { id: ++this.ids, chat, from: 'user', text, edits: [], deleted: false };
    this.messages.push(m);
    this.updates.push({ seq: ++this.seq, message: { id: m.id, chat, user, userName: user, text } });
    return m;
  }

  in(chat: string): ChatMessage[] {
    return this.messages.filter((m) => m.chat === chat);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: Req, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    const path = url.pathname;
    if (req.method === 'GET' && path === '/bot/updates') {
      const after = Number(url.searchParams.get('after') ?? 0);
      return send(res, 200, this.updates.filter((u) => u.seq > after));
    }
    if (req.method === 'POST' && path === '/bot/messages') {
      const j = JSON.parse(body.toString()) as { chat: string; text: string; buttons?: ChatMessage['buttons']; replyTo?: number };
      if (!this.messages.some((m) => m.chat === j.chat)) return send(res, 404, { error: 'no such chat' });
      const m: ChatMessage = { id: ++this.ids, chat: j.chat, from: 'bot', text: j.text, edits: [], deleted: false, ...(j.buttons ? { buttons: j.buttons } : {}), ...(j.replyTo ? { replyTo: j.replyTo } : {}) };
      this.messages.push(m);
      return send(res, 200, { id: m.id });
    }
    const one = /^\/bot\/messages\/(\d+)$/.exec(path);
    if (one) {
      const m = this.messages.find((x) => x.id === Number(one[1]) && x.from === 'bot' && !x.deleted);
      if (!m) return send(res, 404, { error: 'no such message' });
      if (req.method === 'PATCH') m.edits.push((JSON.parse(body.toString()) as { text: string }).text);
      else if (req.method === 'DELETE') m.deleted = true;
      return send(res, 200, {});
    }
    if (req.method === 'POST' && path === '/bot/videos') {
      const chat = url.searchParams.get('chat') ?? '';
      const m: ChatMessage = { id: ++this.ids, chat, from: 'bot', text: url.searchParams.get('caption') ?? '', edits: [], deleted: false, video: { name: url.searchParams.get('name') ?? 'video.mp4', bytes: body } };
      this.messages.push(m);
      return send(res, 200, { id: m.id });
    }
    if (req.method === 'POST' && path === '/bot/actions') {
      this.actions.push(JSON.parse(body.toString()) as { chat: string; action: string });
      return send(res, 200, {});
    }
    send(res, 404, { error: 'unknown route' });
  }
}

async function readBody(req: Req): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
}
