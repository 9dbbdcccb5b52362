/**
 * More than one gateway shard (the fake recommends two): the bot opens one session per shard, each
 * identifying as its own shard (the fake closes a session whose shard does not match), and guild
 * and DM messages each reach the ingress exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { startTestBot, until, type RunningBot } from './helpers.js';

describe('two gateway shards', () => {
  let fake: FakeDiscord;
  let run: RunningBot;
  beforeAll(async () => {
    fake = await startFakeDiscord({ shards: 2 });
    run = await startTestBot(fake, 'shards', { DISCORD_MESSAGE_CONTENT: 'true' });
    await until(() => run.bot.shards[1]?.connection, 15_000, 'the second shard');
    await run.bot.shards[1]!.connection!.ready;
  }, 30_000);
  afterAll(async () => {
    await run?.stop();
    await fake?.close();
  });

  it('holds one session per shard, identified as shard 0 and shard 1 of 2', () => {
    expect(run.bot.shards).toHaveLength(2);
    expect(fake.liveSessions().map((s) => s.shard).sort()).toEqual([[0, 2], [1, 2]]);
  });

  it('a guild mention and a DM each reach the ingress once', async () => {
    const inGuild = fake.pushMessage({ channelId: fake.channels.general, content: 'make a video of two shards', mentionBot: true });
    const dm = fake.pushMessage({ channelId: fake.dmChannel(fake.alice), content: 'make a video in a DM' });
    await until(() => [inGuild, dm].every((m) => run.ingress.received.some((r) => r.messageId === m.id)), 10_000, 'both messages');
    // A barrier DM after both (shard 0 delivers in order) before counting copies.
    const barrier = fake.pushMessage({ channelId: fake.dmChannel(fake.alice), content: 'barrier' });
    await until(() => run.ingress.received.some((r) => r.messageId === barrier.id), 10_000, 'the barrier');
    for (const m of [inGuild, dm]) expect(run.ingress.received.filter((r) => r.messageId === m.id)).toHaveLength(1);
  });
});
