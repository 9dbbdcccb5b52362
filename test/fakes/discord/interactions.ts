/**
 * INTERACTION_CREATE payloads as Discord sends them: slash commands (type 2) with their options
 * and resolved attachments (stored on the fake CDN), and button presses (type 3) carrying the
 * message the button is on. Each interaction is stored so the REST side can enforce the 3 s
 * window, the single response and the 15-minute token.
 */
import { fakeInteractionToken, messageJSON, snowflake, userJSON, type FakeUser, type FakeWorld, type StoredInteraction } from './state.js';

export interface FakeFile {
  name: string;
  bytes: Buffer;
  contentType: string;
}

export interface SlashInput {
  channelId: string;
  name: string;
  user?: FakeUser;
  /** String options, or a file for attachment options (resolved like Discord does). */
  options?: Record<string, string | FakeFile>;
  locale?: string;
}

export interface ButtonInput {
  channelId: string;
  messageId: string;
  customId: string;
  user?: FakeUser;
  locale?: string;
}

const PERMISSIONS = '1071698660929';

function base(world: FakeWorld, channelId: string, user: FakeUser, type: 2 | 3 | 5, locale?: string) {
  const channel = world.channels.get(channelId);
  if (!channel) throw new Error(`unknown channel ${channelId}`);
  const id = snowflake();
  const ix: StoredInteraction = { id, token: fakeInteractionToken(id), type, channelId, guildId: channel.guildId, userId: user.id, createdAt: Date.now() };
  world.interactions.set(id, ix);
  const guild = channel.guildId ? world.guilds.get(channel.guildId) : undefined;
  const payload: Record<string, unknown> = {
    id,
    application_id: world.applicationId,
    type,
    token: ix.token,
    version: 1,
    channel_id: channelId,
    channel:
      channel.type === 1
        ? { id: channel.id, type: 1, recipients: [userJSON(user)], flags: 0 }
        : { id: channel.id, type: channel.type, guild_id: channel.guildId, name: channel.name, parent_id: channel.parentId ?? null, flags: 0, permissions: PERMISSIONS },
    locale: locale ?? 'en-US',
    app_permissions: PERMISSIONS,
    entitlements: [],
    authorizing_integration_owners: guild ? { '0': guild.id } : { '1': user.id },
    context: guild ? 0 : 1,
    attachment_size_limit: world.uploadLimit(channelId),
  };
  if (guild) {
    payload.guild_id = guild.id;
    payload.guild_locale = guild.preferredLocale;
    payload.guild = { id: guild.id, locale: guild.preferredLocale, features: [] };
    payload.member = { user: userJSON(user), roles: user.roles ?? [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, nick: null, avatar: null, premium_since: null, pending: false, permissions: user.permissions ?? PERMISSIONS };
  } else {
    payload.user = userJSON(user);
  }
  return { ix, payload };
}

export function slashCommandPayload(world: FakeWorld, input: SlashInput & { user: FakeUser }) {
  const { ix, payload } = base(world, input.channelId, input.user, 2, input.locale);
  const registered = [...world.commands.values()].flat().find((c) => c.name === input.name);
  const options: Array<{ name: string; type: number; value: string }> = [];
  const attachments: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input.options ?? {})) {
    if (typeof value === 'string') {
      options.push({ name, type: 3, value });
    } else {
      const { bytes: _bytes, ...att } = world.storeAttachment(input.channelId, value.name, value.bytes, value.contentType);
      attachments[att.id] = { ...att, ephemeral: true };
      options.push({ name, type: 11, value: att.id });
    }
  }
  payload.data = {
    id: (registered?.id as string | undefined) ?? snowflake(),
    name: input.name,
    type: 1,
    options,
    ...(Object.keys(attachments).length ? { resolved: { attachments } } : {}),
    ...(ix.guildId ? { guild_id: ix.guildId } : {}),
  };
  return { ix, payload };
}

export interface ModalSubmitInput {
  channelId: string;
  /** The custom_id of the modal (as the bot set it). */
  customId: string;
  /** Text inputs by custom_id. */
  values: Record<string, string>;
  user?: FakeUser;
  locale?: string;
}

/** A user submits a modal the bot showed (type 5), its text inputs in action rows. */
export function modalSubmitPayload(world: FakeWorld, input: ModalSubmitInput & { user: FakeUser }) {
  const { ix, payload } = base(world, input.channelId, input.user, 5, input.locale);
  payload.data = {
    custom_id: input.customId,
    components: Object.entries(input.values).map(([custom_id, value]) => ({ type: 1, components: [{ type: 4, custom_id, value }] })),
  };
  return { ix, payload };
}

export function buttonPayload(world: FakeWorld, input: ButtonInput & { user: FakeUser }) {
  const message = world.messages.get(input.messageId);
  if (!message) throw new Error(`unknown message ${input.messageId}`);
  const { ix, payload } = base(world, input.channelId, input.user, 3, input.locale);
  ix.originalMessageId = message.id;
  payload.message = messageJSON(message);
  payload.data = { custom_id: input.customId, component_type: 2 };
  return { ix, payload };
}
