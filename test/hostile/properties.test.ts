/**
 * Hostile input, as properties (fast-check): malformed platform updates, huge texts, odd Unicode
 * (RTL marks, zero-width, lone surrogates, emoji ZWJ), path traversal and control characters in file
 * names, and garbage from Nemo. Normalizers and parsers never throw on it, keep the conversation
 * derived from where the message came from, and make file names safe. Pure functions only: fast.
 */
import fc from 'fast-check';
import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { normalizeUpdate } from '../../adapters/telegram/normalize.js';
import { decodeButtonId, fitContent } from '../../adapters/discord/payload.js';
import { normalizeButton, normalizeMessage, type MessageFacts } from '../../adapters/discord/normalize.js';
import { interactionMetaOf } from '../../adapters/discord/interaction-reply.js';
import { checkAttachments, extensionOf, linkAttachments, safeFileName, uploadName } from '../../src/core/attachments.js';
import { routeIntent } from '../../src/core/intent.js';
import { uiLanguage } from '../../src/core/language.js';
import { unwrapEnvelope } from '../../src/nemo/envelope.js';
import { interpretEventObject, interpretMessage } from '../../src/nemo/sse-events.js';
import * as schemas from '../../src/nemo/schemas.js';

const RUNS = { numRuns: 150 };
const BOT = { id: 777, username: 'nemo_test_bot' };

/** Strings users can send: every Unicode oddity we know of, mixed with plain text. */
const ODD = ['\u202E', '\u200F', '\u200B', '\u200D', '\uFEFF', '\uD800', '\uDFFF', '👨‍👩‍👧‍👦', '🏳️‍🌈', 'é', '\u0000', '\r\n', '\t', '../', '..\\', '/etc/passwd', 'C:\\', '%2e%2e%2f', '「导出」', '<@123>', '@nemo_test_bot', '/export', 'export'];
const oddText = fc.array(fc.oneof(fc.constantFrom(...ODD), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), { maxLength: 12 }).map((parts) => parts.join(''));
const hugeText = fc.integer({ min: 5_000, max: 200_000 }).map((n) => 'a'.repeat(n));
const anyText = fc.oneof({ weight: 5, arbitrary: oddText }, { weight: 1, arbitrary: hugeText });
const fileName = fc.oneof(oddText, oddText.map((s) => `${s}.png`), fc.constantFrom('../../etc/passwd.png', '..', '.', '', '\u0000.mp4', 'a/b\\c.jpg', `${'x'.repeat(500)}.mp4`, 'CON.png', '.hidden.mov'));

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/u;

describe('hostile input: the core', () => {
  it('file names come out safe: no directories, no control or invisible characters, no leading dot, bounded', () => {
    fc.assert(
      fc.property(fileName, (name) => {
        const safe = safeFileName(name);
        expect(safe.length).toBeGreaterThan(0);
        expect(safe).not.toMatch(/[\\/]/);
        expect(safe).not.toMatch(INVISIBLE);
        expect(safe.startsWith('.')).toBe(false);
        expect([...safe].length).toBeLessThanOrEqual(112);
        expect(uploadName({ name })).toMatch(/^[\w.\- ]+$/);
      }),
      RUNS,
    );
  });

  it('routing, language, link extraction and attachment checks accept any text without throwing', () => {
    fc.assert(
      fc.property(anyText, fileName, fc.option(fc.integer({ min: -1, max: 2 ** 40 })), (text, name, size) => {
        const atts = [{ name, sizeBytes: size ?? undefined, source: { kind: 'path' as const, path: '/x' } }];
        expect(routeIntent({ text, attachments: [] }).kind).toBeTypeOf('string');
        expect(routeIntent({ text, attachments: atts }).kind).toBe(text.trim().match(/^\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?(?=\s|$)/) ? 'unknown_command' : 'turn');
        expect(['en', 'zh']).toContain(uiLanguage(text, undefined));
        for (const a of linkAttachments(text)) expect(a.source.kind).toBe('url');
        checkAttachments(atts, { platformDownloadBytes: 20 * 2 ** 20, nemoUploadBytes: 200 * 2 ** 20 });
        extensionOf({ name });
      }),
      RUNS,
    );
  });
});

/** Telegram updates: well-formed, partly formed and plainly wrong. */
const tgUser = fc.record({ id: fc.integer({ min: 1, max: 2 ** 40 }), is_bot: fc.boolean(), first_name: oddText, language_code: fc.option(fc.string(), { nil: undefined }) });
const tgChat = fc.record({ id: fc.integer({ min: -(2 ** 45), max: 2 ** 40 }), type: fc.constantFrom('private', 'group', 'supergroup', 'channel', 'weird') });
const entity = fc.record({ type: fc.constantFrom('mention', 'bot_command', 'text_mention', 'url', 'bold'), offset: fc.integer({ min: -5, max: 300 }), length: fc.integer({ min: -5, max: 300 }) });
const tgMessage = fc.record(
  {
    message_id: fc.integer({ min: 1, max: 2 ** 31 }),
    date: fc.integer(),
    chat: tgChat,
    from: tgUser,
    text: anyText,
    caption: oddText,
    entities: fc.array(entity, { maxLength: 4 }),
    caption_entities: fc.array(entity, { maxLength: 4 }),
    message_thread_id: fc.integer({ min: 1, max: 2 ** 31 }),
    is_topic_message: fc.boolean(),
    media_group_id: fc.string(),
    photo: fc.array(fc.record({ file_id: fc.string(), file_unique_id: fc.string(), width: fc.integer(), height: fc.integer(), file_size: fc.option(fc.integer(), { nil: undefined }) }), { maxLength: 3 }),
    document: fc.record({ file_id: fc.string(), file_unique_id: fc.string(), file_name: fc.option(fileName, { nil: undefined }), mime_type: fc.option(fc.string(), { nil: undefined }), file_size: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }) }),
    reply_to_message: fc.record({ message_id: fc.integer(), from: tgUser, chat: tgChat, date: fc.integer() }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const tgUpdate = fc.oneof(
  fc.record({ update_id: fc.integer(), message: tgMessage }, { requiredKeys: ['update_id'] }),
  fc.record({ update_id: fc.integer(), callback_query: fc.record({ id: fc.string(), from: tgUser, data: fc.option(fc.oneof(oddText, oddText.map((s) => `nb:${s}`)), { nil: undefined }), message: fc.option(tgMessage, { nil: undefined }) }, { requiredKeys: ['id'] }) }),
  fc.record({ update_id: fc.integer(), message: fc.anything() }),
  fc.record({ update_id: fc.integer() }).chain((u) => fc.dictionary(fc.string(), fc.anything()).map((rest) => ({ ...rest, ...u }))),
);

describe('hostile input: platform updates', () => {
  it('Telegram: any update normalizes without throwing; a message belongs to the chat (and topic) it came from', () => {
    fc.assert(
      fc.property(tgUpdate, (u) => {
        const n = normalizeUpdate(u as unknown as Update, BOT, 1);
        if (n.kind === 'message') {
          const m = (u as { message: { chat: { id: number } } }).message;
          expect(n.message.conversationKey.startsWith(`telegram:${m.chat.id}`)).toBe(true);
          expect(n.message.chatId).toBe(String(m.chat.id));
        }
        if (n.kind === 'button' && n.message) {
          const q = (u as { callback_query: { message: { chat: { id: number } } } }).callback_query;
          expect(n.message.conversationKey.startsWith(`telegram:${q.message.chat.id}`)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  const attachment = fc.record({ name: fileName, url: fc.webUrl(), contentType: fc.option(fc.string(), { nil: undefined }), size: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }) }, { requiredKeys: ['name', 'url'] });
  const snowflake = fc.bigInt({ min: 1n, max: 2n ** 63n }).map(String);
  const discordMessage: fc.Arbitrary<MessageFacts> = fc.record({
    id: snowflake,
    channelId: snowflake,
    parentChannelId: fc.option(snowflake, { nil: undefined }),
    guildId: fc.option(snowflake, { nil: undefined }),
    authorId: snowflake,
    authorName: oddText,
    authorIsBot: fc.boolean(),
    isSystem: fc.boolean(),
    webhookId: fc.option(snowflake, { nil: undefined }),
    content: anyText.map((s) => (Math.random() < 0.5 ? `<@777> ${s}` : s)),
    mentionedUserIds: fc.array(fc.oneof(snowflake, fc.constant('777')), { maxLength: 3 }),
    mentionedRoleIds: fc.array(snowflake, { maxLength: 2 }),
    repliedUserId: fc.option(fc.oneof(snowflake, fc.constant('777')), { nil: undefined }),
    attachments: fc.array(attachment, { maxLength: 3 }),
    guildLocale: fc.option(fc.string(), { nil: undefined }),
  });

  it('Discord: any message or button press normalizes without throwing, into the channel it came from', () => {
    fc.assert(
      fc.property(discordMessage, oddText, (m, customId) => {
        const n = normalizeMessage(m, { botUserId: '777', listedChannelIds: new Set([m.channelId]), now: () => 1 });
        if (n) expect(n.conversationKey).toBe(`discord:${m.channelId}`);
        const b = normalizeButton({ id: m.id, token: 'tok', applicationId: '1', channelId: m.channelId, userId: m.authorId, userName: m.authorName, customId, messageId: m.id }, 1);
        if (b) expect(b.conversationKey).toBe(`discord:${m.channelId}`);
        decodeButtonId(customId);
        expect(fitContent(m.content).length).toBeLessThanOrEqual(2000);
        interactionMetaOf({ interactionId: customId, interactionToken: m.content.slice(0, 50), applicationId: m.id, interactionKind: customId });
      }),
      RUNS,
    );
  });
});

describe('hostile input: Nemo answers', () => {
  it('any JSON body: envelopes, every schema and SSE events are read without throwing', () => {
    const parsers = (Object.values(schemas) as unknown[]).filter((s): s is { safeParse(v: unknown): unknown } => typeof (s as { safeParse?: unknown }).safeParse === 'function');
    expect(parsers.length).toBeGreaterThanOrEqual(8);
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: false, maxDepth: 4 }), (v) => {
        unwrapEnvelope(v);
        for (const p of parsers) p.safeParse(v);
        interpretEventObject(v);
      }),
      RUNS,
    );
  });

  it('any SSE data line (garbage, truncated JSON, odd Unicode, huge) is read without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.json(), fc.json().map((j) => j.slice(0, Math.max(0, j.length - 3)))), fc.option(fc.constantFrom('message', 'heartbeat', 'error', ''), { nil: undefined }), (data, event) => {
        interpretMessage({ data, event, id: undefined });
      }),
      RUNS,
    );
  });
});
