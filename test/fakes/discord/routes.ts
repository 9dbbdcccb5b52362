/**
 * The fake's REST routes (`/api/v10/...`) and CDN route. Interaction rules follow Discord: the first
 * callback must come within the ack window (3 s; later → 10062) and exactly once (again → 40060);
 * the first follow-up after a deferred reply edits its loading message, keeping its visibility;
 * webhook routes take the interaction token instead of the bot token and die after 15 minutes
 * (50027); `@original` arrives percent-encoded from discord.js and is decoded by the router.
 */
import { discordError, type Reply, type Route, type RouteContext } from './http.js';
import type { FakeGateway } from './gateway.js';
import type { MessageStore } from './messages.js';
import { commandListSchema, interactionCallbackSchema } from './schemas.js';
import { channelJSON, guildJSON, messageJSON, snowflake, userJSON, type FakeWorld, type StoredInteraction, type StoredMessage } from './state.js';

export interface RouteOptions {
  world: FakeWorld;
  gateway: FakeGateway;
  store: MessageStore;
  shardCount: number;
  ackWindowMs: number;
  interactionTokenTtlMs: number;
  /** The portal's Message Content switch, reported in the application's flags (GATEWAY_MESSAGE_CONTENT, 1 << 18). */
  messageContentAllowed?: boolean;
}

function ok(json: unknown, status = 200): Reply {
  return { status, json };
}

function asReply(r: StoredMessage | Reply): Reply {
  return 'status' in r ? r : ok(messageJSON(r));
}

export function buildRoutes(o: RouteOptions): Route[] {
  const { world, store } = o;

  const interactionByToken = (ctx: RouteContext): StoredInteraction | Reply => {
    const ix = [...world.interactions.values()].find((i) => i.token === ctx.params.token);
    if (!ix || ctx.params.app !== world.applicationId) return discordError(404, 10015, 'Unknown Webhook');
    if (Date.now() - ix.createdAt > o.interactionTokenTtlMs) return discordError(401, 50027, 'Invalid Webhook Token');
    if (!ix.answered) return discordError(404, 10015, 'Unknown Webhook');
    return ix;
  };

  const originalOf = (ix: StoredInteraction, mid: string): string | Reply => {
    const id = mid === '@original' ? ix.originalMessageId : mid;
    return id ?? discordError(404, 10008, 'Unknown Message');
  };

  const commandRoutes = (pattern: string, guildScoped: boolean): Route[] => {
    const key = (ctx: RouteContext) => (guildScoped ? `guild:${ctx.params.guild}` : 'global');
    const view = (ctx: RouteContext, cmds: Array<Record<string, unknown>>) =>
      ctx.query.get('with_localizations') === 'true'
        ? cmds
        : cmds.map(({ name_localizations: _n, description_localizations: _d, ...rest }) => rest);
    return [
      { method: 'GET', pattern, auth: 'bot', handle: (ctx) => ok(view(ctx, world.commands.get(key(ctx)) ?? [])) },
      {
        method: 'PUT',
        pattern,
        auth: 'bot',
        handle: (ctx) => {
          if (ctx.params.app !== world.applicationId) return discordError(403, 50035, 'Invalid application');
          const parsed = commandListSchema.safeParse(ctx.body.json);
          if (!parsed.success) return discordError(400, 50035, 'Invalid Form Body', parsed.error.issues);
          const stored = parsed.data.map((c) => ({
            ...c,
            id: snowflake(),
            application_id: world.applicationId,
            version: snowflake(),
            type: c.type ?? 1,
            default_member_permissions: c.default_member_permissions ?? null,
            nsfw: c.nsfw ?? false,
            integration_types: c.integration_types ?? [0],
            contexts: c.contexts ?? null,
            name_localizations: c.name_localizations ?? null,
            description_localizations: c.description_localizations ?? null,
            // Discord leaves out `required: false` in what it returns.
            options: c.options?.map(({ required, ...opt }) => (required ? { ...opt, required } : opt)),
            ...(guildScoped ? { guild_id: ctx.params.guild } : { dm_permission: true }),
          }));
          world.commands.set(key(ctx), stored);
          return ok(stored);
        },
      },
    ];
  };

  return [
    {
      method: 'GET',
      pattern: '/gateway/bot',
      auth: 'bot',
      handle: () =>
        ok({ url: o.gateway.url, shards: o.shardCount, session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 } }),
    },
    { method: 'GET', pattern: '/gateway', auth: 'none', handle: () => ok({ url: o.gateway.url }) },
    { method: 'GET', pattern: '/users/@me', auth: 'bot', handle: () => ok({ ...userJSON(world.bot), bot: true, verified: true }) },
    {
      method: 'GET',
      pattern: '/applications/@me',
      auth: 'bot',
      handle: () => ok({ id: world.applicationId, name: world.bot.username, description: '', bot_public: true, bot_require_code_grant: false, flags: o.messageContentAllowed ? 1 << 18 : 0, bot: userJSON(world.bot), verify_key: 'fake', icon: null }),
    },
    ...commandRoutes('/applications/:app/commands', false),
    ...commandRoutes('/applications/:app/guilds/:guild/commands', true),
    {
      method: 'GET',
      pattern: '/channels/:id',
      auth: 'bot',
      handle: (ctx) => {
        const c = world.channels.get(ctx.params.id!);
        if (!c) return discordError(404, 10003, 'Unknown Channel');
        if (world.isDenied(c.id, 'VIEW_CHANNEL')) return discordError(403, 50001, 'Missing Access');
        return ok(channelJSON(c));
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:id',
      auth: 'bot',
      handle: (ctx) => {
        const g = world.guilds.get(ctx.params.id!);
        return g ? ok(guildJSON(world, g)) : discordError(404, 10004, 'Unknown Guild');
      },
    },
    {
      method: 'POST',
      pattern: '/channels/:id/messages',
      auth: 'bot',
      handle: (ctx) => asReply(store.create(ctx.params.id!, ctx.body.json, ctx.body.files, { author: world.bot })),
    },
    {
      method: 'GET',
      pattern: '/channels/:id/messages/:mid',
      auth: 'bot',
      handle: (ctx) => {
        const m = world.messages.get(ctx.params.mid!);
        return m && !m.deleted && m.channel_id === ctx.params.id ? ok(messageJSON(m)) : discordError(404, 10008, 'Unknown Message');
      },
    },
    {
      method: 'PATCH',
      pattern: '/channels/:id/messages/:mid',
      auth: 'bot',
      handle: (ctx) => {
        const m = world.messages.get(ctx.params.mid!);
        if (!m || m.channel_id !== ctx.params.id) return discordError(404, 10008, 'Unknown Message');
        return asReply(store.edit(m.id, ctx.body.json, ctx.body.files, { asBot: true }));
      },
    },
    {
      method: 'DELETE',
      pattern: '/channels/:id/messages/:mid',
      auth: 'bot',
      handle: (ctx) => store.remove(ctx.params.mid!),
    },
    {
      method: 'POST',
      pattern: '/channels/:id/typing',
      auth: 'bot',
      handle: (ctx) => (world.channels.has(ctx.params.id!) ? { status: 204 } : discordError(404, 10003, 'Unknown Channel')),
    },
    {
      method: 'POST',
      pattern: '/interactions/:id/:token/callback',
      auth: 'none',
      handle: (ctx) => {
        const ix = world.interactions.get(ctx.params.id!);
        if (!ix || ix.token !== ctx.params.token) return discordError(404, 10062, 'Unknown interaction');
        if (ix.answered) return discordError(400, 40060, 'Interaction has already been acknowledged.');
        if (Date.now() - ix.createdAt > o.ackWindowMs) return discordError(404, 10062, 'Unknown interaction');
        const parsed = interactionCallbackSchema.safeParse(ctx.body.json);
        if (!parsed.success) return discordError(400, 50035, 'Invalid Form Body', parsed.error.issues);
        const { type, data } = parsed.data;
        ix.answered = { type, at: Date.now() };
        if (type === 9) ix.modal = data as StoredInteraction['modal'];
        let message: StoredMessage | undefined;
        if (type === 4 || type === 5) {
          const flags = (type === 5 ? 128 : 0) | (Number(data?.flags ?? 0) & 64);
          const created = store.create(ix.channelId, type === 5 ? {} : data, ctx.body.files, { author: world.bot, viaInteraction: true, webhookId: world.applicationId, flags, forUserId: ix.userId });
          if ('status' in created) return created;
          ix.originalMessageId = created.id;
          message = created;
        } else if (type === 7 && ix.originalMessageId) {
          const edited = store.edit(ix.originalMessageId, data, ctx.body.files, { asBot: false });
          if ('status' in edited) return edited;
          message = edited;
        }
        if (ctx.query.get('with_response') === 'true') {
          return ok({ interaction: { id: ix.id, type: ix.type }, resource: { type, ...(message ? { message: messageJSON(message) } : {}) } });
        }
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: '/webhooks/:app/:token/messages/:mid',
      auth: 'none',
      handle: (ctx) => {
        const ix = interactionByToken(ctx);
        if ('status' in ix) return ix;
        const id = originalOf(ix, ctx.params.mid!);
        if (typeof id !== 'string') return id;
        const m = world.messages.get(id);
        return m && !m.deleted ? ok(messageJSON(m)) : discordError(404, 10008, 'Unknown Message');
      },
    },
    {
      method: 'PATCH',
      pattern: '/webhooks/:app/:token/messages/:mid',
      auth: 'none',
      handle: (ctx) => {
        const ix = interactionByToken(ctx);
        if ('status' in ix) return ix;
        const id = originalOf(ix, ctx.params.mid!);
        if (typeof id !== 'string') return id;
        return asReply(store.edit(id, ctx.body.json, ctx.body.files, { asBot: false }));
      },
    },
    {
      method: 'DELETE',
      pattern: '/webhooks/:app/:token/messages/:mid',
      auth: 'none',
      handle: (ctx) => {
        const ix = interactionByToken(ctx);
        if ('status' in ix) return ix;
        const id = originalOf(ix, ctx.params.mid!);
        return typeof id === 'string' ? store.remove(id) : id;
      },
    },
    {
      method: 'POST',
      pattern: '/webhooks/:app/:token',
      auth: 'none',
      handle: (ctx) => {
        const ix = interactionByToken(ctx);
        if ('status' in ix) return ix;
        // Discord's backwards compatibility: the first follow-up after a deferred reply (type 5) edits the
        // loading message instead of creating one, and its flags are ignored (a message's ephemeral state
        // cannot change). Once the loading message is edited or deleted, follow-ups are new messages.
        const loading = ix.answered?.type === 5 && ix.originalMessageId ? world.messages.get(ix.originalMessageId) : undefined;
        if (loading && !loading.deleted && loading.flags & 128) return asReply(store.edit(loading.id, ctx.body.json, ctx.body.files, { asBot: false }));
        const flags = Number((ctx.body.json as { flags?: number } | undefined)?.flags ?? 0) & 64;
        return asReply(store.create(ix.channelId, ctx.body.json, ctx.body.files, { author: world.bot, viaInteraction: true, webhookId: world.applicationId, flags, forUserId: ix.userId }));
      },
    },
    {
      method: 'GET',
      pattern: '/cdn/attachments/:channel/:id/:name',
      auth: 'none',
      handle: (ctx) => {
        const file = world.cdn.get(`/cdn/attachments/${ctx.params.channel}/${ctx.params.id}/${encodeURIComponent(ctx.params.name!)}`);
        const q = ctx.query;
        if (!file || q.get('ex') !== file.ex || q.get('is') !== file.is || q.get('hm') !== file.hm) {
          return { status: 404, raw: Buffer.from('This content is no longer available.'), contentType: 'text/plain' };
        }
        return { status: 200, raw: file.bytes, contentType: file.contentType };
      },
    },
  ];
}
