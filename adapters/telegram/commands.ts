/**
 * Telegram bot commands: parsing `/name@bot args` and registering the menu.
 *
 * In groups Telegram shows commands as `/video@our_bot` and privacy mode delivers every command to
 * every bot, so the target after `@` decides whether a command is ours. The menu comes from the one
 * shared COMMANDS table so Telegram and Discord offer the same set, in English (default) and Chinese.
 */
import type { Api } from 'grammy';
import { COMMANDS } from '../../src/core/commands.js';
import type { Logger } from '../../src/log.js';

const KNOWN = new Set<string>(COMMANDS.map((c) => c.name));

export interface ParsedCommand {
  /** Lower-case name without slash and target. */
  name: string;
  args: string;
  /** One of the commands in COMMANDS. */
  known: boolean;
  /** Written as `/name@our_bot`. */
  explicitTarget: boolean;
  /** Written as `/name@another_bot`: not for us at all. */
  forOtherBot: boolean;
}

const COMMAND_RE = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?=\s|$)/;

/** Parse a leading bot command; undefined when the text does not start with one. */
export function parseCommand(text: string, botUsername: string): ParsedCommand | undefined {
  const m = COMMAND_RE.exec(text);
  if (!m) return undefined;
  const name = (m[1] ?? '').toLowerCase();
  const target = m[2];
  const ours = target !== undefined && target.toLowerCase() === botUsername.toLowerCase();
  return {
    name,
    args: text.slice(m[0].length).trim(),
    known: KNOWN.has(name),
    explicitTarget: ours,
    forOtherBot: target !== undefined && !ours,
  };
}

/** The command menu in one language, as setMyCommands wants it. */
export function commandMenu(lang: 'en' | 'zh'): Array<{ command: string; description: string }> {
  return COMMANDS.map((c) => ({ command: c.name, description: c.description[lang] }));
}

/**
 * Register the menu: English as the default for every language, Chinese for `zh` clients.
 * Failures are logged, not thrown: a bot without a menu still works.
 */
export async function registerCommands(api: Api, logger: Logger): Promise<void> {
  const results = await Promise.allSettled([
    api.setMyCommands(commandMenu('en')),
    api.setMyCommands(commandMenu('zh'), { language_code: 'zh' }),
  ]);
  for (const r of results) {
    if (r.status === 'rejected') logger.warn({ err: r.reason }, 'telegram: setMyCommands failed; the command menu may be stale');
  }
}
