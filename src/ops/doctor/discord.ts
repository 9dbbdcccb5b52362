/**
 * Doctor: Discord. The token works (the application it belongs to), the Message Content intent
 * matches DISCORD_MESSAGE_CONTENT, and the invite URL with exactly the permissions the bot uses.
 */
import { PermissionFlagsBits, Routes } from 'discord-api-types/v10';
import type { Config } from '../../config.js';
import { silentLogger } from '../../log.js';
import { createRestClients } from '../../../adapters/discord/rest.js';
import { fail, info, ok, type Item } from './checklist.js';

/** What the bot needs in a channel (adapters/discord/README.md explains each). */
export const INVITE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseApplicationCommands;

/** Application flags that say the Message Content intent is enabled (full, or limited for unverified apps). */
const MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19);

export function inviteUrl(applicationId: string): string {
  return `https://discord.com/oauth2/authorize?client_id=${applicationId}&scope=bot+applications.commands&permissions=${INVITE_PERMISSIONS}`;
}

export async function checkDiscord(config: Config): Promise<Item[]> {
  if (!config.DISCORD_TOKEN) return [info('DISCORD_TOKEN is not set: Discord is off')];
  const { rest } = createRestClients({ config, logger: silentLogger });
  let app: { id: string; name?: string; flags?: number };
  try {
    app = (await rest.get(Routes.currentApplication())) as typeof app;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 401) return [fail('DISCORD_TOKEN was rejected by Discord (401)', 'Developer Portal → your application → Bot → Reset Token, and copy the bot token (not the client secret)')];
    return [fail(`Discord did not answer (${(err as Error).message})`, `check DISCORD_API_URL (${config.DISCORD_API_URL}) and that this host reaches it`)];
  }
  const items: Item[] = [ok(`Discord application ${app.name ?? ''} (id ${app.id})`.replace('  ', ' '))];
  if (config.DISCORD_APPLICATION_ID && config.DISCORD_APPLICATION_ID !== app.id) {
    items.push(fail(`DISCORD_APPLICATION_ID ${config.DISCORD_APPLICATION_ID} is not the token's application (${app.id})`, 'unset DISCORD_APPLICATION_ID (it is read from the API) or use the matching token'));
  }
  const contentEnabled = ((app.flags ?? 0) & MESSAGE_CONTENT_FLAGS) !== 0;
  if (config.DISCORD_MESSAGE_CONTENT && !contentEnabled) {
    items.push(fail('DISCORD_MESSAGE_CONTENT=true, but the Message Content intent is off for this application (the gateway would refuse the login)', 'Developer Portal → Bot → Privileged Gateway Intents → Message Content Intent, or set DISCORD_MESSAGE_CONTENT=false'));
  } else if (config.DISCORD_MESSAGE_CONTENT) {
    items.push(ok('intents: Guilds, guild and direct messages, and Message Content (enabled in the portal)'));
  } else {
    items.push(ok('intents: Guilds, guild and direct messages; Message Content not requested (mentions, replies, DMs and slash commands work)'));
    if (config.DISCORD_CHANNEL_IDS.length) {
      items.push(fail('DISCORD_CHANNEL_IDS is set, but without the Message Content intent messages there arrive empty unless they mention the bot', 'enable the intent in the portal and set DISCORD_MESSAGE_CONTENT=true'));
    }
  }
  items.push(info(`invite URL: ${inviteUrl(app.id)}`));
  return items;
}
