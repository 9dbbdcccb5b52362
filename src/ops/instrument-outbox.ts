/**
 * Metrics around the outboxes: every video posted, as a file or as a link, by platform. The outboxes
 * themselves stay untouched; every other call is forwarded to them.
 */
import { wrapOutbox, type Outbox, type OutboxRegistry } from '../core/outbox.js';
import type { Metrics } from './metrics.js';

export function instrumentOutbox(outbox: Outbox, metrics: Metrics): Outbox {
  const counted = {
    async sendVideo(...args: Parameters<Outbox['sendVideo']>) {
      const ref = await outbox.sendVideo(...args);
      metrics.deliveries.inc({ platform: outbox.platform, kind: 'video' });
      return ref;
    },
    async sendLink(...args: Parameters<Outbox['sendLink']>) {
      const ref = await outbox.sendLink(...args);
      metrics.deliveries.inc({ platform: outbox.platform, kind: 'link' });
      return ref;
    },
  };
  // Every other member is forwarded as it is (wrapOutbox).
  return wrapOutbox(outbox, counted);
}

export function instrumentOutboxes(outboxes: OutboxRegistry, metrics: Metrics): OutboxRegistry {
  const out: OutboxRegistry = {};
  for (const [platform, o] of Object.entries(outboxes) as [keyof OutboxRegistry, OutboxRegistry[keyof OutboxRegistry]][]) {
    if (o) out[platform] = instrumentOutbox(o, metrics);
  }
  return out;
}
