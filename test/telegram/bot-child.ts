/**
 * A Telegram bot process for the SIGKILL test: configured from the environment like `npm start`
 * (ROLE=bot), except that its ingress reports each arriving message to the parent over IPC and then
 * never returns — the parent kills this process at exactly that point (after getUpdates returned
 * the update, before anything was enqueued).
 */
import { createTelegramOutbox, startTelegramBot } from '../../adapters/telegram/index.js';
import { loadConfig } from '../../src/platforms/config.js';
import type { ConversationIngress, IngressResult } from '../../src/core/message.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime } from '../../src/runtime.js';

const config = loadConfig();
const runtime = await startRuntime({ config, logger: silentLogger, outboxes: { telegram: createTelegramOutbox({ config, logger: silentLogger }) }, runWorker: false });
const ingress: ConversationIngress = {
  accept(msg) {
    process.send?.({ arrived: msg.messageId });
    return new Promise<IngressResult>(() => undefined);
  },
};
const bot = await startTelegramBot({ config, ingress, redis: runtime.redis, logger: silentLogger, pollTimeoutSeconds: 2 });
const timer = setInterval(() => {
  if (bot.isPolling) {
    clearInterval(timer);
    process.send?.({ polling: true });
  }
}, 20);
