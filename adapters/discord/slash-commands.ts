/**
 * Slash commands: built from the core's COMMANDS catalogue and registered only when they changed.
 *
 * Why compare first: a bulk PUT overwrites the whole set, and Discord caps command *creations* per
 * day (eng-anchors §3.1), so registering on every start or every shard login would eventually fail.
 * Every start does one GET (with full localizations) and PUTs only when the normalized sets differ.
 * With DISCORD_GUILD_ID the set goes to that guild (instant updates, good for development);
 * otherwise globally (also usable in DMs with the bot).
 */
import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { COMMANDS, VIDEO_OPTION_DESCRIPTIONS } from '../../src/core/commands.js';
import type { Logger } from '../../src/log.js';

/**
 * Localized command and option names. Discord lets names be localized (Telegram does not), so they
 * live with the Discord adapter; descriptions come from the core catalogue. The catalogue has one
 * Chinese text, used for both zh-CN and zh-TW descriptions.
 */
const ZH_NAMES: Record<string, { cn: string; tw: string }> = {
  video: { cn: '视频', tw: '影片' },
  export: { cn: '导出', tw: '匯出' },
  credits: { cn: '积分', tw: '點數' },
  status: { cn: '状态', tw: '狀態' },
  new: { cn: '新项目', tw: '新專案' },
  cancel: { cn: '取消', tw: '取消' },
  help: { cn: '帮助', tw: '說明' },
  jobs: { cn: '任务', tw: '任務' },
  show: { cn: '重发', tw: '重發' },
  id: { cn: '编号', tw: '編號' },
  login: { cn: '登录', tw: '登入' },
  logout: { cn: '登出', tw: '登出' },
  token: { cn: '凭证', tw: '憑證' },
  admin: { cn: '管理', tw: '管理' },
  lang: { cn: '语言', tw: '語言' },
  settings: { cn: '设置', tw: '設定' },
  language: { cn: '语言', tw: '語言' },
  prompt: { cn: '描述', tw: '描述' },
  image: { cn: '图片', tw: '圖片' },
};

const OPTION_STRING = 3;
const OPTION_ATTACHMENT = 11;
const CHAT_INPUT = 1;
/** Interaction contexts: guild, the bot's DM. */
const CONTEXTS = [0, 1];

export interface SlashOptionJSON {
  type: number;
  name: string;
  description: string;
  required: boolean;
  name_localizations: Record<string, string>;
  description_localizations: Record<string, string>;
}

export interface SlashCommandJSON {
  type: number;
  name: string;
  description: string;
  name_localizations: Record<string, string>;
  description_localizations: Record<string, string>;
  options: SlashOptionJSON[];
  contexts?: number[];
}

function names(name: string): Record<string, string> {
  const zh = ZH_NAMES[name];
  return zh ? { 'zh-CN': zh.cn, 'zh-TW': zh.tw } : {};
}

function descriptions(d: { zh: string }): Record<string, string> {
  return { 'zh-CN': d.zh, 'zh-TW': d.zh };
}

/** The command set to register. Guild commands take no `contexts` (they never run in DMs). */
export function buildSlashCommands(scope: 'global' | 'guild'): SlashCommandJSON[] {
  return COMMANDS.filter((c) => !c.greeting) // Discord has no /start custom
    .map((c) => {
    const cmd: SlashCommandJSON = {
      type: CHAT_INPUT,
      name: c.name,
      description: c.description.en,
      name_localizations: names(c.name),
      description_localizations: descriptions(c.description),
      options: [],
    };
    if (c.takesPrompt) {
      cmd.options = [
        {
          type: OPTION_STRING,
          name: 'prompt',
          description: VIDEO_OPTION_DESCRIPTIONS.prompt.en,
          required: true,
          name_localizations: names('prompt'),
          description_localizations: descriptions(VIDEO_OPTION_DESCRIPTIONS.prompt),
        },
        {
          type: OPTION_ATTACHMENT,
          name: 'image',
          description: VIDEO_OPTION_DESCRIPTIONS.image.en,
          required: false,
          name_localizations: names('image'),
          description_localizations: descriptions(VIDEO_OPTION_DESCRIPTIONS.image),
        },
      ];
    }
    if (c.argument) {
      cmd.options = [
        {
          type: OPTION_STRING,
          name: c.argument.name,
          description: c.argument.description.en,
          required: !c.argument.optional,
          name_localizations: names(c.argument.name),
          description_localizations: descriptions(c.argument.description),
        },
      ];
    }
    if (scope === 'global') cmd.contexts = CONTEXTS;
    return cmd;
  });
}

type Loose = Record<string, unknown>;

function sortedRecord(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object') return {};
  return Object.fromEntries(Object.entries(v as Record<string, string>).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The fields we set, in a canonical shape. Discord answers with more (ids, version, defaults such
 * as `dm_permission`, `nsfw`) and omits `required: false`; those must not count as differences.
 */
function canonical(cmd: Loose, scope: 'global' | 'guild'): Loose {
  const options = Array.isArray(cmd.options) ? (cmd.options as Loose[]) : [];
  return {
    type: cmd.type ?? CHAT_INPUT,
    name: cmd.name,
    description: cmd.description,
    name_localizations: sortedRecord(cmd.name_localizations),
    description_localizations: sortedRecord(cmd.description_localizations),
    options: options.map((o) => ({
      type: o.type,
      name: o.name,
      description: o.description,
      required: Boolean(o.required),
      name_localizations: sortedRecord(o.name_localizations),
      description_localizations: sortedRecord(o.description_localizations),
    })),
    ...(scope === 'global' ? { contexts: Array.isArray(cmd.contexts) ? [...(cmd.contexts as number[])].sort() : null } : {}),
  };
}

/** Whether the registered set already equals the wanted one (order-insensitive). */
export function sameCommandSet(registered: unknown[], wanted: SlashCommandJSON[], scope: 'global' | 'guild'): boolean {
  const norm = (list: unknown[]) =>
    list
      .map((c) => canonical(c as Loose, scope))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)))
      .map((c) => JSON.stringify(c));
  const a = norm(registered);
  const b = norm(wanted);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export interface SyncCommandsOptions {
  rest: REST;
  applicationId: string;
  guildId?: string;
  logger: Logger;
}

/** Register the commands unless the same set is already there. */
export async function syncSlashCommands(opts: SyncCommandsOptions): Promise<'unchanged' | 'updated'> {
  const scope = opts.guildId ? 'guild' : 'global';
  const route = opts.guildId
    ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId)
    : Routes.applicationCommands(opts.applicationId);
  const wanted = buildSlashCommands(scope);
  const registered = await opts.rest.get(route, { query: new URLSearchParams({ with_localizations: 'true' }) });
  if (Array.isArray(registered) && sameCommandSet(registered, wanted, scope)) {
    opts.logger.info({ scope, count: wanted.length }, 'discord: slash commands already registered');
    return 'unchanged';
  }
  await opts.rest.put(route, { body: wanted });
  opts.logger.info({ scope, guildId: opts.guildId, count: wanted.length }, 'discord: slash commands registered');
  return 'updated';
}
