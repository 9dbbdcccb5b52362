/**
 * GIVEN several bot processes sharing one token and one Redis THEN only the lease holder long-polls
 * (no 409s), a standby takes over within seconds after the holder dies, and an update whose handling
 * was cut short by a crash is delivered again and handled once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTelegramBot, type TelegramBot } from '../../adapters/telegram/index.js';
import { silentLogger } from '../../src/log.js';
import { FakeTelegram, makeUser, privateChat } from '../fakes/telegram/index.js';
import { deleteKeys, newRedis, RecordingIngress, sleep, testConfig, TOKEN, uniquePrefix, until } from './helpers.js';

const LEASE_MS = 1500;
const prefix = uniquePrefix('lease');
let fake: FakeTelegram;
let redis: Redis;
const bots: TelegramBot[] = [];
const erin = makeUser('Erin', { id: 4001 });

async function startBot(ingress: RecordingIngress): Promise<TelegramBot> {
  const bot = await startTelegramBot({
    config: testConfig({ TELEGRAM_API_ROOT: fake.url, QUEUE_PREFIX: prefix, TELEGRAM_POLL_LEASE_MS: String(LEASE_MS) }),
    ingress,
    redis,
    logger: silentLogger,
    pollTimeoutSeconds: 2,
  });
  bots.push(bot);
  return bot;
}

beforeAll(async () => {
  fake = await FakeTelegram.start({ token: TOKEN });
  redis = newRedis();
});

afterAll(async () => {
  for (const b of bots) await b.stop().catch(() => undefined);
  await fake?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('poll lease', () => {
  it('only one of two bots polls; killing it hands polling to the other within seconds', async () => {
    const inA = new RecordingIngress();
    const inB = new RecordingIngress();
    const a = await startBot(inA);
    await until(() => a.isPolling, 3_000, 'A to poll');
    const b = await startBot(inB);
    await sleep(2 * LEASE_MS);
    expect(a.isPolling).toBe(true);
    expect(b.isPolling).toBe(false);
    expect(fake.callsTo('getUpdates').filter((c) => !c.ok)).toEqual([]); // never a 409
    expect(await redis.get(`${prefix}:telegram:poll-lease`)).toBeTruthy();

    fake.userText({ chat: privateChat(erin), from: erin, text: 'one' });
    await inA.waitFor(1);

    const killedAt = Date.now();
    a.kill(); // no release: the lease must run out
    await until(() => b.isPolling, LEASE_MS + 3_000, 'B to take over');
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(LEASE_MS + 2_000);

    fake.userText({ chat: privateChat(erin), from: erin, text: 'two' });
    await inB.waitFor(1);
    expect(inB.messages.map((m) => m.text)).toEqual(['two']);
    expect(inA.messages.map((m) => m.text)).toEqual(['one']);
    expect(fake.callsTo('getUpdates').filter((c) => !c.ok)).toEqual([]);

    // A graceful stop releases the lease: the next bot polls at once (well under the lease time).
    const inC = new RecordingIngress();
    const c = await startBot(inC);
    await sleep(300);
    expect(c.isPolling).toBe(false);
    const stoppedAt = Date.now();
    await b.stop();
    await until(() => c.isPolling, 3_000, 'C to take over');
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_MS);
    await c.stop();
  });

  it('a bot killed after getUpdates returned an update but before it was enqueued: the next one gets it again, handled once', async () => {
    const dying = new RecordingIngress();
    dying.hang(); // accept never completes: the process "dies" inside the handler
    const d = await startBot(dying);
    await until(() => d.isPolling, LEASE_MS + 3_000, 'D to poll');
    dying.onArrive = () => d.kill();
    const u = fake.userText({ chat: privateChat(erin), from: erin, text: 'survive the crash' });
    await until(() => dying.arrivals === 1, 3_000, 'the update to reach the dying bot');
    expect(dying.messages).toHaveLength(0);
    expect(fake.pendingUpdates().map((x) => x.update_id)).toContain(u.update_id);

    const healthy = new RecordingIngress();
    const e = await startBot(healthy);
    await until(() => e.isPolling, LEASE_MS + 3_000, 'E to take over');
    const msgs = await healthy.waitFor(1, 5_000);
    expect(msgs.map((m) => m.text)).toEqual(['survive the crash']);
    expect(msgs[0]?.messageId).toBe(String(u.message!.message_id));
    await fake.waitFor(() => !fake.pendingUpdates().some((x) => x.update_id === u.update_id), 5_000, 'confirmation');
    await sleep(500);
    expect(healthy.messages).toHaveLength(1);
  });
});
