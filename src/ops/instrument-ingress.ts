/**
 * Metrics around the ingress: messages taken by outcome, and acknowledgements (a queued job is
 * always acknowledged to the user before `accept` resolves).
 */
import type { ConversationIngress } from '../core/message.js';
import type { Metrics } from './metrics.js';

export function instrumentIngress(ingress: ConversationIngress, metrics: Metrics): ConversationIngress {
  return {
    async accept(msg) {
      const result = await ingress.accept(msg);
      metrics.messages.inc({ platform: msg.platform, outcome: result.outcome });
      if (result.outcome === 'queued') metrics.acks.inc({ platform: msg.platform });
      return result;
    },
    ...(ingress.formFor ? { formFor: ingress.formFor.bind(ingress) } : {}),
  };
}
