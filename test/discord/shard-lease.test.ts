/**
 * One process per gateway shard: the Redis lease, two real processes, takeover after the holder is
 * killed, and a client torn down when its lease is taken away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardLeaseKey, startDiscordBot } from '../../adapters/discord/index.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { fileRedis } from '../helpers/common.js';
import { captureLogger, discordConfig, dropPrefix, RecordingIngress, REDIS_URL, sleep, uniquePrefix, until } from './helpers.js';

const LEASE_MS = 1500;
const file = fileRedis('lease');
const { prefix } = file;

describe('two bot processes', () => {
  let fake: FakeDiscord;
  let child: ChildProcess | undefined;
  const childOut: string[] = [];

  beforeAll(async () => {
    fake = await startFakeDiscord();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await fake?.close();
  });

  it('keeps one gateway session; after the holder is killed the standby takes over within seconds', async () => {
    const env = {
      ...process.env,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      DISCORD_TOKEN: fake.token,
      DISCORD_API_URL: fake.restUrl,
      DISCORD_SHARD_LEASE_MS: String(LEASE_MS),
      DISCORD_APPLICATION_ID: fake.applicationId,
      LOG_LEVEL: 'silent',
    };
    const script = fileURLToPath(new URL('./fixtures/bot-process.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => childOut.push(...d.toString().split('\n').filter(Boolean)));
    child.stderr!.on('data', (d: Buffer) => childOut.push(`stderr: ${d.toString()}`));
    await until(() => childOut.includes('READY'), 30_000, `the child bot to be ready (${childOut.join(' | ')})`);
    expect(fake.liveSessions()).toHaveLength(1);

    // The standby in this process.
    const ingress = new RecordingIngress();
    const logs = captureLogger();
    const standby = await startDiscordBot({ config: discordConfig(fake, prefix, { DISCORD_SHARD_LEASE_MS: String(LEASE_MS) }), ingress, redis: file.redis, logger: logs.logger });
    try {
      await sleep(LEASE_MS * 2);
      expect(standby.shards[0]!.connection).toBeUndefined();
      expect(fake.liveSessions()).toHaveLength(1);
      const m1 = fake.pushMessage({ channelId: fake.channels.general, content: 'first', mentionBot: true });
      await until(() => childOut.includes(`ACCEPT ${m1.id}`), 5000, 'the holder to take the message');

      const killedAt = Date.now();
      child.kill('SIGKILL');
      const conn = await until(() => standby.shards[0]!.connection, LEASE_MS + 3000, 'the standby to take the lease');
      await conn.ready;
      const tookOverMs = Date.now() - killedAt;
      expect(tookOverMs).toBeLessThan(LEASE_MS + 3000);
      await until(() => fake.liveSessions().length === 1, 3000, 'the dead session to be gone');

      const m2 = fake.pushMessage({ channelId: fake.channels.general, content: 'second', mentionBot: true });
      await until(() => ingress.received.find((r) => r.messageId === m2.id), 5000, 'the new holder to take the message');
      expect(ingress.received.find((r) => r.messageId === m1.id)).toBeUndefined();
      expect(logs.text()).toContain('shard lease acquired');
    } finally {
      await standby.stop();
    }
    expect(await file.redis.exists(shardLeaseKey(prefix, 0))).toBe(0); // released on stop
  }, 60_000);

  it('destroys the client as soon as its lease is taken away, and reconnects once it is free again', async () => {
    const ingress = new RecordingIngress();
    const logs = captureLogger();
    const p = uniquePrefix('lease-lost');
    const bot = await startDiscordBot({ config: discordConfig(fake, p, { DISCORD_SHARD_LEASE_MS: String(LEASE_MS) }), ingress, redis: file.redis, logger: logs.logger });
    try {
      const first = await until(() => bot.shards[0]!.connection, 5000, 'the first connection');
      await first.ready;
      await until(() => fake.liveSessions().length === 1, 3000, 'one session');
      await file.redis.set(shardLeaseKey(p, 0), 'someone-else', 'PX', 1000);
      await until(() => fake.liveSessions().length === 0, LEASE_MS, 'the client to be destroyed');
      expect(logs.text()).toContain('shard lease lost');
      const second = await until(() => bot.shards[0]!.connection, 5000, 'the reconnection');
      await second.ready;
      expect(second).not.toBe(first);
      expect(fake.liveSessions()).toHaveLength(1);
    } finally {
      await bot.stop();
      await dropPrefix(p);
    }
  }, 30_000);
});
