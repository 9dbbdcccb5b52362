/**
 * Who administers a Discord server for /admin: members with Manage Server, or with one of the roles
 * in DISCORD_ADMIN_ROLE_IDS. Read from what the event already carries (the interaction's resolved
 * permissions, the cached member), never with an extra REST call; unknown means "not an admin".
 */
import { PermissionFlagsBits, type ButtonInteraction, type ChatInputCommandInteraction, type Message, type ModalSubmitInteraction } from 'discord.js';
import type { IncomingMessage } from '../../src/core/message.js';

/** Role ids from the comma-separated DISCORD_ADMIN_ROLE_IDS. */
export function adminRoleIds(value: string | undefined): ReadonlySet<string> {
  return new Set((value ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

function roleIdsOf(roles: unknown): string[] {
  if (Array.isArray(roles)) return roles.filter((r): r is string => typeof r === 'string'); // an API member
  const cache = (roles as { cache?: Map<string, unknown> } | undefined)?.cache;
  return cache ? [...cache.keys()] : [];
}

export function interactionIsAdmin(i: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction, adminRoles: ReadonlySet<string>): boolean {
  if (!i.guildId) return false;
  if (i.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  return roleIdsOf(i.member?.roles).some((r) => adminRoles.has(r));
}

export function messageIsAdmin(m: Message, adminRoles: ReadonlySet<string>): boolean {
  if (!m.guildId || !m.member) return false;
  try {
    if (m.member.permissions.has(PermissionFlagsBits.ManageGuild)) return true;
  } catch {
    // permissions need the guild's roles cached; fall back to the role list
  }
  return roleIdsOf(m.member.roles).some((r) => adminRoles.has(r));
}

/** Settings are per server: the guild is the scope (a DM is its own). */
export function withAdminFacts(msg: IncomingMessage, guildId: string | null, isAdmin: boolean): IncomingMessage {
  if (guildId) msg.scopeId = `discord-guild:${guildId}`;
  msg.isAdmin = isAdmin;
  return msg;
}
