/**
 * One Nemo session per conversation (and per logged-in user in it: account.ts), and the credential
 * it runs under, kept in Redis. Methods take the session key a job works on (`conv` for the
 * conversation's own project).
 *
 * With NEMO_TOKEN set every conversation shares that token; without it each conversation gets its
 * own anonymous token and persisted client id, so a 2001 can show that conversation's own
 * registration link and an expired token is renewed with the same client id.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { registerSecret } from '../log.js';
import type { CredentialHandle, NemoApi, NemoCredential } from '../nemo/types.js';
import type { Keys } from './keys.js';

export interface SessionRecord {
  sessionId: string;
  taskId?: string;
  /** `anon_…` id (registration link) when the backend told us. */
  userId?: string;
  lang: string;
  createdAt: number;
  lastRenderId?: string;
  lastVideoUrl?: string;
  lastDeliveredAt?: number;
  lastPrompt?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly nemo: NemoApi,
    private readonly opts: { nemoToken?: string; defaultLanguage: string },
  ) {}

  /** The conversation's session; none when there is no session id (a damaged optional field reads as unset). */
  async get(conv: string): Promise<SessionRecord | undefined> {
    const h = sessionHash.safeParse(await this.redis.hgetall(this.keys.session(conv)));
    if (!h.success) return undefined;
    return { ...h.data, lang: h.data.lang ?? this.opts.defaultLanguage };
  }

  async update(conv: string, fields: Partial<SessionRecord>): Promise<void> {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) flat[k] = String(v);
    if (Object.keys(flat).length) await this.redis.hset(this.keys.session(conv), flat);
  }

  /**
   * Whether this job has to connect first (the skill's "Connecting…" moment): no token yet for the
   * conversation `credentialConv` (undefined: the job brings its own, a personal one), or (for work
   * on the project) no session yet under `sessionKey`.
   */
  async needsConnecting(credentialConv: string | undefined, sessionKey: string, needsSession: boolean): Promise<boolean> {
    if (credentialConv !== undefined && !this.opts.nemoToken && !(await this.redis.hget(this.keys.credential(credentialConv), 'token'))) return true;
    return needsSession && !(await this.redis.hget(this.keys.session(sessionKey), 'sessionId'));
  }

  /** Forget the conversation's project (`/new`, or after 1002); the credential stays. */
  async reset(conv: string): Promise<void> {
    await this.redis.del(this.keys.session(conv));
  }

  /**
   * The session for `conv`, created when missing. Callers hold the conversation's line, so two
   * creations for one conversation cannot race.
   */
  async ensure(conv: string, lang: string, auth: CredentialHandle): Promise<SessionRecord> {
    const existing = await this.get(conv);
    if (existing) return existing;
    const created = await this.nemo.createSession(auth, { language: lang });
    const rec: SessionRecord = {
      sessionId: created.sessionId,
      taskId: created.taskId,
      userId: created.userId ?? auth.credential.userId,
      lang,
      createdAt: Date.now(),
    };
    await this.update(conv, rec);
    return rec;
  }

  /** The credential for `conv`: NEMO_TOKEN, or this conversation's anonymous token (acquired once). */
  async credential(conv: string): Promise<CredentialHandle> {
    if (this.opts.nemoToken) return { credential: { token: this.opts.nemoToken, anonymous: false } };
    const key = this.keys.credential(conv);
    const save = async (c: NemoCredential) => {
      registerSecret(c.token);
      await this.redis.hset(key, toHash(c));
    };
    for (let attempt = 0; attempt < 100; attempt++) {
      const stored = fromHash(await this.redis.hgetall(key));
      if (stored) {
        registerSecret(stored.token);
        return { credential: stored, save };
      }
      // One process acquires; the others wait for it (a token per client id per 7 days is the limit).
      const lock = await this.redis.set(this.keys.credentialLock(conv), '1', 'PX', 30_000, 'NX');
      if (lock === 'OK') {
        try {
          const clientId = (await this.redis.hget(key, 'clientId')) || `nemo-bot-${randomUUID()}`;
          await this.redis.hset(key, 'clientId', clientId);
          const cred = await this.nemo.acquireAnonymousToken(clientId);
          await save(cred);
          return { credential: cred, save };
        } finally {
          await this.redis.del(this.keys.credentialLock(conv));
        }
      }
      await sleep(100);
    }
    throw new Error('timed out waiting for another process to acquire the anonymous token');
  }
}

function toHash(c: NemoCredential): Record<string, string> {
  const h: Record<string, string> = { token: c.token, anonymous: c.anonymous ? '1' : '0' };
  if (c.clientId) h.clientId = c.clientId;
  if (c.userId) h.userId = c.userId;
  if (c.expiresAt) h.expiresAt = c.expiresAt;
  return h;
}

function fromHash(h: Record<string, string>): NemoCredential | undefined {
  const parsed = credentialHash.safeParse(h);
  return parsed.success ? parsed.data : undefined;
}

// ---- the hashes as read back from Redis (every field a string; '' and damaged optional ones read as unset)
const text = () => z.string().optional().transform((v) => v || undefined);
const num = () =>
  z
    .string()
    .optional()
    .transform((v) => (v ? Number(v) : undefined))
    .pipe(z.number().finite().optional())
    .catch(undefined);

const sessionHash = z.object({
  sessionId: z.string().min(1),
  taskId: text(),
  userId: text(),
  lang: text(),
  createdAt: num().transform((v) => v ?? 0),
  lastRenderId: text(),
  lastVideoUrl: text(),
  lastDeliveredAt: num(),
  lastPrompt: text(),
});

const credentialHash = z.object({
  token: z.string().min(1),
  anonymous: z.string().optional().transform((v) => v !== '0'),
  clientId: text(),
  userId: text(),
  expiresAt: text(),
});
