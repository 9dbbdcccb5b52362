/**
 * The core's front door (runs in bot processes): validate, deduplicate, route, enqueue, acknowledge.
 *
 * It never waits for Nemo. Once `accept` resolves, the job is in Redis, so an adapter may confirm the
 * platform update; a platform that delivers the same message twice gets `duplicate` the second time.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { checkAttachments, linkAttachments, SUPPORTED_LIST } from './attachments.js';
import type { ButtonStore } from './buttons.js';
import { cancelConversation } from './cancel.js';
import { formatBytes, t } from './i18n.js';
import { sessionLanguage, uiLanguage } from './language.js';
import { jobIdFor, LINE_KINDS, type ConversationJobData, type JobKind } from './job-data.js';
import type { JobQueue } from './job-queue.js';
import type { ConversationLine } from './line.js';
import { routeIntent } from './intent.js';
import type { Keys } from './keys.js';
import type { Attachment, ConversationIngress, IncomingMessage, IngressResult } from './message.js';
import type { ChatTarget, Outbox, OutboxRegistry } from './outbox.js';
import type { SessionStore } from './sessions.js';
import type { UserShares } from './fair-shares.js';
import type { UserRate } from './rate-limit.js';
import { CLAIM_GRACE_MS, SEEN_TTL_S } from './defaults.js';

export interface IngressDeps {
  config: Config;
  redis: Redis;
  keys: Keys;
  queue: JobQueue;
  line: ConversationLine;
  shares: UserShares;
  rate: UserRate;
  buttons: ButtonStore;
  sessions: SessionStore;
  outboxes: OutboxRegistry;
  log: Logger;
}

const TAKE_OVER = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0`;

/** Thrown by `accept` when the message cannot be taken yet; the adapter should let the platform redeliver it. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

export class Ingress implements ConversationIngress {
  constructor(private readonly deps: IngressDeps) {}

  async accept(msg: IncomingMessage): Promise<IngressResult> {
    const { deps } = this;
    const outbox = deps.outboxes[msg.platform];
    if (!outbox) throw new Error(`no outbox for ${msg.platform}`);
    const target = targetFor(msg, deps.config.NEMO_LANGUAGE);
    const lang = target.lang;
    const jobId = jobIdFor(msg.platform, msg.conversationKey, msg.messageId);
    if (!(await this.claim(jobId))) return { outcome: 'duplicate', jobId };

    const say = async (text: string): Promise<IngressResult> => {
      await this.markDone(jobId);
      await outbox.sendText(target, text, { replyTo: msg.replyToMessageId });
      return { outcome: 'answered' };
    };

    let intent = routeIntent(msg);
    // A flood from one user: over the rate nothing is queued and only the first refusal is said (/cancel always works).
    if (intent.kind !== 'cancel' && !(await deps.rate.take(msg.platform, msg.userId))) {
      return this.refuse(jobId, target, outbox, msg, t(lang, 'refuse.slow_down'));
    }
    let prompt = '';
    let attachments: Attachment[] = msg.attachments;
    if (intent.kind === 'button') {
      const action = await deps.buttons.resolve(intent.id);
      if (!action) return say(t(lang, 'button.expired'));
      if (action.conv !== msg.conversationKey) return say(t(lang, 'button.foreign'));
      attachments = [];
      switch (action.action) {
        case 'export':
          intent = { kind: 'export' };
          break;
        case 'retry':
        case 'answer':
          intent = { kind: 'turn', prompt: action.value ?? '' };
          break;
        case 'new':
          intent = { kind: 'new' };
          break;
        case 'credits':
          intent = { kind: 'credits' };
          break;
        case 'status':
          intent = { kind: 'status' };
          break;
      }
    }

    switch (intent.kind) {
      case 'empty':
        return say(t(lang, 'refuse.empty'));
      case 'help':
        return say(t(lang, 'help'));
      case 'unknown_command':
        // Never sent to Nemo as a prompt: it would run (and charge) a turn for a typo.
        return say(t(lang, 'command.unknown', { name: intent.name }));
      case 'upload_hint':
        return say(t(lang, 'upload.ask_file', { types: SUPPORTED_LIST, maxMb: deps.config.NEMO_UPLOAD_MAX_MB }));
      case 'new':
        await deps.sessions.reset(msg.conversationKey);
        return say(t(lang, 'new.done'));
      case 'cancel': {
        const count = await cancelConversation(deps, msg.conversationKey, lang);
        return say(count ? t(lang, 'cancel.done', { count }) : t(lang, 'cancel.none'));
      }
      case 'turn': {
        prompt = intent.prompt;
        attachments = [...attachments, ...linkAttachments(prompt)];
        const problem = checkAttachments(attachments, {
          platformDownloadBytes: outbox.limits.maxDownloadBytes,
          nemoUploadBytes: deps.config.NEMO_UPLOAD_MAX_MB * 1024 * 1024,
        });
        if (problem?.kind === 'unsupported') return say(t(lang, 'error.unsupported_file', { fileName: problem.att.name, types: SUPPORTED_LIST }));
        if (problem?.kind === 'nemo_size') return say(t(lang, 'error.file_too_large', { fileName: problem.att.name, maxMb: deps.config.NEMO_UPLOAD_MAX_MB }));
        if (problem?.kind === 'platform_download') {
          return say(t(lang, 'refuse.platform_download', { fileName: problem.att.name, size: formatBytes(problem.att.sizeBytes), maxMb: Math.round(outbox.limits.maxDownloadBytes / 1024 / 1024) }));
        }
        return this.enqueue(msg, target, outbox, jobId, 'turn', prompt, attachments);
      }
      case 'export':
      case 'credits':
      case 'status':
        return this.enqueue(msg, target, outbox, jobId, intent.kind, '', []);
    }
  }

  /**
   * Claim a platform message once across all bot processes. The claim reads `pending:<ms>` until the
   * message is queued or answered (`done`). A redelivery that finds a fresh pending claim waits a
   * moment for it; if it is still pending, the other process may have died mid-enqueue, so it throws
   * `RetryLaterError` (the adapter does not confirm the update and the platform delivers it again)
   * instead of reporting a duplicate and losing the message. A claim pending longer than the grace
   * period is taken over.
   */
  private async claim(jobId: string): Promise<boolean> {
    const key = this.deps.keys.seen(jobId);
    const mine = `pending:${Date.now()}`;
    if ((await this.deps.redis.set(key, mine, 'EX', SEEN_TTL_S, 'NX')) === 'OK') return true;
    for (let waited = 0; ; waited += 100) {
      const value = await this.deps.redis.get(key);
      if (value === null) return (await this.deps.redis.set(key, mine, 'EX', SEEN_TTL_S, 'NX')) === 'OK';
      if (value === 'done' || (await this.deps.queue.state(jobId)) !== 'missing') return false;
      if (Date.now() - Number(value.slice('pending:'.length)) > CLAIM_GRACE_MS) {
        // The claimer died between claim and enqueue: take the message over (atomically).
        return (await this.deps.redis.eval(TAKE_OVER, 1, key, value, mine, SEEN_TTL_S)) === 1;
      }
      if (waited >= 2_000) throw new RetryLaterError('another process is still enqueueing this message');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async markDone(jobId: string): Promise<void> {
    await this.deps.redis.set(this.deps.keys.seen(jobId), 'done', 'EX', SEEN_TTL_S);
  }

  private async enqueue(msg: IncomingMessage, target: ChatTarget, outbox: Outbox, jobId: string, kind: JobKind, prompt: string, attachments: Attachment[]): Promise<IngressResult> {
    const { deps } = this;
    const header = headerFor(kind, target.lang, prompt, attachments);
    const { platformMeta: _botOnly, ...jobTarget } = target;
    const data: ConversationJobData = {
      v: 1,
      kind,
      conv: msg.conversationKey,
      target: jobTarget,
      messageId: msg.messageId,
      replyTo: msg.replyToMessageId,
      userName: msg.userName,
      prompt,
      attachments,
      header,
      createdAt: Date.now(),
      step: 'start',
    };
    let position = 1;
    if (LINE_KINDS.has(kind)) {
      // Fair shares: a user's and a conversation's live jobs are capped; over a cap nothing is queued.
      const user = await deps.shares.take(msg.platform, msg.userId, jobId, deps.config.MAX_QUEUED_PER_USER);
      if (user !== true) return this.refuse(jobId, target, outbox, msg, t(target.lang, 'refuse.user_full', { count: user.full }));
      // Join the line before the job exists, so a worker never sees a line job that is not in line.
      const joined = await deps.line.join(msg.conversationKey, jobId, deps.config.MAX_QUEUED_PER_CONVERSATION);
      if (typeof joined !== 'number') {
        await deps.shares.give(msg.platform, msg.userId, jobId);
        return this.refuse(jobId, target, outbox, msg, t(target.lang, 'refuse.conversation_full', { count: joined.full }));
      }
      position = joined;
    }
    await deps.queue.add(jobId, data);
    await this.markDone(jobId);
    const status = position > 1 ? t(target.lang, 'ack.position', { position }) : t(target.lang, 'ack.now');
    try {
      const ref = await outbox.sendText(target, `${header}\n${status}`, { replyTo: msg.replyToMessageId });
      await deps.redis.set(deps.keys.statusRef(jobId), JSON.stringify(ref), 'EX', SEEN_TTL_S);
    } catch (err) {
      deps.log.warn({ err, jobId }, 'acknowledgement failed (the job is queued)');
    }
    return { outcome: 'queued', jobId, position };
  }

  /**
   * Over the rate or a fair-share cap: queue nothing and mark the message handled (a redelivery is a
   * duplicate). Only the user's first refusal in a rate window is said; later ones are dropped quietly.
   */
  private async refuse(jobId: string, target: ChatTarget, outbox: Outbox, msg: IncomingMessage, text: string): Promise<IngressResult> {
    await this.markDone(jobId);
    if (!(await this.deps.rate.firstNotice(msg.platform, msg.userId))) return { outcome: 'ignored' };
    await outbox.sendText(target, text, { replyTo: msg.replyToMessageId });
    return { outcome: 'answered' };
  }
}

/** Where answers to `msg` go, in the user's language (the skill takes it from the message, else the locale). */
export function targetFor(msg: IncomingMessage, defaultLanguage: string): ChatTarget {
  return {
    platform: msg.platform,
    conversationKey: msg.conversationKey,
    chatId: msg.chatId,
    threadId: msg.threadId,
    userId: msg.userId,
    isDirect: msg.isDirect,
    lang: uiLanguage(msg.text, msg.locale),
    language: sessionLanguage(msg.text, msg.locale, defaultLanguage),
    platformMeta: msg.platformMeta,
  };
}

/** The first lines of the status card: what was understood. */
export function headerFor(kind: JobKind, lang: string, prompt: string, attachments: Attachment[]): string {
  if (kind === 'export') return t(lang, 'ack.export');
  if (kind === 'credits') return t(lang, 'ack.credits');
  if (kind === 'status') return t(lang, 'ack.status');
  const lines = [prompt.trim() ? t(lang, 'ack.turn') : t(lang, 'ack.upload')];
  for (const a of attachments.slice(0, 10)) {
    const type = /^video|\.(mp4|mov|avi|webm|mkv)$/i.test(a.mimeType ?? a.name) ? 'video' : /^audio|\.(mp3|wav|m4a|aac)$/i.test(a.mimeType ?? a.name) ? 'audio' : a.byUrl ? 'link' : 'image';
    lines.push(t(lang, 'ack.file', { type, name: a.name, size: a.sizeBytes !== undefined ? formatBytes(a.sizeBytes) : undefined }));
  }
  const p = prompt.trim();
  if (p) lines.push(t(lang, 'ack.prompt', { prompt: p.length > 200 ? `${p.slice(0, 199)}…` : p }));
  return lines.join('\n');
}
