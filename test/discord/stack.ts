/**
 * A whole Discord stack for end-to-end tests: the Nemo simulator, the fake Discord (gateway + REST),
 * the core runtime with the real Discord outbox, and the gateway bot with its shard ready. `close()`
 * stops it all and fails the file if the bot broke the Nemo contract.
 */
import { createDiscordOutbox, startDiscordBot, type DiscordBot, type DiscordOutbox } from '../../adapters/discord/index.js';
import { loadConfig } from '../../src/platforms/config.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startNemoSim, type NemoSim, type SimOptions } from '../../nemo-sim/index.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { testEnv } from '../helpers/harness.js';
import { dropPrefix, uniquePrefix } from './helpers.js';

export interface DiscordStack {
  sim: NemoSim;
  fake: FakeDiscord;
  outbox: DiscordOutbox;
  runtime: Runtime;
  bot: DiscordBot;
  close(): Promise<void>;
}

/**
 * `env` may be a function of the fake, called before the bot connects (e.g. to create a guild role
 * and name it in DISCORD_ADMIN_ROLE_IDS: roles come with GUILD_CREATE).
 */
export async function startDiscordStack(name: string, o: { sim?: Partial<SimOptions>; env?: Record<string, string> | ((fake: FakeDiscord) => Record<string, string>) } = {}): Promise<DiscordStack> {
  const prefix = uniquePrefix(name);
  const sim = await startNemoSim({ turnMs: 300, heartbeatMs: 40, renderStepMs: 60, ...o.sim });
  const fake = await startFakeDiscord();
  const extra = typeof o.env === 'function' ? o.env(fake) : (o.env ?? {});
  const config = loadConfig(testEnv(prefix, { NEMO_API_URL: sim.url, DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.restUrl, DISCORD_GUILD_ID: fake.guild.id, DISCORD_SHARD_LEASE_MS: '1500', ...extra }));
  const outbox = createDiscordOutbox({ config, logger: silentLogger });
  const runtime = await startRuntime({ config, logger: silentLogger, outboxes: { discord: outbox }, runWorker: true });
  const bot = await startDiscordBot({ config, ingress: runtime.ingress, redis: runtime.redis, logger: silentLogger });
  await (await fake.waitFor(() => bot.shards[0]?.connection, 10_000, 'the shard')).ready;
  return {
    sim,
    fake,
    outbox,
    runtime,
    bot,
    async close() {
      await bot.stop();
      await runtime.close();
      outbox.close();
      await sim.close();
      await fake.close();
      await dropPrefix(prefix);
      sim.assertNoViolations(); // the bot kept the Nemo contract throughout
    },
  };
}
