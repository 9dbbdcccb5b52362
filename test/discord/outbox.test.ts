/**
 * The Discord outbox (REST only) against the fake: replies, interaction acknowledgements, edit
 * pacing, uploads, guild upload limits, rate limits, non-retried uploads and permission problems.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordOutbox, type DiscordOutbox } from '../../adapters/discord/index.js';
import { pacedOutbox } from '../../src/core/edit-pacer.js';
import { OutboxError, type ChatTarget } from '../../src/core/outbox.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { captureLogger, discordConfig, uniquePrefix } from './helpers.js';

const MiB = 1024 * 1024;
let fake: FakeDiscord;
let dir: string;
let video: { path: string; bytes: Buffer };

beforeAll(async () => {
  fake = await startFakeDiscord();
  dir = await mkdtemp(join(tmpdir(), 'nemo-dc-outbox-'));
  const bytes = Buffer.alloc(300 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  video = { path: join(dir, 'result.mp4'), bytes };
  await writeFile(video.path, bytes);
});
afterAll(async () => {
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

let outbox: DiscordOutbox;
let logs: ReturnType<typeof captureLogger>;
beforeEach(() => {
  logs = captureLogger();
  outbox = createDiscordOutbox({ config: discordConfig(fake, uniquePrefix('ob')), logger: logs.logger });
});
afterEach(() => outbox.close());

function target(chatId: string, extra: Partial<ChatTarget> = {}): ChatTarget {
  return { platform: 'discord', conversationKey: `discord:${chatId}`, chatId, userId: fake.alice.id, isDirect: false, lang: 'en', ...extra };
}

const callsTo = (method: string, route: string, since = 0) => fake.calls.filter((c) => c.method === method && c.route === route && c.at >= since);

describe('text', () => {
  it('replies to the user with buttons, pinging only the requester', async () => {
    const user = fake.pushMessage({ channelId: fake.channels.general, content: 'make a video', mentionBot: true });
    const ref = await outbox.sendText(target(fake.channels.general), '🎬 Got it @everyone', {
      replyTo: user.id,
      mentionUserId: fake.alice.id,
      buttons: [[{ id: 'cancel-1', label: 'Cancel' }]],
    });
    const posted = fake.world.messages.get(ref.messageId)!;
    expect(ref.chatId).toBe(fake.channels.general);
    expect(posted.content).toBe(`<@${fake.alice.id}> 🎬 Got it @everyone`);
    expect(posted.message_reference?.message_id).toBe(user.id);
    expect(posted.mentions.map((u) => u.id)).toEqual([fake.alice.id]);
    expect(posted.components).toEqual([{ type: 1, components: [{ type: 2, style: 2, label: 'Cancel', custom_id: 'nb:cancel-1' }] }]);
    const body = callsTo('POST', '/channels/:id/messages').at(-1)!.body as Record<string, unknown>;
    expect(body.allowed_mentions).toEqual({ parse: [], users: [fake.alice.id], replied_user: true });
  });

  it('still posts when the message it replies to was deleted', async () => {
    const ref = await outbox.sendText(target(fake.channels.general), 'still here', { replyTo: '1234567890123456789' });
    expect(fake.world.messages.get(ref.messageId)!.content).toBe('still here');
  });

  it('cuts text to 2000 characters', async () => {
    const ref = await outbox.sendText(target(fake.channels.general), 'x'.repeat(2500));
    expect(Array.from(fake.world.messages.get(ref.messageId)!.content)).toHaveLength(2000);
  });

  it('deletes messages, and a message already gone is not an error', async () => {
    const ref = await outbox.sendText(target(fake.channels.general), 'temporary');
    await outbox.deleteMessage(target(fake.channels.general), ref);
    expect(fake.world.messages.get(ref.messageId)!.deleted).toBe(true);
    await expect(outbox.deleteMessage(target(fake.channels.general), ref)).resolves.toBeUndefined();
  });

  it('shows typing without ever throwing', async () => {
    await outbox.sendAction(target(fake.channels.general), 'sending_video');
    expect(callsTo('POST', '/channels/:id/typing').length).toBeGreaterThan(0);
    await expect(outbox.sendAction(target('999999999999999999'), 'working')).resolves.toBeUndefined();
  });
});

describe('interaction acknowledgements', () => {
  it('edits the deferred reply of a slash command, then follows up for a second text', async () => {
    const ix = fake.pushSlashCommand({ channelId: fake.channels.general, name: 'video', options: { prompt: 'x' } });
    // No gateway client in this test: answer the interaction the way discord.js would.
    await fetch(`${fake.restUrl}/v10/interactions/${ix.id}/${ix.token}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 5, data: { flags: 0 } }) });
    const meta = { interactionId: ix.id, interactionToken: ix.token, applicationId: fake.applicationId, interactionKind: 'command' };
    const t = target(fake.channels.general, { platformMeta: meta });
    const ack = await outbox.sendText(t, '🎬 Queued — #1 in line', { buttons: [[{ id: 'cancel-9', label: 'Cancel' }]] });
    const original = fake.interaction(ix.id)!.originalMessageId!;
    expect(ack).toEqual({ chatId: fake.channels.general, messageId: original });
    expect(fake.world.messages.get(original)!.content).toBe('🎬 Queued — #1 in line');
    expect(fake.world.messages.get(original)!.flags & 128).toBe(0);
    expect(callsTo('PATCH', '/webhooks/:app/:token/messages/:mid').at(-1)!.path).toContain('/messages/@original');

    const second = await outbox.sendText(t, 'one more thing');
    expect(second.messageId).not.toBe(original);
    expect(fake.world.messages.get(original)!.content).toBe('🎬 Queued — #1 in line');
    // Later edits go through the bot token (the interaction token dies after 15 minutes).
    await outbox.editText(target(fake.channels.general), ack, '⏳ Still working…');
    expect(fake.world.messages.get(original)!.content).toBe('⏳ Still working…');
  });

  it('follows up for a button instead of overwriting the message that carries it', async () => {
    const result = await outbox.sendText(target(fake.channels.general), 'your video', { buttons: [[{ id: 'export-2', label: 'Export again' }]] });
    const ix = fake.pushButton({ channelId: fake.channels.general, messageId: result.messageId, customId: 'nb:export-2' });
    await fetch(`${fake.restUrl}/v10/interactions/${ix.id}/${ix.token}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 6 }) });
    const meta = { interactionId: ix.id, interactionToken: ix.token, applicationId: fake.applicationId, interactionKind: 'component' };
    const ack = await outbox.sendText(target(fake.channels.general, { platformMeta: meta }), 'Exporting again…');
    expect(ack.messageId).not.toBe(result.messageId);
    expect(fake.world.messages.get(result.messageId)!.content).toBe('your video');
    expect(fake.world.messages.get(ack.messageId)!.content).toBe('Exporting again…');
  });

  it('falls back to the channel when the interaction token is dead', async () => {
    const meta = { interactionId: '1', interactionToken: 'expired-token', applicationId: fake.applicationId, interactionKind: 'command' };
    const ack = await outbox.sendText(target(fake.channels.general, { platformMeta: meta }), 'ack via channel', { mentionUserId: fake.alice.id });
    expect(fake.world.messages.get(ack.messageId)!.content).toBe(`<@${fake.alice.id}> ack via channel`);
    expect(logs.text()).toContain('interaction reply failed; posting in the channel instead');
  });
});

describe('edits', () => {
  it('paces edits per channel to ≥3 s, keeps only the newest waiting text and skips unchanged text', async () => {
    const out = pacedOutbox(outbox); // the core's one pacer, at the rate the adapter states (as in the runtime)
    const t = target(fake.channels.lab);
    const ref = await out.sendText(t, 'progress 0%');
    const since = Date.now();
    await out.editText(t, ref, 'progress 0%'); // unchanged: no request
    expect(callsTo('PATCH', '/channels/:id/messages/:mid', since)).toHaveLength(0);
    await out.editText(t, ref, 'progress 10%'); // slot free: sent and awaited
    expect(fake.world.messages.get(ref.messageId)!.content).toBe('progress 10%');
    // Slot busy: these return at once and only the newest text goes out when the slot opens.
    await out.editText(t, ref, 'progress 20%');
    await out.editText(t, ref, 'progress 30%');
    // Both returned before the slot opened (3 s here): the message still shows the first edit.
    expect(fake.world.messages.get(ref.messageId)!.content).toBe('progress 10%');
    await fake.waitFor(() => fake.world.messages.get(ref.messageId)!.content === 'progress 30%', 5000, 'the queued edit');
    const patches = callsTo('PATCH', '/channels/:id/messages/:mid', since);
    expect(patches.map((c) => (c.body as { content: string }).content)).toEqual(['progress 10%', 'progress 30%']);
    expect(patches[1]!.at - patches[0]!.at).toBeGreaterThanOrEqual(2990);
  }, 15_000);

  it('drops a queued edit when the message is deleted', async () => {
    const out = pacedOutbox(outbox);
    const t = target(fake.dmChannel(fake.addUser('carol')), { isDirect: true }); // a channel with no earlier edits
    const ref = await out.sendText(t, 'card');
    await out.editText(t, ref, 'card 1');
    await out.editText(t, ref, 'card 2'); // queued
    await out.deleteMessage(t, ref);
    await new Promise((r) => setTimeout(r, 3300));
    expect(fake.world.messages.get(ref.messageId)!.edits).toEqual(['card 1']);
    expect(logs.text()).not.toContain('edit message failed');
  }, 15_000);
});

describe('videos', () => {
  it('uploads the file as multipart with caption, mention and buttons; the bytes arrive unchanged', async () => {
    const t = target(fake.channels.general);
    const ref = await outbox.sendVideo(t, {
      path: video.path,
      sizeBytes: video.bytes.length,
      fileName: 'nemo-video.mp4',
      caption: '✅ Your video is ready',
      mentionUserId: fake.alice.id,
      buttons: [[{ id: 'exp-1', label: 'Export again' }]],
    });
    const call = callsTo('POST', '/channels/:id/messages').at(-1)!;
    expect(call.multipart).toBe(true);
    expect(call.files).toHaveLength(1);
    expect(call.files[0]!.field).toBe('files[0]');
    expect(call.files[0]!.bytes.equals(video.bytes)).toBe(true);
    expect(call.body).toMatchObject({ content: `<@${fake.alice.id}> ✅ Your video is ready`, attachments: [{ id: 0, filename: 'nemo-video.mp4' }] });
    const posted = fake.world.messages.get(ref.messageId)!;
    expect(posted.attachments[0]!.bytes.equals(video.bytes)).toBe(true);
    expect(posted.components).toHaveLength(1);
  });

  it('reports the guild upload limit by boost tier (DMs use the default)', async () => {
    const t = target(fake.channels.general);
    fake.setGuildTier(fake.guild.id, 0);
    expect(await outbox.maxUploadBytes(t)).toBe(10 * MiB);
    for (const [tier, mib] of [[2, 50], [3, 100]] as const) {
      fake.setGuildTier(fake.guild.id, tier);
      const fresh = createDiscordOutbox({ config: discordConfig(fake, uniquePrefix('ob')), logger: logs.logger });
      expect(await fresh.maxUploadBytes(t)).toBe(mib * MiB);
      fresh.close();
    }
    fake.setGuildTier(fake.guild.id, 0);
    const dm = fake.dmChannel(fake.alice);
    expect(await outbox.maxUploadBytes(target(dm, { isDirect: true }))).toBe(10 * MiB);
    const small = createDiscordOutbox({ config: discordConfig(fake, uniquePrefix('ob'), { DISCORD_MAX_UPLOAD_MB: '1' }), logger: logs.logger });
    expect(await small.maxUploadBytes(t)).toBe(1 * MiB);
    small.close();
    // The tier is cached: one channel and one guild lookup for many calls.
    const before = fake.calls.length;
    await outbox.maxUploadBytes(t);
    await outbox.maxUploadBytes(t);
    expect(fake.calls.length).toBe(before);
  });

  it('waits out a 429 and posts the video once', async () => {
    const t = target(fake.channels.lab);
    const since = Date.now();
    fake.inject({ method: 'POST', route: '/channels/:id/messages', status: 429, retryAfter: 0.3 });
    const ref = await outbox.sendVideo(t, { path: video.path, sizeBytes: video.bytes.length, fileName: 'a.mp4' });
    const posts = callsTo('POST', '/channels/:id/messages', since);
    expect(posts.map((c) => c.status)).toEqual([429, 200]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(250);
    expect(fake.botMessages(fake.channels.lab).filter((m) => m.attachments.length > 0 && m.createdAt >= since).map((m) => m.id)).toEqual([ref.messageId]);
  });

  it('does not retry a failed multipart upload', async () => {
    const t = target(fake.channels.lab);
    const since = Date.now();
    fake.inject({ method: 'POST', route: '/channels/:id/messages', status: 502 });
    await expect(outbox.sendVideo(t, { path: video.path, sizeBytes: video.bytes.length, fileName: 'b.mp4' })).rejects.toThrow();
    expect(callsTo('POST', '/channels/:id/messages', since)).toHaveLength(1);
    // The core's error type: a transient failure of an upload that may have been posted.
    fake.inject({ method: 'POST', route: '/channels/:id/messages', status: 502 });
    const err = await outbox.sendVideo(t, { path: video.path, sizeBytes: video.bytes.length, fileName: 'b.mp4' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboxError);
    expect(err).toMatchObject({ kind: 'transient', status: 502, mayHavePosted: true, safeToRetry: false });
  });

  it('does not resend an upload whose answer timed out', async () => {
    const slow = createDiscordOutbox({ config: discordConfig(fake, uniquePrefix('ob')), logger: logs.logger, uploadTimeoutMs: 300 });
    const since = Date.now();
    fake.inject({ method: 'POST', route: '/channels/:id/messages', status: 0, delayMs: 800 });
    await expect(slow.sendVideo(target(fake.channels.lab), { path: video.path, sizeBytes: video.bytes.length, fileName: 'c.mp4' })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 1000));
    expect(callsTo('POST', '/channels/:id/messages', since)).toHaveLength(1);
    slow.close();
  });

  it('names the missing Attach Files permission once and sends links there from then on', async () => {
    const channel = fake.channels.thread;
    fake.denyPermission(channel, 'ATTACH_FILES');
    const t = target(channel);
    expect(await outbox.maxUploadBytes(t)).toBe(10 * MiB);
    await expect(outbox.sendVideo(t, { path: video.path, sizeBytes: video.bytes.length, fileName: 'd.mp4' })).rejects.toThrow();
    await expect(outbox.sendVideo(t, { path: video.path, sizeBytes: video.bytes.length, fileName: 'd.mp4' })).rejects.toMatchObject({ kind: 'forbidden', code: 50013 });
    const lines = logs.lines.filter((l) => l.includes('missing permission'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"Attach Files"');
    expect(await outbox.maxUploadBytes(t)).toBe(0);
    const link = await outbox.sendLink(t, { url: 'https://cdn.nemo.example/v.mp4', text: 'Too large to attach here — download:', mentionUserId: fake.alice.id });
    expect(fake.world.messages.get(link.messageId)!.content).toBe(`<@${fake.alice.id}> Too large to attach here — download:\nhttps://cdn.nemo.example/v.mp4`);
  });

  it('names Send Messages when text is refused', async () => {
    const channel = fake.channels.lab;
    fake.denyPermission(channel, 'SEND_MESSAGES');
    try {
      await expect(outbox.sendText(target(channel), 'hello')).rejects.toMatchObject({ kind: 'forbidden', name: 'DiscordOutboxError' });
      expect(logs.text()).toContain('missing permission \\"Send Messages');
    } finally {
      fake.world.denied.get(channel)!.delete('SEND_MESSAGES');
    }
  });

  it('resolves url attachments to the URL as received', async () => {
    const url = 'https://cdn.discordapp.com/attachments/1/2/a.png?ex=1&is=2&hm=3&';
    expect(await outbox.resolveAttachment({ name: 'a.png', source: { kind: 'url', url } })).toEqual({ url });
  });
});
