/**
 * Doctor: Nemo. The API answers at NEMO_API_URL, and a configured NEMO_TOKEN is valid (its credits
 * shown). Without NEMO_TOKEN every conversation gets a free anonymous token, so nothing is issued here.
 */
import type { Config } from '../../config.js';
import { silentLogger } from '../../log.js';
import { NemoClient, nemoClientOptionsFromConfig } from '../../nemo/client.js';
import { isNemoError } from '../../nemo/errors.js';
import { reach } from '../reach.js';
import { fail, info, ok, warn, type Item } from './checklist.js';

export async function checkNemo(config: Config): Promise<Item[]> {
  const r = await reach(config.NEMO_API_URL);
  if (!r.ok) {
    return [fail(`Nemo does not answer at ${config.NEMO_API_URL} (${r.error})`, 'check NEMO_API_URL and that this host can reach it (DNS, firewall, proxy)')];
  }
  const items: Item[] = [ok(`Nemo answers at ${config.NEMO_API_URL}`)];
  if (!config.NEMO_TOKEN) {
    items.push(info('NEMO_TOKEN is not set: each conversation gets its own free anonymous token (users register to keep going)'));
    return items;
  }
  const client = new NemoClient({ ...nemoClientOptionsFromConfig(config, silentLogger), requestTimeoutMs: 10_000 });
  try {
    const c = await client.getCredits({ credential: { token: config.NEMO_TOKEN, anonymous: false } });
    items.push(ok(`NEMO_TOKEN is valid: ${c.available} credits available${c.frozen ? ` (${c.frozen} reserved)` : ''}`));
    if (c.available <= 0) items.push(warn('NEMO_TOKEN has no credits left: every turn will answer "out of credits"', `top up at ${config.NEMO_WEB_URL}`));
  } catch (err) {
    if (isNemoError(err) && (err.kind === 'auth' || err.kind === 'forbidden')) {
      items.push(fail('NEMO_TOKEN was rejected by Nemo', `copy a current token (nmv_usr_…) from your account at ${config.NEMO_WEB_URL}, or unset NEMO_TOKEN to use free anonymous tokens`));
    } else {
      items.push(fail(`NEMO_TOKEN could not be checked (${isNemoError(err) ? err.kind : 'error'})`, 'check that NEMO_API_URL is the Nemo API (not the web app) and try again'));
    }
  }
  return items;
}
