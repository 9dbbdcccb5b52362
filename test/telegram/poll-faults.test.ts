/**
 * getUpdates faults against the fake Bot API: a 409 from another poller (wait, poll again), a 409
 * because a webhook is active (delete it, poll again), and an update the core could not keep
 * (RetryLaterError), which is retried for as long as it takes — never confirmed unhandled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { User } from 'grammy/types';
import { startTelegramBot, type TelegramBot } from '../../adapters/telegram/index.js';
import { RetryLaterError } from '../../src/core/ingress.js';
import type { ConversationIngress, IncomingMessage, IngressResult } from '../../src/core/message.js';
import { CONFLICT_POLLING } from '../fakes/telegram/update-queue.js';
import { FakeTelegram, makeUser, privateChat } from '../fakes/telegram/index.js';
import { captureLogger, deleteKeys, newRedis, testConfig, TOKEN, uniquePrefix, until } from './helpers.js';

/** Accepts everything, except that `refuse(text, n)` makes `text` throw RetryLaterError n times first. */
class CountingIngress implements ConversationIngress {
  readonly arrivals: string[] = [];
  readonly accepted: IncomingMessage[] = [];
  private readonly refusals = new Map<string, number>();
  refuse(text: string, times: number): void {
    this.refusals.set(text, times);
  }
  async accept(msg: IncomingMessage): Promise<IngressResult> {
    this.arrivals.push(msg.text);
    const left = this.refusals.get(msg.text) ?? 0;
    if (left > 0) {
      this.refusals.set(msg.text, left - 1);
      throw new RetryLaterError('cannot keep it yet (test)');
    }
    this.accepted.push(msg);
    return { outcome: 'queued', jobId: `job-${this.accepted.length}` };
  }
  count(text: string): number {
    return this.accepted.filter((m) => m.text === text).length;
  }
}

let fake: FakeTelegram;
let redis: Redis;
let bot: TelegramBot;
const prefix = uniquePrefix('tg-poll-faults');
const ingress = new CountingIngress();
const logs = captureLogger();
const ann: User = makeUser('Ann', { id: 8101 });
const say = (text: string) => fake.userText({ chat: privateChat(ann), from: ann, text });

beforeAll(async () => {
  fake = await FakeTelegram.start({ token: TOKEN });
  redis = newRedis();
  bot = await startTelegramBot({
    config: testConfig({ TELEGRAM_API_ROOT: fake.url, QUEUE_PREFIX: prefix, TELEGRAM_POLL_LEASE_MS: '1500' }),
    ingress,
    redis,
    logger: logs.logger,
    pollTimeoutSeconds: 1,
    handlerRetryMs: 20,
  });
  await until(() => bot.isPolling, 10_000, 'the bot to poll');
});

afterAll(async () => {
  await bot?.stop();
  await fake?.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('getUpdates faults', () => {
  it('409 from another poller: logs it, polls again, and the update sent meanwhile arrives once', async () => {
    const deletesBefore = fake.callsTo('deleteWebhook').length;
    fake.failNext('getUpdates', { error_code: 409, description: CONFLICT_POLLING });
    await fake.waitFor(() => fake.callsTo('getUpdates').some((c) => c.errorCode === 409), 15_000, 'the 409');
    const u = say('after conflict');
    await until(() => ingress.count('after conflict') === 1, 15_000, 'the update after the conflict');
    await fake.waitFor(() => !fake.pendingUpdates().some((p) => p.update_id === u.update_id), 10_000, 'it to be confirmed');
    expect(ingress.count('after conflict')).toBe(1);
    expect(fake.callsTo('deleteWebhook').length).toBe(deletesBefore); // not a webhook conflict: nothing deleted
    expect(logs.lines().filter((l) => /getUpdates conflict \(409\)/.test(String(l.msg)))).toHaveLength(1);
    expect(logs.text()).not.toContain(TOKEN.split(':')[1]);
  });

  it('409 because a webhook was set elsewhere: deletes the webhook and keeps polling', async () => {
    const deletesBefore = fake.callsTo('deleteWebhook').length;
    const res = await fetch(`${fake.url}/bot${TOKEN}/setWebhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://elsewhere.example/hook' }) });
    expect(res.status).toBe(200);
    await fake.waitFor(() => fake.callsTo('deleteWebhook').length > deletesBefore, 15_000, 'the bot to delete the webhook');
    expect(fake.webhook).toBeUndefined();
    say('after webhook');
    await until(() => ingress.count('after webhook') === 1, 15_000, 'the update after the webhook was removed');
  });

  it('an update the core cannot keep yet (RetryLaterError) is retried past the usual 5 attempts and never skipped', async () => {
    ingress.refuse('keep me', 6);
    const u = say('keep me');
    await until(() => ingress.count('keep me') === 1, 20_000, 'the update to be taken at last');
    expect(ingress.arrivals.filter((t) => t === 'keep me')).toHaveLength(7);
    // Not confirmed while refused: the next poller would have got it.
    await fake.waitFor(() => !fake.pendingUpdates().some((p) => p.update_id === u.update_id), 10_000, 'it to be confirmed');
    expect(logs.text()).not.toContain('giving up on an update');
  });
});
