/**
 * Doctor: Telegram. The token works (getMe), privacy mode, and the webhook state: in webhook mode it
 * must point at TELEGRAM_WEBHOOK_URL; in polling mode a leftover webhook is deleted at start.
 */
import type { Config } from '../../config.js';
import { createApi } from '../../../adapters/telegram/api.js';
import { fail, info, ok, warn, type Item } from './checklist.js';

export async function checkTelegram(config: Config): Promise<Item[]> {
  if (!config.TELEGRAM_BOT_TOKEN) return [info('TELEGRAM_BOT_TOKEN is not set: Telegram is off')];
  const api = createApi(config);
  let me;
  try {
    me = await api.getMe();
  } catch (err) {
    const code = (err as { error_code?: number }).error_code;
    if (code === 401 || code === 404) return [fail('TELEGRAM_BOT_TOKEN was rejected by Telegram (getMe: unauthorized)', 'copy the token again from @BotFather (/mybots → your bot → API Token)')];
    return [fail(`Telegram did not answer getMe (${(err as Error).message})`, `check TELEGRAM_API_ROOT (${config.TELEGRAM_API_ROOT}) and that this host reaches it`)];
  }
  const items: Item[] = [ok(`Telegram bot @${me.username} (id ${me.id})`)];
  items.push(
    me.can_read_all_group_messages
      ? info('privacy mode is off: in groups the bot receives every message (it still answers only mentions, replies and commands)')
      : info('privacy mode is on: in groups the bot sees commands, replies to it and mentions, which is all it needs'),
  );
  try {
    const hook = await api.getWebhookInfo();
    if (config.TELEGRAM_WEBHOOK_URL) {
      if (!hook.url) items.push(info(`webhook mode: no webhook registered yet; the bot registers ${config.TELEGRAM_WEBHOOK_URL} when it starts`));
      else if (hook.url === config.TELEGRAM_WEBHOOK_URL) items.push(ok(`webhook registered at ${hook.url}`));
      else items.push(warn(`webhook registered at ${hook.url}, not TELEGRAM_WEBHOOK_URL`, 'the bot replaces it when it starts; make sure no other deployment uses this token'));
      if (hook.last_error_message) items.push(warn(`Telegram's last webhook delivery failed: ${hook.last_error_message}`, 'make the URL reachable from the internet over HTTPS and route it to TELEGRAM_WEBHOOK_PORT'));
    } else if (hook.url) {
      items.push(warn(`a webhook is registered at ${hook.url}, but this deployment long-polls`, 'the bot deletes it when it starts polling; if another deployment uses that webhook, give each its own bot token'));
    } else {
      items.push(ok('long polling: no webhook registered'));
    }
    if (hook.pending_update_count) items.push(info(`${hook.pending_update_count} update(s) waiting at Telegram`));
  } catch (err) {
    items.push(warn(`the webhook state could not be read (${(err as Error).message})`, 'run doctor again; if it persists, check TELEGRAM_API_ROOT'));
  }
  return items;
}
