/**
 * The Discord adapter's pure pieces: who a message is for, prompts, ids, payload shapes, command
 * diffing and error summaries (edit pacing is the core's: test/core/edit-pacer.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  buildComponents,
  buildMessageBody,
  buildSlashCommands,
  decodeButtonId,
  describeDiscordError,
  encodeButtonId,
  fitContent,
  isForBot,
  normalizeButton,
  normalizeMessage,
  normalizeSlashCommand,
  redactRoute,
  sameCommandSet,
  stripBotMention,
  tierUploadBytes,
  type MessageFacts,
  type NormalizeContext,
} from '../../adapters/discord/index.js';

const BOT = '111111111111111111';
const ROLE = '222222222222222222';
const LISTED = '333333333333333333';

const ctx: NormalizeContext = { botUserId: BOT, botRoleId: ROLE, listedChannelIds: new Set([LISTED]), now: () => 42 };

function facts(over: Partial<MessageFacts> = {}): MessageFacts {
  return {
    id: '900',
    channelId: '444444444444444444',
    guildId: '555555555555555555',
    authorId: '666',
    authorName: 'Alice',
    authorIsBot: false,
    isSystem: false,
    content: 'hello',
    mentionedUserIds: [],
    mentionedRoleIds: [],
    attachments: [],
    guildLocale: 'zh-CN',
    ...over,
  };
}

describe('which messages are for the bot', () => {
  it('GIVEN a guild message without mention in an unlisted channel THEN it is ignored', () => {
    expect(isForBot(facts(), ctx)).toBe(false);
    expect(normalizeMessage(facts(), ctx)).toBeNull();
  });

  it('GIVEN a mention of the bot user or of its managed role THEN it is for the bot', () => {
    expect(isForBot(facts({ mentionedUserIds: [BOT] }), ctx)).toBe(true);
    expect(isForBot(facts({ mentionedRoleIds: [ROLE] }), ctx)).toBe(true);
    expect(isForBot(facts({ mentionedUserIds: ['777'] }), ctx)).toBe(false);
  });

  it('GIVEN a reply to the bot, a DM, a listed channel or a thread of one THEN it is for the bot', () => {
    expect(isForBot(facts({ repliedUserId: BOT }), ctx)).toBe(true);
    expect(isForBot(facts({ guildId: undefined }), ctx)).toBe(true);
    expect(isForBot(facts({ channelId: LISTED }), ctx)).toBe(true);
    expect(isForBot(facts({ channelId: '888', parentChannelId: LISTED }), ctx)).toBe(true);
  });

  it('GIVEN bots, the bot itself, system messages or webhooks THEN never', () => {
    expect(isForBot(facts({ guildId: undefined, authorIsBot: true }), ctx)).toBe(false);
    expect(isForBot(facts({ guildId: undefined, authorId: BOT }), ctx)).toBe(false);
    expect(isForBot(facts({ channelId: LISTED, isSystem: true }), ctx)).toBe(false);
    expect(isForBot(facts({ channelId: LISTED, webhookId: '1' }), ctx)).toBe(false);
  });

  it('GIVEN a listed-channel message blanked by the missing Message Content intent THEN it is dropped', () => {
    expect(normalizeMessage(facts({ channelId: LISTED, content: '' }), ctx)).toBeNull();
  });
});

describe('normalized messages', () => {
  it('strips the bot and role mentions from the prompt and keeps other text', () => {
    expect(stripBotMention(`<@${BOT}> make a video of <@777>`, BOT)).toBe('make a video of <@777>');
    expect(stripBotMention(`hey <@!${BOT}>  cats\nline 2`, BOT)).toBe('hey cats\nline 2');
    expect(stripBotMention(`<@&${ROLE}> go`, BOT, ROLE)).toBe('go');
  });

  it('turns a mention with a PNG into an IncomingMessage with the full signed URL', () => {
    const url = 'https://cdn.discordapp.com/attachments/1/2/cat.png?ex=65&is=64&hm=abc&';
    const msg = normalizeMessage(
      facts({ content: `<@${BOT}> animate`, mentionedUserIds: [BOT], attachments: [{ name: 'cat.png', url, contentType: 'image/png', size: 1234 }] }),
      ctx,
    );
    expect(msg).toEqual({
      platform: 'discord',
      conversationKey: 'discord:444444444444444444',
      chatId: '444444444444444444',
      userId: '666',
      userName: 'Alice',
      messageId: '900',
      text: 'animate',
      attachments: [{ name: 'cat.png', mimeType: 'image/png', sizeBytes: 1234, source: { kind: 'url', url } }],
      replyToMessageId: '900',
      locale: 'zh-CN',
      isDirect: false,
      mentionsBot: true,
      receivedAt: 42,
    });
  });

  it('builds slash commands and buttons with ix- ids and interaction meta', () => {
    const base = { id: '1000', token: 'tok', applicationId: 'app', channelId: 'c1', guildId: 'g1', userId: 'u1', userName: 'U', locale: 'zh-TW', guildLocale: 'en-US' };
    const slash = normalizeSlashCommand({ ...base, commandName: 'video', prompt: ' a cat ', attachment: { name: 'a.png', url: 'https://x/a.png?ex=1', size: 3 } }, 7);
    expect(slash).toMatchObject({
      messageId: 'ix-1000',
      conversationKey: 'discord:c1',
      text: 'a cat',
      command: { name: 'video', args: 'a cat' },
      locale: 'zh-TW',
      platformMeta: { interactionId: '1000', interactionToken: 'tok', applicationId: 'app', interactionKind: 'command' },
      attachments: [{ name: 'a.png', source: { kind: 'url', url: 'https://x/a.png?ex=1' } }],
    });
    const button = normalizeButton({ ...base, customId: 'nb:export-abc', messageId: 'm1' }, 7);
    expect(button).toMatchObject({ messageId: 'ix-1000', button: { id: 'export-abc' }, replyToMessageId: 'm1', platformMeta: { interactionKind: 'component' } });
    expect(normalizeButton({ ...base, customId: 'other:1', messageId: 'm1' })).toBeNull();
  });
});

describe('payloads', () => {
  it('encodes and decodes button ids', () => {
    expect(encodeButtonId('retry-1')).toBe('nb:retry-1');
    expect(decodeButtonId('nb:retry-1')).toBe('retry-1');
    expect(decodeButtonId('nb:')).toBeUndefined();
    expect(decodeButtonId('x:1')).toBeUndefined();
  });

  it('caps rows and buttons at 5×5 and labels at 80 chars', () => {
    const row = Array.from({ length: 7 }, (_, i) => ({ id: `b${i}`, label: 'x'.repeat(100) }));
    const rows = buildComponents(Array.from({ length: 7 }, () => row));
    expect(rows).toHaveLength(5);
    expect(rows[0]!.components).toHaveLength(5);
    expect(rows[0]!.components[0]!.label).toHaveLength(80);
    expect(rows[0]!.components[0]).toMatchObject({ type: 2, custom_id: 'nb:b0' });
  });

  it('keeps the mention and the link whole when content must be cut to 2000', () => {
    const link = 'https://example.com/video.mp4';
    const out = fitContent('y'.repeat(5000), { mentionUserId: '42', tail: link });
    expect(Array.from(out)).toHaveLength(2000);
    expect(out.startsWith('<@42> ')).toBe(true);
    expect(out.endsWith(`…\n${link}`)).toBe(true);
  });

  it('limits mentions to the requester and replies without failing', () => {
    expect(buildMessageBody({ text: 'done @everyone', mentionUserId: '42', replyTo: '99' })).toEqual({
      content: '<@42> done @everyone',
      allowed_mentions: { parse: [], users: ['42'], replied_user: true },
      components: [],
      message_reference: { message_id: '99', fail_if_not_exists: false },
    });
  });
});

describe('slash command set', () => {
  it('skips telegram-only commands and localizes names for zh-CN and zh-TW', () => {
    const cmds = buildSlashCommands('global');
    expect(cmds.map((c) => c.name)).toEqual(['video', 'export', 'credits', 'status', 'new', 'cancel', 'jobs', 'show', 'login', 'logout', 'admin', 'lang', 'help']);
    const video = cmds[0]!;
    expect(video.name_localizations).toEqual({ 'zh-CN': '视频', 'zh-TW': '影片' });
    expect(video.options.map((o) => [o.name, o.type, o.required])).toEqual([
      ['prompt', 3, true],
      ['image', 11, false],
    ]);
    expect(video.contexts).toEqual([0, 1]);
    expect(buildSlashCommands('guild')[0]!.contexts).toBeUndefined();
  });

  it('treats what Discord returns for the same set as unchanged, and a changed text as changed', () => {
    const wanted = buildSlashCommands('guild');
    const returned = [...wanted].reverse().map((c) => ({
      ...c,
      id: '1',
      version: '2',
      application_id: '3',
      nsfw: false,
      default_member_permissions: null,
      options: c.options.map(({ required, ...o }) => (required ? { ...o, required } : o)),
    }));
    expect(sameCommandSet(returned, wanted, 'guild')).toBe(true);
    const changed = returned.map((c) => (c.name === 'help' ? { ...c, description: 'old text' } : c));
    expect(sameCommandSet(changed, wanted, 'guild')).toBe(false);
    expect(sameCommandSet(returned.slice(1), wanted, 'guild')).toBe(false);
  });
});

describe('limits and errors', () => {
  it('maps boost tiers to upload limits', () => {
    expect(tierUploadBytes(0)).toBeUndefined();
    expect(tierUploadBytes(1)).toBeUndefined();
    expect(tierUploadBytes(2)).toBe(50 * 1024 * 1024);
    expect(tierUploadBytes(3)).toBe(100 * 1024 * 1024);
  });

  it('never lets an interaction token or file bytes into an error summary', () => {
    const err = Object.assign(new Error('Unknown Webhook'), {
      code: 10015,
      status: 404,
      method: 'patch',
      url: 'https://discord.com/api/v10/webhooks/123/aW50ZXJhY3Rpb24secret/messages/%40original',
      requestBody: { files: [{ data: Buffer.alloc(10) }], json: {} },
    });
    const summary = describeDiscordError(err);
    expect(summary).toEqual({ type: 'Error', message: 'Unknown Webhook', code: 10015, status: 404, method: 'PATCH', route: '/api/v10/webhooks/123/:token/messages/%40original' });
    expect(redactRoute('/interactions/55/tok-en/callback')).toBe('/interactions/55/:token/callback');
  });
});

