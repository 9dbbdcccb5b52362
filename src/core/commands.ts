/**
 * The bot's commands, in one place; their descriptions come from the catalogue (i18n.ts).
 *
 * Each platform adapter registers these in its own way (a command menu per language, slash commands
 * with localized descriptions), so every platform offers the same set with the same words.
 */
import { inEveryLanguage } from './i18n.js';

export interface CommandSpec {
  name: 'start' | 'help' | 'video' | 'export' | 'credits' | 'status' | 'new' | 'cancel' | 'jobs' | 'show' | 'login' | 'logout' | 'admin' | 'lang';
  description: { en: string; zh: string };
  /** Only `video` takes a prompt (and, where the platform has command options, an optional file). */
  takesPrompt?: boolean;
  /** A required text argument (`/show <id>`), as a typed option where the platform has them. */
  argument?: { name: string; description: { en: string; zh: string }; optional?: boolean };
  /** Only for the user who runs it: answered privately where the platform can (a token, admin settings). */
  private?: boolean;
  /** The greeting a platform sends when a chat opens (`/start`): registered only where that is the custom. */
  greeting?: boolean;
}

export const COMMANDS: readonly CommandSpec[] = [
  { name: 'start', description: inEveryLanguage('command.start'), greeting: true },
  { name: 'video', description: inEveryLanguage('command.video'), takesPrompt: true },
  { name: 'export', description: inEveryLanguage('command.export') },
  { name: 'credits', description: inEveryLanguage('command.credits') },
  { name: 'status', description: inEveryLanguage('command.status') },
  { name: 'new', description: inEveryLanguage('command.new') },
  { name: 'cancel', description: inEveryLanguage('command.cancel') },
  { name: 'jobs', description: inEveryLanguage('command.jobs') },
  { name: 'show', description: inEveryLanguage('command.show'), argument: { name: 'id', description: inEveryLanguage('command.show.id') } },
  { name: 'login', description: inEveryLanguage('command.login'), private: true, argument: { name: 'token', description: inEveryLanguage('command.login.token') } },
  { name: 'logout', description: inEveryLanguage('command.logout'), private: true },
  { name: 'admin', description: inEveryLanguage('command.admin'), private: true, argument: { name: 'settings', description: inEveryLanguage('command.admin.settings'), optional: true } },
  { name: 'lang', description: inEveryLanguage('command.lang'), argument: { name: 'language', description: inEveryLanguage('command.lang.language') } },
  { name: 'help', description: inEveryLanguage('command.help') },
];

/** Descriptions of the `/video` options, for platforms whose commands take typed options. */
export const VIDEO_OPTION_DESCRIPTIONS = {
  prompt: inEveryLanguage('command.video.prompt'),
  image: inEveryLanguage('command.video.image'),
} as const;

/** Map a platform locale (`zh-CN`, `zh-hans`, `zh_TW`, `en-US`) to a supported language. */
export function languageOf(locale: string | undefined): 'en' | 'zh' {
  return locale && /^zh/i.test(locale) ? 'zh' : 'en';
}
