/**
 * Metrics around the outboxes: every video posted, as a file or as a link, by platform. The outboxes
 * themselves stay untouched; a proxy forwards every other call to them.
 */
import type { Outbox, OutboxRegistry } from '../core/outbox.js';
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
  // A proxy, so methods added to the Outbox interface later are forwarded without changes here.
  return new Proxy(outbox, {
    get(target, prop) {
      if (prop === 'sendVideo' || prop === 'sendLink') return counted[prop];
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export function instrumentOutboxes(outboxes: OutboxRegistry, metrics: Metrics): OutboxRegistry {
  const out: OutboxRegistry = {};
  for (const [platform, o] of Object.entries(outboxes) as [keyof OutboxRegistry, OutboxRegistry[keyof OutboxRegistry]][]) {
    if (o) out[platform] = instrumentOutbox(o, metrics);
  }
  return out;
}
