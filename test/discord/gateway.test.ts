/**
 * Real discord.js against the fake Discord: the client reaches ready, gateway messages and
 * interactions become IncomingMessages (or are ignored), and interactions are acknowledged within
 * Discord's 3 s before the core is called.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { Intent } from '../fakes/discord/gateway.js';
import { sleep, startTestBot, until, type RunningBot } from './helpers.js';

const png = await readFile(new URL('../fixtures/input.png', import.meta.url));

describe('with the Message Content intent and a listed channel', () => {
  let fake: FakeDiscord;
  let run: RunningBot;

  beforeAll(async () => {
    fake = await startFakeDiscord();
    run = await startTestBot(fake, 'gw', {
      DISCORD_MESSAGE_CONTENT: 'true',
      DISCORD_CHANNEL_IDS: fake.channels.lab,
      DISCORD_GUILD_ID: fake.guild.id,
    });
  });
  afterAll(async () => {
    await run?.stop();
    await fake?.close();
  });

  /** Push a DM that is certainly handled and wait for it: everything pushed before it was processed. */
  async function barrier(): Promise<void> {
    const before = run.ingress.received.length;
    const m = fake.pushMessage({ channelId: fake.dmChannel(fake.alice), content: 'barrier' });
    await until(() => run.ingress.received.find((r) => r.messageId === m.id), 5000, 'the barrier message');
    expect(run.ingress.received.length).toBe(before + 1);
    run.ingress.received.pop();
  }

  it('reaches ready with one session that asked for the intents it needs', () => {
    const [session] = fake.liveSessions();
    expect(fake.liveSessions()).toHaveLength(1);
    for (const bit of [Intent.Guilds, Intent.GuildMessages, Intent.DirectMessages, Intent.MessageContent]) {
      expect(session!.intents & bit).toBe(bit);
    }
  });

  it('turns a mention with a PNG into a message whose signed URL downloads the same bytes', async () => {
    const m = fake.pushMessage({
      channelId: fake.channels.general,
      content: 'turn this image into a 5-second animated video clip',
      mentionBot: true,
      attachments: [{ name: 'input.png', bytes: png, contentType: 'image/png' }],
    });
    const msg = await until(() => run.ingress.received.find((r) => r.messageId === m.id));
    expect(msg).toMatchObject({
      platform: 'discord',
      conversationKey: `discord:${fake.channels.general}`,
      chatId: fake.channels.general,
      userId: fake.alice.id,
      userName: 'Alice',
      text: 'turn this image into a 5-second animated video clip',
      replyToMessageId: m.id,
      isDirect: false,
      mentionsBot: true,
      locale: 'en-US',
    });
    const [att] = msg.attachments;
    expect(att).toMatchObject({ name: 'input.png', mimeType: 'image/png', sizeBytes: png.length });
    const url = att!.source.kind === 'url' ? att!.source.url : '';
    expect(url).toMatch(/\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]+/);
    const res = await fetch(url);
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    expect((await fetch(url.split('?')[0]!)).status).toBe(404); // the signature is part of the URL
  });

  it('ignores a message in an unlisted channel without a mention', async () => {
    const m = fake.pushMessage({ channelId: fake.channels.general, content: 'just chatting' });
    await barrier();
    expect(run.ingress.received.find((r) => r.messageId === m.id)).toBeUndefined();
  });

  it('handles every message of a listed channel and of its threads', async () => {
    const a = fake.pushMessage({ channelId: fake.channels.lab, content: 'a sunset timelapse' });
    const b = fake.pushMessage({ channelId: fake.channels.thread, content: 'and one more' });
    const got = await until(() => {
      const x = run.ingress.received.find((r) => r.messageId === a.id);
      const y = run.ingress.received.find((r) => r.messageId === b.id);
      return x && y && ([x, y] as const);
    });
    expect(got[0]).toMatchObject({ text: 'a sunset timelapse', mentionsBot: false, chatId: fake.channels.lab });
    expect(got[1]).toMatchObject({ conversationKey: `discord:${fake.channels.thread}`, chatId: fake.channels.thread });
  });

  it('handles DMs', async () => {
    const bob = fake.addUser('bob');
    const dm = fake.dmChannel(bob);
    const m = fake.pushMessage({ channelId: dm, author: bob, content: 'hi there' });
    const msg = await until(() => run.ingress.received.find((r) => r.messageId === m.id));
    expect(msg).toMatchObject({ isDirect: true, chatId: dm, conversationKey: `discord:${dm}`, userId: bob.id, text: 'hi there' });
    expect(msg.locale).toBeUndefined();
  });

  it('handles a reply to the bot without a mention, and ignores bots and itself', async () => {
    const botMsg = fake.store.create(fake.channels.general, { content: 'here is your video' }, [], { author: fake.bot });
    if ('status' in botMsg) throw new Error('could not create the bot message');
    const reply = fake.pushMessage({ channelId: fake.channels.general, content: 'make it longer', replyTo: botMsg.id });
    const msg = await until(() => run.ingress.received.find((r) => r.messageId === reply.id));
    expect(msg).toMatchObject({ text: 'make it longer', mentionsBot: true });

    const otherBot = fake.addUser('otherbot');
    const fromBot = fake.pushMessage({ channelId: fake.channels.lab, author: otherBot, authorIsBot: true, content: 'beep', mentionBot: true });
    await barrier();
    expect(run.ingress.received.find((r) => r.messageId === fromBot.id || r.messageId === botMsg.id)).toBeUndefined();
  });

  it('defers /video within 3 s before calling the core, with the attachment option and interaction meta', async () => {
    let acceptedAt = 0;
    run.ingress.onAccept = async () => {
      acceptedAt = Date.now();
      await sleep(4000); // a slow core must not make the interaction expire
    };
    try {
      const ix = fake.pushSlashCommand({
        channelId: fake.channels.general,
        name: 'video',
        locale: 'zh-CN',
        options: { prompt: 'a cat surfing', image: { name: 'cat.png', bytes: png, contentType: 'image/png' } },
      });
      const msg = await until(() => run.ingress.received.find((r) => r.messageId === `ix-${ix.id}`));
      const answered = fake.interaction(ix.id)!.answered!;
      expect(answered.type).toBe(5);
      expect(answered.at - ix.createdAt).toBeLessThan(3000);
      expect(answered.at).toBeLessThanOrEqual(acceptedAt);
      expect(msg).toMatchObject({
        command: { name: 'video', args: 'a cat surfing' },
        text: 'a cat surfing',
        locale: 'zh-CN',
        mentionsBot: true,
        platformMeta: { interactionId: ix.id, interactionToken: ix.token, applicationId: fake.applicationId, interactionKind: 'command' },
      });
      expect(msg.replyToMessageId).toBeUndefined();
      const url = msg.attachments[0]!.source.kind === 'url' ? msg.attachments[0]!.source.url : '';
      expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(png)).toBe(true);
      // The "thinking…" message exists in the channel until the core's acknowledgement edits it.
      const loading = fake.botMessages(fake.channels.general).find((m) => m.id === fake.interaction(ix.id)!.originalMessageId);
      expect(loading!.flags & 128).toBe(128);
    } finally {
      run.ingress.onAccept = undefined;
    }
  });

  it('defers an nb: button with a deferred update, then passes the button id; other components are left alone', async () => {
    const result = fake.store.create(
      fake.channels.general,
      { content: 'your video', components: [{ type: 1, components: [{ type: 2, style: 2, label: 'Export again', custom_id: 'nb:export-1' }] }] },
      [],
      { author: fake.bot },
    );
    if ('status' in result) throw new Error('could not create the result message');
    const ix = fake.pushButton({ channelId: fake.channels.general, messageId: result.id, customId: 'nb:export-1' });
    const msg = await until(() => run.ingress.received.find((r) => r.messageId === `ix-${ix.id}`));
    expect(fake.interaction(ix.id)!.answered).toMatchObject({ type: 6 });
    expect(fake.interaction(ix.id)!.answered!.at - ix.createdAt).toBeLessThan(3000);
    expect(msg).toMatchObject({ button: { id: 'export-1' }, chatId: fake.channels.general, replyToMessageId: result.id, platformMeta: { interactionKind: 'component' } });

    const foreign = fake.pushButton({ channelId: fake.channels.general, messageId: result.id, customId: 'poll:1' });
    await barrier();
    expect(fake.interaction(foreign.id)!.answered).toBeUndefined();
    expect(run.ingress.received.find((r) => r.messageId === `ix-${foreign.id}`)).toBeUndefined();
  });

  it('removes the "thinking…" reply when the core ignores a command', async () => {
    run.ingress.result = { outcome: 'ignored' };
    try {
      const ix = fake.pushSlashCommand({ channelId: fake.channels.general, name: 'status' });
      await until(() => fake.calls.find((c) => c.method === 'DELETE' && c.path.includes(ix.token)), 5000, 'the deleted reply');
      expect(fake.world.messages.get(fake.interaction(ix.id)!.originalMessageId!)!.deleted).toBe(true);
    } finally {
      run.ingress.result = { outcome: 'queued', jobId: 'job-1', position: 1 };
    }
  });
});

describe('without the Message Content intent', () => {
  let fake: FakeDiscord;
  let run: RunningBot;

  beforeAll(async () => {
    fake = await startFakeDiscord();
    run = await startTestBot(fake, 'gw-noc', { DISCORD_CHANNEL_IDS: fake.channels.lab, DISCORD_GUILD_ID: fake.guild.id });
  });
  afterAll(async () => {
    await run?.stop();
    await fake?.close();
  });

  it('says so at start-up and warns that listed channels need the intent', () => {
    const text = run.logs.text();
    expect(text).toContain('Message Content intent not requested');
    expect(text).toContain('DISCORD_CHANNEL_IDS is set, but without the Message Content intent');
    expect(fake.liveSessions()[0]!.intents & Intent.MessageContent).toBe(0);
  });

  it('ignores blank listed-channel messages but still handles mentions with their files', async () => {
    const blank = fake.pushMessage({ channelId: fake.channels.lab, content: 'no mention here' });
    const mention = fake.pushMessage({
      channelId: fake.channels.lab,
      content: 'animate this',
      mentionBot: true,
      attachments: [{ name: 'input.png', bytes: png, contentType: 'image/png' }],
    });
    const msg = await until(() => run.ingress.received.find((r) => r.messageId === mention.id));
    expect(msg.text).toBe('animate this');
    expect(msg.attachments).toHaveLength(1);
    expect(run.ingress.received.find((r) => r.messageId === blank.id)).toBeUndefined();
  });
});

describe('a portal without the Message Content intent enabled', () => {
  it('logs what to do when the gateway refuses the intent', async () => {
    const fake = await startFakeDiscord({ messageContentAllowed: false });
    const { startDiscordBot } = await import('../../adapters/discord/index.js');
    const { captureLogger, discordConfig, uniquePrefix, dropPrefix, RecordingIngress } = await import('./helpers.js');
    const { Redis } = await import('ioredis');
    const prefix = uniquePrefix('gw-4014');
    const config = discordConfig(fake, prefix, { DISCORD_MESSAGE_CONTENT: 'true' });
    const redis = new Redis(config.REDIS_URL);
    const logs = captureLogger();
    const bot = await startDiscordBot({ config, ingress: new RecordingIngress(), redis, logger: logs.logger });
    try {
      await until(() => logs.text().includes('Privileged Gateway Intents'), 10_000, 'the intent hint');
      expect(logs.text()).toContain('DISCORD_MESSAGE_CONTENT=false');
      expect(fake.liveSessions()).toHaveLength(0);
    } finally {
      await bot.stop();
      await redis.quit();
      await dropPrefix(prefix);
      await fake.close();
    }
  });
});
