/**
 * The core's front door (runs in bot processes): validate, deduplicate, route, enqueue, acknowledge.
 *
 * It never waits for Nemo. Once `accept` resolves, the job is in Redis, so an adapter may confirm the
 * platform update; a platform that delivers the same message twice gets `duplicate` the second time.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { attachmentProblemText, linkAttachments, safeFileName, SUPPORTED_LIST } from './attachments.js';
import type { ButtonStore } from './buttons.js';
import { cancelCommand } from './cancel.js';
import { cardText, t } from './i18n.js';
import { uiLanguage } from './language.js';
import { jobIdFor, LINE_KINDS, type ConversationJobData, type JobKind } from './job-data.js';
import type { JobQueue } from './job-queue.js';
import type { ConversationLine } from './line.js';
import { routeIntent } from './intent.js';
import type { Keys } from './keys.js';
import type { Attachment, ButtonForm, ConversationIngress, IncomingMessage, IngressResult } from './message.js';
import type { ChatTarget, Outbox, OutboxRegistry } from './outbox.js';
import type { SessionStore } from './sessions.js';
import type { UserShares } from './fair-shares.js';
import type { UserRate } from './rate-limit.js';
import { CLAIM_GRACE_MS, SEEN_TTL_S } from './defaults.js';
import { z } from 'zod';
import { headerFor, privateNotice, targetFor } from './answer-target.js';
import { PrivateNotices } from './private-notice.js';
import { waitingText } from './eta.js';
import { JobHistory, shortJobId } from './history.js';
import { jobsText, showJob } from './history-commands.js';
import { buttonOutcome } from './button-intents.js';
import { login, logout } from './login.js';
import { userSessionKey } from './account.js';
import { runAdmin } from './admin.js';
import { isAdminOf, workRefusal } from './gates.js';
import { setConversationLanguage, SettingsStore, type Settings } from './settings.js';

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

/** A claim in progress, as stored: `pending:<ms since epoch>` → the time it was taken. */
const pendingClaim = z.string().regex(/^pending:\d+$/).transform((v) => Number(v.slice('pending:'.length)));

const TAKE_OVER = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0`;

/** Thrown by `accept` when the message cannot be taken yet; the adapter should let the platform redeliver it. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

export class Ingress implements ConversationIngress {
  private readonly settings: SettingsStore;
  private readonly notices: PrivateNotices;

  constructor(private readonly deps: IngressDeps) {
    this.settings = new SettingsStore(deps.redis, deps.keys);
    this.notices = new PrivateNotices(deps.redis, deps.keys, deps.log);
  }

  async accept(msg: IncomingMessage): Promise<IngressResult> {
    const { deps } = this;
    const outbox = deps.outboxes[msg.platform];
    if (!outbox) throw new Error(`no outbox for ${msg.platform}`);
    const scope = msg.scopeId ?? msg.conversationKey;
    const jobId = jobIdFor(msg.platform, msg.conversationKey, msg.messageId);
    let intent = routeIntent(msg);
    // The front door's reads and counts (and a direct message's "reachable privately" record) go out
    // together: one round trip, one write with the core connection's auto-pipelining, so the
    // acknowledgement stays quick under a burst. A flood from one user is counted here (/cancel always
    // works); a redelivered duplicate counts too, which is harmless.
    const [settings, conversationLang, claimed, withinRate] = await Promise.all([
      this.settings.get(scope),
      this.settings.conversationLanguage(msg.conversationKey),
      this.claim(jobId),
      intent.kind === 'cancel' ? true : deps.rate.take(msg.platform, msg.userId),
      this.notices.remember(msg, outbox),
    ]);
    if (!claimed) return { outcome: 'duplicate', jobId };
    // The bot's words: the conversation's /lang, else the admin's default here, else the message's
    // language (falling back to the locale). The session language is the message's, as the skill says.
    const target = targetFor(msg, deps.config.NEMO_LANGUAGE, conversationLang ?? settings.language);
    const lang = target.lang;

    const say = async (text: string): Promise<IngressResult> => {
      await this.markDone(jobId);
      await outbox.sendText(target, text, { replyTo: msg.replyToMessageId });
      return { outcome: 'answered' };
    };
    /** A refusal for this user only: shown only to them, sent to their direct chat, or addressed to them in the group. */
    const notice = async (text: string): Promise<IngressResult> => {
      await this.markDone(jobId);
      await this.notices.send(outbox, target, msg, text);
      return { outcome: 'answered' };
    };

    // Over the rate nothing is queued and only the first refusal is said.
    if (!withinRate) return this.refuse(jobId, target, outbox, msg, t(lang, 'refuse.slow_down'));
    let prompt = '';
    // File names are made safe once, here, before anything shows or uses them.
    let attachments: Attachment[] = msg.attachments.map((a) => ({ ...a, name: safeFileName(a.name) }));
    if (intent.kind === 'button') {
      const action = await deps.buttons.resolve(intent.id);
      if (!action) return say(t(lang, 'button.expired'));
      if (action.conv !== msg.conversationKey) return notice(t(lang, 'button.foreign'));
      // A result made on someone's own account: its buttons act on their project (Delete keeps its own rule).
      if (action.owner && action.owner !== msg.userId && action.action !== 'delete') return notice(t(lang, 'button.owner_only'));
      attachments = [];
      const next = await buttonOutcome(action, msg, outbox, target, privateNotice(msg));
      if ('notice' in next) return notice(next.notice);
      if ('send' in next || 'done' in next) {
        await this.markDone(jobId);
        if ('send' in next) await outbox.sendText(target, next.send.text, next.send.opts);
        return { outcome: 'answered' };
      }
      intent = next.intent;
    }

    if (intent.kind === 'admin') {
      if (!(await isAdminOf(msg, outbox, target))) return notice(t(lang, 'admin.refused'));
      const done = await runAdmin({ ...deps, settings: this.settings, defaultConcurrency: deps.config.MAX_QUEUED_PER_CONVERSATION }, msg, scope, lang, intent.args);
      if ('text' in done) return notice(done.text);
      intent = done.retry.kind === 'export' ? { kind: 'export' } : { kind: 'turn', prompt: done.retry.prompt };
    }

    switch (intent.kind) {
      case 'lang':
        return say(await setConversationLanguage(this.settings, msg, intent.args, lang));
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
        // The project this user's next job would work on: their own here when logged in, else the conversation's.
        await deps.sessions.reset(await userSessionKey(deps, msg));
        return say(t(lang, 'new.done'));
      case 'jobs':
        return say(await jobsText(deps, msg.conversationKey, lang));
      case 'show': {
        const refusal = await showJob(deps, outbox, target, msg, intent.id);
        if (refusal) return say(refusal);
        await this.markDone(jobId);
        return { outcome: 'answered' };
      }
      case 'login':
      case 'logout': {
        const answer = intent.kind === 'login' ? await login(deps, outbox, target, msg, intent.token) : await logout(deps, msg, lang);
        return answer.refusal ? notice(answer.text) : say(answer.text);
      }
      case 'cancel': {
        const answer = await cancelCommand(deps, msg, intent.id, await isAdminOf(msg, outbox, target), lang);
        return answer.refusal ? notice(answer.text) : say(answer.text);
      }
      case 'turn': {
        prompt = intent.prompt;
        attachments = [...attachments, ...linkAttachments(prompt)];
        const problem = attachmentProblemText(attachments, { platformDownloadBytes: outbox.limits.maxDownloadBytes, nemoUploadMb: deps.config.NEMO_UPLOAD_MAX_MB }, lang);
        if (problem) return say(problem);
        // Checked before anything reaches Nemo: the channel list, a paused queue, blocked words.
        const refusal = workRefusal(settings, msg, [prompt, ...attachments.map((a) => a.name)].join('\n'));
        if (refusal) return notice(t(lang, refusal));
        return this.enqueue(msg, target, outbox, jobId, 'turn', prompt, attachments, settings);
      }
      case 'export':
      case 'credits':
      case 'status':
      case 'open': {
        const refusal = workRefusal(settings, msg);
        if (refusal) return notice(t(lang, refusal));
        return this.enqueue(msg, target, outbox, jobId, intent.kind, '', [], settings);
      }
    }
  }

  async formFor(conversationKey: string, buttonId: string, locale?: string): Promise<ButtonForm | undefined> {
    const action = await this.deps.buttons.resolve(buttonId);
    if (!action || action.conv !== conversationKey || action.action !== 'remix') return undefined;
    const lang = uiLanguage('', locale);
    return { title: t(lang, 'remix.title'), label: t(lang, 'remix.label'), value: action.value ?? '' };
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
      const pendingSince = pendingClaim.safeParse(value);
      if (!pendingSince.success || Date.now() - pendingSince.data > CLAIM_GRACE_MS) {
        // The claimer died between claim and enqueue (or left a claim this version cannot read): take the message over (atomically).
        return (await this.deps.redis.eval(TAKE_OVER, 1, key, value, mine, SEEN_TTL_S)) === 1;
      }
      if (waited >= 2_000) throw new RetryLaterError('another process is still enqueueing this message');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async markDone(jobId: string): Promise<void> {
    await this.deps.redis.set(this.deps.keys.seen(jobId), 'done', 'EX', SEEN_TTL_S);
  }

  private async enqueue(msg: IncomingMessage, target: ChatTarget, outbox: Outbox, jobId: string, kind: JobKind, prompt: string, attachments: Attachment[], settings: Settings): Promise<IngressResult> {
    const { deps } = this;
    const header = headerFor(kind, target.lang, prompt, attachments);
    const scope = msg.scopeId ?? msg.conversationKey;
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
      scope,
    };
    let position = 1;
    if (LINE_KINDS.has(kind)) {
      // Fair shares: a user's and a conversation's live jobs are capped; over a cap nothing is queued.
      const user = await deps.shares.take(msg.platform, msg.userId, jobId, deps.config.MAX_QUEUED_PER_USER);
      if (user !== true) return this.refuse(jobId, target, outbox, msg, t(target.lang, 'refuse.user_full', { count: user.full }));
      // Join the line before the job exists, so a worker never sees a line job that is not in line.
      const joined = await deps.line.join(msg.conversationKey, jobId, settings.concurrency ?? deps.config.MAX_QUEUED_PER_CONVERSATION);
      if (typeof joined !== 'number') {
        await deps.shares.give(msg.platform, msg.userId, jobId);
        return this.refuse(jobId, target, outbox, msg, t(target.lang, 'refuse.conversation_full', { count: joined.full }));
      }
      // The admin's daily quota counts generations (turns) only once they are sure to be queued.
      if (kind === 'turn' && settings.quotaPerDay !== undefined) {
        data.quotaKey = await this.settings.takeQuota(scope, msg.userId, settings.quotaPerDay);
        if (!data.quotaKey) {
          await deps.line.leave(msg.conversationKey, jobId);
          await deps.shares.give(msg.platform, msg.userId, jobId);
          return this.refuse(jobId, target, outbox, msg, t(target.lang, 'refuse.quota', { quota: settings.quotaPerDay }));
        }
      }
      position = joined;
    }
    await deps.queue.add(jobId, data);
    // Once queued, a redelivery finds the job anyway: the claim's "done" need not hold up the acknowledgement.
    const marked = this.markDone(jobId);
    const text = position > 1 ? await waitingText(deps.redis, deps.keys, outbox, header, target.lang, position) : cardText(target.lang, header, t(target.lang, 'ack.now'));
    try {
      const ref = await outbox.sendText(target, text, { replyTo: msg.replyToMessageId });
      await deps.redis.set(deps.keys.statusRef(jobId), JSON.stringify(ref), 'EX', SEEN_TTL_S);
    } catch (err) {
      deps.log.warn({ err, jobId }, 'acknowledgement failed (the job is queued)');
    }
    await marked;
    // After the acknowledgement (which a burst waits on): the job's line in /jobs.
    if (kind === 'turn' || kind === 'export') {
      await new JobHistory(deps.redis, deps.keys)
        .add(msg.conversationKey, { id: shortJobId(jobId), jobId, kind, prompt, userId: msg.userId, state: 'queued', createdAt: data.createdAt })
        .catch((err) => deps.log.warn({ err, jobId }, 'could not record the job in the history'));
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
    await this.notices.send(outbox, target, msg, text);
    return { outcome: 'answered' };
  }
}

