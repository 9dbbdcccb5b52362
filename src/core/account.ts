/**
 * Which Nemo account a job runs under, and whose project (session) it works on.
 *
 * Decided once, the first time the job runs in a worker (never on the ingress's acknowledgement
 * path): the requester's own token when they logged in (/login), in a direct chat or a group alike,
 * else the conversation's credential. The choice, the session key and, for a personal account, a
 * copy of the token sealed to this job go into the job data, so every later step (turn, export,
 * render polls, a /cancel of its render, /credits, /status) uses the same account and project, even
 * when the user logs out (or in) meanwhile.
 *
 * The shared account works on the conversation's project. A personal one works on the user's own
 * project in that conversation, keyed by conversation, user and a keyed fingerprint of the token: a
 * group's shared project stays everyone else's, one channel never sees another's, and a /login with
 * another token starts afresh instead of reaching for sessions its account does not own.
 */
import { NemoError } from '../nemo/errors.js';
import type { CredentialHandle } from '../nemo/types.js';
import type { JobContext } from './job-context.js';
import type { ConversationJobData } from './job-data.js';
import type { CoreServices } from './services.js';
import { jobAad, tokenVault } from './token-vault.js';

type VaultDeps = Parameters<typeof tokenVault>[0];

/** The session key of a user's own project in a conversation. */
export function personalSessionKey(conv: string, userId: string, fingerprint: string): string {
  return `${conv}~u:${userId}:${fingerprint}`;
}

/** The session key a job works on (the conversation's, for jobs queued before accounts were recorded). */
export function sessionKeyOf(data: Pick<ConversationJobData, 'conv' | 'sessionKey'>): string {
  return data.sessionKey ?? data.conv;
}

/** Decide the job's account once (one vault read) and record it in the job data. */
export async function chooseAccount(svc: CoreServices, ctx: JobContext): Promise<void> {
  if (ctx.data.account) return;
  const { conv, target, step } = ctx.data;
  const vault = tokenVault(svc);
  const token = vault && target.userId ? await vault.load(target.platform, target.userId) : undefined;
  if (step !== 'start') {
    // Queued by a version that did not record accounts and already under way: keep what it used
    // (the conversation's project; the user's own token only in their direct chat).
    if (vault && token && target.isDirect) await ctx.save({ account: 'personal', sessionKey: conv, personalToken: vault.seal(token, jobAad(ctx.id)) });
    else await ctx.save({ account: 'shared', sessionKey: conv });
    return;
  }
  if (!vault || !token || !target.userId) return ctx.save({ account: 'shared', sessionKey: conv });
  await ctx.save({
    account: 'personal',
    sessionKey: personalSessionKey(conv, target.userId, vault.fingerprint(token)),
    personalToken: vault.seal(token, jobAad(ctx.id)),
  });
}

/** The credential the job's recorded account stands for. */
export async function jobCredential(svc: CoreServices, jobId: string, data: ConversationJobData): Promise<CredentialHandle> {
  if (data.account !== 'personal') return svc.sessions.credential(data.conv);
  const token = data.personalToken ? tokenVault(svc)?.open(data.personalToken, jobAad(jobId)) : undefined;
  // Never fall back to another account: the job's project belongs to this one.
  if (!token) throw new NemoError({ kind: 'auth', message: 'the personal token kept for this job cannot be opened (TOKEN_ENCRYPTION_KEY changed or removed)' });
  return { credential: { token, anonymous: false } };
}

/** Whether the job's account still has to be set up before it can run (an anonymous token to acquire, a first session). */
export function needsConnecting(svc: CoreServices, data: ConversationJobData): Promise<boolean> {
  return svc.sessions.needsConnecting(data.account === 'personal' ? undefined : data.conv, sessionKeyOf(data), data.kind === 'turn');
}

/** The session key a user's next job in this conversation would work on (for /new). */
export async function userSessionKey(deps: VaultDeps, msg: { platform: string; userId: string; conversationKey: string }): Promise<string> {
  const vault = tokenVault(deps);
  const token = vault ? await vault.load(msg.platform, msg.userId) : undefined;
  return vault && token ? personalSessionKey(msg.conversationKey, msg.userId, vault.fingerprint(token)) : msg.conversationKey;
}

/** A finished job keeps no copy of a personal token (finished jobs stay in Redis for days). */
export async function forgetJobToken(ctx: JobContext): Promise<void> {
  if (ctx.data.personalToken) await ctx.save({ personalToken: undefined });
}
