/**
 * /admin: show and change this server's or chat's settings (settings.ts), pause or resume its queue,
 * and cancel or retry any job of this conversation by its /jobs id. The caller has checked that the
 * sender is an admin; this module only parses and applies.
 */
import { cancelJob, type CancelDeps } from './cancel.js';
import { t, type MessageKey } from './i18n.js';
import { JobHistory, type HistoryEntry } from './history.js';
import type { IncomingMessage } from './message.js';
import type { Settings, SettingsStore } from './settings.js';

export type AdminOutcome = { text: string } | { retry: HistoryEntry };

interface AdminDeps extends CancelDeps {
  settings: SettingsStore;
  defaultConcurrency: number;
}

export async function runAdmin(deps: AdminDeps, msg: IncomingMessage, scope: string, lang: string, args: string): Promise<AdminOutcome> {
  const [verb = '', ...rest] = args.trim().split(/\s+/).filter(Boolean);
  const arg = rest.join(' ');
  const set = async (change: (s: Settings) => Settings) => {
    await deps.settings.update(scope, change);
    return { text: `${t(lang, 'admin.saved')}\n${settingsText(await deps.settings.get(scope), lang, deps.defaultConcurrency)}` };
  };
  const count = (v: string) => (/^\d+$/.test(v) ? Number(v) : v === 'off' ? undefined : NaN);
  switch (verb.toLowerCase()) {
    case '':
    case 'show':
      return { text: settingsText(await deps.settings.get(scope), lang, deps.defaultConcurrency) };
    case 'quota':
    case 'concurrency': {
      const n = count(arg);
      if (Number.isNaN(n) || (verb === 'concurrency' && n === 0)) break;
      return set((s) => (verb === 'quota' ? { ...s, quotaPerDay: n } : { ...s, concurrency: n }));
    }
    case 'channels': {
      const [op = '', id = ''] = rest;
      if (op === 'here') return set((s) => ({ ...s, channels: [...new Set([...s.channels, msg.chatId])] }));
      if (op === 'add' && id) return set((s) => ({ ...s, channels: [...new Set([...s.channels, id])] }));
      if (op === 'remove' && id) return set((s) => ({ ...s, channels: s.channels.filter((c) => c !== id) }));
      if (op === 'clear') return set((s) => ({ ...s, channels: [] }));
      break;
    }
    case 'language':
      if (arg === 'en' || arg === 'zh') return set((s) => ({ ...s, language: arg }));
      if (arg === 'auto') return set((s) => ({ ...s, language: undefined }));
      break;
    case 'block':
      if (arg) return set((s) => ({ ...s, blocked: [...new Set([...s.blocked, arg])] }));
      break;
    case 'unblock':
      if (arg) return set((s) => ({ ...s, blocked: s.blocked.filter((b) => b !== arg) }));
      break;
    case 'pause':
    case 'resume':
      return set((s) => ({ ...s, paused: verb === 'pause' }));
    case 'cancel':
    case 'retry': {
      const entry = arg ? await new JobHistory(deps.redis, deps.keys).get(msg.conversationKey, arg) : undefined;
      if (!entry) return { text: t(lang, 'show.unknown', { id: arg.slice(0, 32) || '?' }) };
      if (verb === 'retry') return { retry: entry };
      const done = await cancelJob(deps, msg.conversationKey, entry.jobId, lang);
      return { text: t(lang, done ? 'admin.cancelled' : 'admin.not_running', { id: entry.id }) };
    }
  }
  return { text: t(lang, 'admin.unknown', { args: args.trim().slice(0, 80) }) };
}

export function settingsText(s: Settings, lang: string, defaultConcurrency: number): string {
  return t(lang, 'admin.settings', {
    quota: s.quotaPerDay,
    concurrency: s.concurrency ?? defaultConcurrency,
    channels: s.channels.length ? s.channels.join(', ') : undefined,
    language: s.language ? t(lang, `lang.name.${s.language}` as MessageKey) : undefined,
    blocked: s.blocked.length ? s.blocked.join(', ') : undefined,
    paused: s.paused ? t(lang, 'admin.paused_word') : undefined,
  });
}
