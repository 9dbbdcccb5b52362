/**
 * The Discord outbox: how the core posts to Discord, with `@discordjs/rest` only.
 *
 * No gateway connection is needed, so worker processes can deliver results while a bot process
 * holds the shard. Responsibilities kept here, and why:
 * - the acknowledgement of an interaction goes through its token (interaction-reply.ts), with a
 *   fallback to the channel when the token is dead, so a lost token never loses the ack;
 * - edits go out as asked; their pacing (and skipping no-op edits) is the core's EditPacer
 *   (src/core/edit-pacer.ts), at the rate stated in `DISCORD_OUTBOX_LIMITS`;
 * - uploads are streamed from disk and never resent after a timeout or 5xx (stream-upload.ts), so
 *   memory stays flat and one video is never posted twice;
 * - a missing permission is logged once per channel in the words of the Discord UI, and a channel
 *   that refuses files answers `maxUploadBytes = 0` for a while so the core sends links there;
 * - errors are logged as whitelisted summaries (errors.ts), never as raw `DiscordAPIError`s, and leave
 *   as the core's `OutboxError` (a `DiscordOutboxError` with Discord's code and status).
 */
import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Routes } from 'discord-api-types/v10';
import { z } from 'zod';
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/log.js';
import type { Attachment } from '../../src/core/message.js';
import type {
  Button,
  ChatAction,
  ChatTarget,
  LinkPayload,
  MessageRef,
  Outbox,
  OutboxLimits,
  SendOptions,
  VideoPayload,
} from '../../src/core/outbox.js';
import { OutboxError } from '../../src/core/outbox.js';
import { DiscordCode, describeDiscordError, discordCodeOf, isInteractionGone, missingPermissionFor, toDiscordOutboxError } from './errors.js';
import { InteractionReplies, interactionMetaOf } from './interaction-reply.js';
import { buildEditBody, buildMessageBody } from './payload.js';
import { createRestClients, type DiscordRestClients } from './rest.js';
import { UploadLimits } from './upload-limit.js';

const MiB = 1024 * 1024;

/** What this outbox promises the core. */
export const DISCORD_OUTBOX_LIMITS: OutboxLimits = {
  textMaxChars: 2000,
  captionMaxChars: 2000,
  minEditIntervalMs: 3000,
  // Discord CDN files are plain HTTPS downloads with no bot-side cap; this only bounds memory/disk.
  maxDownloadBytes: 500 * MiB,
};

const createdMessageSchema = z.object({ id: z.string(), channel_id: z.string() });

export interface DiscordOutboxOptions {
  config: Config;
  logger: Logger;
  /** Test hook: a short upload timeout. */
  uploadTimeoutMs?: number;
}

export interface DiscordOutbox extends Outbox {
  /** Stop timers of pending edits (tests, shutdown). */
  close(): void;
}

export function createDiscordOutbox(opts: DiscordOutboxOptions): DiscordOutbox {
  const logger = opts.logger.child({ platform: 'discord' });
  const clients = createRestClients({ config: opts.config, logger, uploadTimeoutMs: opts.uploadTimeoutMs });
  return new DiscordOutboxImpl(opts.config, logger, clients);
}

class DiscordOutboxImpl implements DiscordOutbox {
  readonly platform = 'discord' as const;
  readonly limits = DISCORD_OUTBOX_LIMITS;

  private readonly interactions: InteractionReplies;
  private readonly uploadLimits: UploadLimits;
  /** (channel, permission) pairs already reported, so a broken channel logs one line, not one per call. */
  private readonly reportedPermissions = new Set<string>();

  constructor(
    config: Config,
    private readonly logger: Logger,
    private readonly clients: DiscordRestClients,
  ) {
    this.interactions = new InteractionReplies(clients.interactionRest);
    this.uploadLimits = new UploadLimits({
      rest: clients.rest,
      defaultBytes: config.DISCORD_MAX_UPLOAD_MB * MiB,
      logger,
    });
  }

  async sendText(target: ChatTarget, text: string, opts: SendOptions = {}): Promise<MessageRef> {
    const meta = interactionMetaOf(target.platformMeta);
    if (meta) {
      try {
        // In a DM nobody else is there to hide it from (and an ephemeral message vanishes on reload).
        const msg = await this.interactions.send(meta, buildEditBody(text, opts.buttons, opts.mentionUserId), { ephemeral: opts.private && !target.isDirect });
        return { chatId: msg.channelId, messageId: msg.id };
      } catch (err) {
        const level = isInteractionGone(err) ? 'info' : 'warn';
        this.logger[level]({ chatId: target.chatId, error: describeDiscordError(err) }, 'discord: interaction reply failed; posting in the channel instead');
      }
    }
    const body = buildMessageBody({ text, mentionUserId: opts.mentionUserId, replyTo: opts.replyTo, buttons: opts.buttons });
    return this.post(target.chatId, body, 'send');
  }

  /** Edit in place (paced by the core's EditPacer). */
  async editText(target: ChatTarget, ref: MessageRef, text: string, opts: { buttons?: Button[][] } = {}): Promise<void> {
    try {
      await this.clients.rest.patch(Routes.channelMessage(ref.chatId, ref.messageId), {
        body: buildEditBody(text, opts.buttons),
      });
    } catch (err) {
      this.report(err, target.chatId, 'edit', 'edit message');
      throw toDiscordOutboxError(err, 'edit message');
    }
  }

  async deleteMessage(_target: ChatTarget, ref: MessageRef): Promise<void> {
    try {
      await this.clients.rest.delete(Routes.channelMessage(ref.chatId, ref.messageId));
    } catch (err) {
      if (discordCodeOf(err) === DiscordCode.UnknownMessage) return; // already gone: that is what we wanted
      this.report(err, ref.chatId, 'send', 'delete message');
      throw toDiscordOutboxError(err, 'delete message');
    }
  }

  async sendVideo(target: ChatTarget, video: VideoPayload): Promise<MessageRef> {
    const body = {
      ...buildMessageBody({
        text: video.caption ?? '',
        mentionUserId: video.mentionUserId,
        replyTo: video.replyTo,
        buttons: video.buttons,
      }),
      attachments: [{ id: 0, filename: video.fileName }],
    };
    try {
      // Streamed from disk (stream-upload.ts): memory stays flat whatever the video's size.
      const raw = await this.clients.uploader.createMessage(target.chatId, body, {
        path: video.path,
        sizeBytes: (await stat(video.path)).size,
        name: video.fileName,
        contentType: 'video/mp4',
      });
      const msg = createdMessageSchema.parse(raw);
      return { chatId: msg.channel_id, messageId: msg.id };
    } catch (err) {
      const code = discordCodeOf(err);
      if (code === DiscordCode.MissingPermissions) {
        // Text may still be allowed: from now on the core sees maxUploadBytes = 0 here and sends links.
        this.uploadLimits.markNoAttach(target.chatId);
      }
      if (code === DiscordCode.RequestTooLarge) {
        this.logger.warn({ chatId: target.chatId, sizeBytes: video.sizeBytes }, 'discord: video refused as too large for this channel');
      }
      this.report(err, target.chatId, 'upload', 'upload video');
      throw toDiscordOutboxError(err, 'upload video', true);
    }
  }

  async sendLink(target: ChatTarget, link: LinkPayload): Promise<MessageRef> {
    const body = buildMessageBody({
      text: link.text,
      tail: link.url,
      mentionUserId: link.mentionUserId,
      replyTo: link.replyTo,
      buttons: link.buttons,
    });
    return this.post(target.chatId, body, 'send');
  }

  /** Discord renders `<t:unix:R>` as a live "in 5 minutes" in each reader's own language. */
  relativeTime(atMs: number): string {
    return `<t:${Math.round(atMs / 1000)}:R>`;
  }

  async sendAction(target: ChatTarget, _action: ChatAction): Promise<void> {
    // Discord has one indicator ("is typing…", ~10 s) for every kind of activity.
    try {
      await this.clients.rest.post(Routes.channelTyping(target.chatId));
    } catch (err) {
      this.logger.debug({ chatId: target.chatId, error: describeDiscordError(err) }, 'discord: typing indicator failed');
    }
  }

  maxUploadBytes(target: ChatTarget): Promise<number> {
    return this.uploadLimits.forChannel(target.chatId, target.isDirect);
  }

  async resolveAttachment(att: Attachment): Promise<{ url: string; headers?: Record<string, string> }> {
    switch (att.source.kind) {
      case 'url':
        return { url: att.source.url }; // the signed CDN URL as received: its query string is the signature
      case 'path':
        return { url: pathToFileURL(att.source.path).href };
      default:
        throw new OutboxError('permanent', `discord outbox cannot resolve a ${att.source.kind} attachment`);
    }
  }

  close(): void {
    void this.clients.uploader.close();
  }

  private async post(chatId: string, body: object, operation: 'send' | 'upload'): Promise<MessageRef> {
    try {
      const msg = createdMessageSchema.parse(await this.clients.rest.post(Routes.channelMessages(chatId), { body }));
      return { chatId: msg.channel_id, messageId: msg.id };
    } catch (err) {
      this.report(err, chatId, operation, 'send message');
      throw toDiscordOutboxError(err, 'send message', true);
    }
  }

  /** One clear line for a missing permission (once per channel), a plain warning otherwise. */
  private report(err: unknown, chatId: string, operation: 'send' | 'edit' | 'upload', what: string): void {
    const permission = missingPermissionFor(err, operation);
    if (permission) {
      const key = `${chatId}:${permission}`;
      if (this.reportedPermissions.has(key)) return;
      this.reportedPermissions.add(key);
      const extra = operation === 'upload' ? '; videos in this channel will be sent as links' : '';
      this.logger.error(
        { chatId, permission },
        `discord: missing permission "${permission}" in channel ${chatId}: grant it to the bot role${extra}`,
      );
      return;
    }
    this.logger.warn({ chatId, error: describeDiscordError(err) }, `discord: ${what} failed`);
  }
}
