/**
 * GIVEN real discord.js against the fake Discord THEN under a burst every interaction is deferred
 * while the core is still busy (the defer never waits for it), the acknowledgements that follow are
 * not held back by @discordjs/rest's global budget, and messages of different channels do not wait
 * for each other while one channel's (messages and interactions alike) reach the core in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordOutbox, type DiscordOutbox } from '../../adapters/discord/index.js';
import type { ChatTarget } from '../../src/core/outbox.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { captureLogger, startTestBot, until, type RunningBot } from './helpers.js';

const N = 150;
let fake: FakeDiscord;
let run: RunningBot;
let outbox: DiscordOutbox;
const outboxLogs = captureLogger();

beforeAll(async () => {
  fake = await startFakeDiscord();
  run = await startTestBot(fake, 'burst', { DISCORD_MESSAGE_CONTENT: 'true', DISCORD_GUILD_ID: fake.guild.id });
  outbox = createDiscordOutbox({ config: run.config, logger: outboxLogs.logger });
});

afterAll(async () => {
  outbox?.close();
  await run?.stop();
  await fake?.close();
});

describe('a burst of interactions', () => {
  it(`defers all ${N} while the core has accepted none, then acknowledges all without the global budget`, async () => {
    let open = () => {};
    const gate = new Promise<void>((r) => (open = r));
    let finished = 0;
    run.ingress.onAccept = async () => {
      await gate;
      finished++;
    };
    try {
      const channels = Array.from({ length: 10 }, (_, i) => fake.addChannel(`burst-${i}`));
      const pushed = Array.from({ length: N }, (_, i) =>
        fake.pushSlashCommand({ channelId: channels[i % channels.length]!, name: 'video', options: { prompt: `clip ${i}` } }),
      );
      await fake.waitFor(() => pushed.every((p) => fake.interaction(p.id)?.answered), 20_000, `all ${N} defers`);
      // The fake refuses a callback after its 3 s window, so "answered" means deferred in time.
      for (const p of pushed) expect(fake.interaction(p.id)!.answered!.type).toBe(5);
      expect(finished).toBe(0);
      expect(fake.calls.filter((c) => c.path.includes('/callback') && c.status >= 400)).toEqual([]);

      open();
      await until(() => finished >= N, 10_000, 'the core to finish');
      // The core heard of each channel's commands in the order they were sent.
      const received = run.ingress.received.slice(-N);
      expect(received).toHaveLength(N);
      for (const channel of channels) {
        const sent = pushed.filter((_, i) => channels[i % channels.length] === channel).map((p) => `ix-${p.id}`);
        expect(received.filter((m) => m.chatId === channel).map((m) => m.messageId)).toEqual(sent);
      }

      // The core's acknowledgements, all at once through the outbox's interaction client.
      await Promise.all(
        received.map((msg) => {
          const target: ChatTarget = { platform: 'discord', conversationKey: msg.conversationKey, chatId: msg.chatId, userId: msg.userId, isDirect: false, lang: 'en', platformMeta: msg.platformMeta };
          return outbox.sendText(target, `queued: ${msg.text}`);
        }),
      );
      for (const p of pushed) {
        const original = fake.world.messages.get(fake.interaction(p.id)!.originalMessageId!)!;
        expect(original.content).toMatch(/^queued: clip \d+$/);
      }
      // @discordjs/rest announces every wait for its own global budget; interaction routes got none.
      expect(outboxLogs.text()).not.toContain('"global":true');
      expect(outboxLogs.text()).not.toContain('posting in the channel instead');
    } finally {
      run.ingress.onAccept = undefined;
    }
  });
});

describe('messages of different channels', () => {
  it('a slow channel does not hold up another; one channel stays in order', async () => {
    const slow = fake.addChannel('slow');
    const quick = fake.addChannel('quick');
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const events: string[] = [];
    run.ingress.onAccept = async (msg) => {
      events.push(`arrive:${msg.text}`);
      if (msg.text === 's1') await held;
      events.push(`accept:${msg.text}`);
    };
    try {
      fake.pushMessage({ channelId: slow, content: 's1', mentionBot: true });
      fake.pushMessage({ channelId: slow, content: 's2', mentionBot: true });
      fake.pushMessage({ channelId: quick, content: 'q1', mentionBot: true });
      await until(() => events.includes('accept:q1') && events.includes('arrive:s1'), 5_000, 'q1 accepted while s1 is held');
      expect(events).not.toContain('accept:s1');
      expect(events).not.toContain('arrive:s2'); // behind s1 in its channel
      release();
      await until(() => events.includes('accept:s2'), 5_000, 's2 accepted');
      expect(events.indexOf('accept:s1')).toBeLessThan(events.indexOf('arrive:s2'));
    } finally {
      run.ingress.onAccept = undefined;
    }
  });
});
