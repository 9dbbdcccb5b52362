/**
 * Users' own Nemo tokens (/login), encrypted at rest with AES-256-GCM under TOKEN_ENCRYPTION_KEY.
 *
 * Each value has a fresh 96-bit IV and is bound to its owner (platform + user id as additional
 * authenticated data), so a ciphertext copied to another user's key fails to open instead of lending
 * them the token. A job that runs under a personal account keeps its own sealed copy (bound to the
 * job id), so a /logout while it runs does not change the account under it. Every token read or
 * written is registered with the log scrubber; a value that does not parse or authenticate is
 * treated as absent.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { registerSecret } from '../log.js';
import type { Keys } from './keys.js';

export const sealedTokenSchema = z.object({ v: z.literal(1), iv: z.string(), tag: z.string(), data: z.string() });
/** A token encrypted under the vault's key for one purpose (a user's slot, or one job). */
export type SealedToken = z.infer<typeof sealedTokenSchema>;

/** What a Nemo token looks like: one word of token characters (e.g. `nmv_usr_…`). */
export const personalTokenSchema = z.string().regex(/^[A-Za-z0-9._~+/=-]{16,512}$/);

/** The 32-byte key from its configured form (64 hex characters or base64). */
export function parseEncryptionKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('TOKEN_ENCRYPTION_KEY must be 32 bytes');
  return key;
}

export class TokenVault {
  private readonly key: Buffer;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    encryptionKey: string,
  ) {
    this.key = parseEncryptionKey(encryptionKey);
  }

  async save(platform: string, userId: string, token: string): Promise<void> {
    await this.redis.set(this.keys.userToken(platform, userId), JSON.stringify(this.seal(token, userAad(platform, userId))));
  }

  async load(platform: string, userId: string): Promise<string | undefined> {
    const raw = await this.redis.get(this.keys.userToken(platform, userId));
    if (!raw) return undefined;
    try {
      return this.open(JSON.parse(raw), userAad(platform, userId));
    } catch {
      return undefined;
    }
  }

  /** Forget the user's token; true when there was one. */
  async forget(platform: string, userId: string): Promise<boolean> {
    return (await this.redis.del(this.keys.userToken(platform, userId))) > 0;
  }

  /** Encrypt `token`, bound to `context` (it opens only with the same context). */
  seal(token: string, context: string): SealedToken {
    registerSecret(token);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  }

  /** The token sealed under `context`, or undefined when the value is damaged, tampered with, or written under another key or context. */
  open(sealed: unknown, context: string): string | undefined {
    try {
      const v = sealedTokenSchema.parse(sealed);
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(v.iv, 'base64'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(v.tag, 'base64'));
      const token = Buffer.concat([decipher.update(Buffer.from(v.data, 'base64')), decipher.final()]).toString('utf8');
      registerSecret(token);
      return token;
    } catch {
      return undefined;
    }
  }

  /**
   * A short keyed fingerprint of a token (HMAC under a key derived from the vault's): names the
   * token's own Nemo sessions, so a new /login with another token starts new projects, without the
   * token itself (or a plain hash of it) ever appearing in a key.
   */
  fingerprint(token: string): string {
    const sub = createHmac('sha256', this.key).update('nemo-bot:fingerprint-key').digest();
    return createHmac('sha256', sub).update(token, 'utf8').digest('base64url').slice(0, 16);
  }
}

function userAad(platform: string, userId: string): string {
  return `nemo-bot:token:${platform}:${userId}`;
}

/** What a job's own sealed copy of a personal token is bound to. */
export function jobAad(jobId: string): string {
  return `nemo-bot:job-token:${jobId}`;
}

/** The vault, when TOKEN_ENCRYPTION_KEY is configured. */
export function tokenVault(deps: { redis: Redis; keys: Keys; config: { TOKEN_ENCRYPTION_KEY?: string } }): TokenVault | undefined {
  return deps.config.TOKEN_ENCRYPTION_KEY ? new TokenVault(deps.redis, deps.keys, deps.config.TOKEN_ENCRYPTION_KEY) : undefined;
}
