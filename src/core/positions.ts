/**
 * When a conversation's line moves, the jobs still waiting show their new place ("🕒 #2 in line").
 * Only the first few are refreshed: beyond that the number changes often and matters little.
 */
import { t } from './i18n.js';
import type { MessageRef } from './outbox.js';
import type { CoreServices } from './services.js';

const REFRESH_FIRST = 5;

export async function announcePositions(svc: CoreServices, conv: string): Promise<void> {
  const ids = (await svc.line.ids(conv)).slice(1, 1 + REFRESH_FIRST);
  await Promise.all(
    ids.map(async (id, i) => {
      const [raw, data] = await Promise.all([svc.redis.get(svc.keys.statusRef(id)), svc.jobs.data(id)]);
      const outbox = data && svc.outboxes[data.target.platform];
      if (!raw || !data || !outbox || data.step !== 'start') return;
      const text = `${data.header}\n${t(data.target.lang, 'ack.position', { position: i + 2 })}`;
      await outbox.editText({ ...data.target }, JSON.parse(raw) as MessageRef, text).catch(() => undefined);
    }),
  );
}
