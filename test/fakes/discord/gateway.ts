/**
 * The fake gateway (ws): HELLO → IDENTIFY (token, intents, shard checked) → READY → GUILD_CREATE per
 * guild, heartbeats answered with ACK, RESUME supported, then dispatches pushed by tests.
 *
 * Intents are enforced like Discord does: no GUILD_CREATE without `Guilds`, no guild messages
 * without `GuildMessages`, no DMs without `DirectMessages`, and without the privileged
 * `MessageContent` intent guild messages that do not mention the bot arrive with empty content and
 * no attachments. Requesting `MessageContent` when the "portal" has it off closes with 4014.
 */
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { identifySchema, resumeSchema } from './schemas.js';
import { guildCreateJSON, type FakeWorld } from './state.js';

export const Intent = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

export interface GatewaySession {
  id: string;
  ws: WebSocket;
  intents: number;
  shard: [number, number];
  seq: number;
  identifiedAt: number;
  open: boolean;
}

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  shardCount: number;
  messageContentAllowed: boolean;
}

export class FakeGateway {
  readonly wss = new WebSocketServer({ noServer: true });
  /** Every identified session, including closed ones (`open` tells). */
  readonly sessions: GatewaySession[] = [];
  url = '';

  constructor(
    private readonly world: FakeWorld,
    private readonly opts: GatewayOptions,
  ) {
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  /** Sessions that are identified and still connected. */
  live(): GatewaySession[] {
    return this.sessions.filter((s) => s.open);
  }

  private send(ws: WebSocket, payload: object): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }

  private dispatchTo(s: GatewaySession, t: string, d: unknown): void {
    s.seq += 1;
    this.send(s.ws, { op: 0, t, s: s.seq, d });
  }

  private onConnection(ws: WebSocket): void {
    let session: GatewaySession | undefined;
    this.send(ws, { op: 10, d: { heartbeat_interval: this.opts.heartbeatIntervalMs }, s: null, t: null });
    ws.on('message', (raw) => {
      let packet: { op: number; d: unknown };
      try {
        packet = JSON.parse(String(raw)) as { op: number; d: unknown };
      } catch {
        ws.close(4002, 'Decode error');
        return;
      }
      switch (packet.op) {
        case 1:
          this.send(ws, { op: 11, d: null, s: null, t: null });
          return;
        case 2:
          session = this.identify(ws, packet.d);
          return;
        case 6:
          session = this.resume(ws, packet.d);
          return;
        case 3:
        case 8:
          return; // presence / member requests: accepted, ignored
        default:
          ws.close(4001, 'Unknown opcode');
      }
    });
    ws.on('close', () => {
      if (session) session.open = false;
    });
  }

  private identify(ws: WebSocket, d: unknown): GatewaySession | undefined {
    const parsed = identifySchema.safeParse(d);
    if (!parsed.success) {
      ws.close(4002, 'Decode error');
      return undefined;
    }
    const id = parsed.data;
    if (id.token.replace(/^Bot /, '') !== this.opts.token) {
      ws.close(4004, 'Authentication failed.');
      return undefined;
    }
    if (id.intents & Intent.MessageContent && !this.opts.messageContentAllowed) {
      ws.close(4014, 'Disallowed intent(s).');
      return undefined;
    }
    const shard = id.shard ?? [0, 1];
    if (shard[1] !== this.opts.shardCount || shard[0] >= shard[1]) {
      ws.close(4010, 'Invalid shard.');
      return undefined;
    }
    const session: GatewaySession = { id: randomBytes(16).toString('hex'), ws, intents: id.intents, shard, seq: 0, identifiedAt: Date.now(), open: true };
    this.sessions.push(session);
    const guilds = [...this.world.guilds.values()].filter((g) => this.shardOf(g.id) === shard[0]);
    this.dispatchTo(session, 'READY', {
      v: 10,
      user: { ...this.world.bot, bot: true, verified: true, mfa_enabled: false, flags: 0, email: null },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.url,
      shard,
      application: { id: this.world.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      user_settings: {},
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
    });
    if (id.intents & Intent.Guilds) {
      for (const g of guilds) this.dispatchTo(session, 'GUILD_CREATE', guildCreateJSON(this.world, g));
    }
    return session;
  }

  private resume(ws: WebSocket, d: unknown): GatewaySession | undefined {
    const parsed = resumeSchema.safeParse(d);
    const old = parsed.success ? this.sessions.find((s) => s.id === parsed.data.session_id) : undefined;
    if (!parsed.success || !old || parsed.data.token.replace(/^Bot /, '') !== this.opts.token) {
      this.send(ws, { op: 9, d: false, s: null, t: null });
      return undefined;
    }
    old.ws = ws;
    old.open = true;
    this.dispatchTo(old, 'RESUMED', {});
    return old;
  }

  /** Which shard receives a guild's events: (guild_id >> 22) % shard_count; DMs go to shard 0. */
  shardOf(guildId: string | undefined): number {
    if (!guildId) return 0;
    return Number((BigInt(guildId) >> 22n) % BigInt(this.opts.shardCount));
  }

  /**
   * Send an event to every live session of the right shard whose intents allow it. `shape` may
   * adjust the payload per session (content stripping). Returns how many sessions got it.
   */
  dispatch(t: string, d: Record<string, unknown>, opts: { guildId?: string; intent?: number; shape?: (s: GatewaySession) => unknown } = {}): number {
    let count = 0;
    for (const s of this.live()) {
      if (s.shard[0] !== this.shardOf(opts.guildId)) continue;
      if (opts.intent !== undefined && !(s.intents & opts.intent)) continue;
      this.dispatchTo(s, t, opts.shape ? opts.shape(s) : d);
      count += 1;
    }
    return count;
  }

  /** Close every connection (as a Discord restart would) without forgetting sessions. */
  dropConnections(code = 4000): void {
    for (const s of this.live()) s.ws.close(code, 'fake: dropped');
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
