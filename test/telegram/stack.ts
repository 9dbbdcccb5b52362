/**
 * A whole Telegram stack for end-to-end tests: the Nemo simulator, the fake Bot API, the core
 * runtime with the real Telegram outbox, and the polling bot. `close()` stops it all and fails the
 * file if the bot broke the Nemo contract.
 */
import { createTelegramOutbox, startTelegramBot, type TelegramBot } from '../../adapters/telegram/index.js';
import { loadConfig } from '../../src/platforms/config.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startNemoSim, type NemoSim, type SimOptions } from '../../nemo-sim/index.js';
import { FakeTelegram } from '../fakes/telegram/index.js';
import { dropPrefix, testEnv, uniquePrefix } from '../helpers/harness.js';
import { TOKEN, until } from './helpers.js';

export interface TelegramStack {
  sim: NemoSim;
  fake: FakeTelegram;
  runtime: Runtime;
  bot: TelegramBot;
  close(): Promise<void>;
}

export async function startTelegramStack(name: string, o: { sim?: Partial<SimOptions>; env?: Record<string, string>; editIntervalMs?: { group: number; direct: number } } = {}): Promise<TelegramStack> {
  const prefix = uniquePrefix(name);
  const sim = await startNemoSim({ turnMs: 300, heartbeatMs: 40, renderStepMs: 80, ...o.sim });
  const fake = await FakeTelegram.start({ token: TOKEN });
  const config = loadConfig(testEnv(prefix, { NEMO_API_URL: sim.url, TELEGRAM_API_ROOT: fake.url, TELEGRAM_BOT_TOKEN: TOKEN, ...o.env }));
  const outbox = createTelegramOutbox({ config, logger: silentLogger, ...(o.editIntervalMs ? { editIntervalMs: o.editIntervalMs } : {}) });
  const runtime = await startRuntime({ config, logger: silentLogger, outboxes: { telegram: outbox }, runWorker: true });
  const bot = await startTelegramBot({ config, ingress: runtime.ingress, redis: runtime.redis, logger: silentLogger, pollTimeoutSeconds: 2 });
  await until(() => bot.isPolling, 5_000, 'the bot to poll');
  return {
    sim,
    fake,
    runtime,
    bot,
    async close() {
      await bot.stop();
      await runtime.close();
      await fake.close();
      await sim.close();
      await dropPrefix(prefix);
      sim.assertNoViolations(); // the bot kept the Nemo contract throughout
    },
  };
}
