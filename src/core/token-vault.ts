/**
 * Users' own Nemo tokens (/login), encrypted at rest with AES-256-GCM under TOKEN_ENCRYPTION_KEY.
 *
 * Each value has a fresh 96-bit IV and is bound to its owner (platform + user id as additional
 * authenticated data), so a ciphertext copied to another user's key fails to open instead of lending
 * them the token. Every token read or written is registered with the log scrubber; a value that does
 * not parse or authenticate is treated as absent.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { registerSecret } from '../log.js';
import type { Keys } from './keys.js';

const stored = z.object({ v: z.literal(1), iv: z.string(), tag: z.string(), data: z.string() });

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
    registerSecret(token);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aad(platform, userId));
    const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    const value = { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    await this.redis.set(this.keys.userToken(platform, userId), JSON.stringify(value));
  }

  async load(platform: string, userId: string): Promise<string | undefined> {
    const raw = await this.redis.get(this.keys.userToken(platform, userId));
    if (!raw) return undefined;
    try {
      const v = stored.parse(JSON.parse(raw));
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(v.iv, 'base64'));
      decipher.setAAD(aad(platform, userId));
      decipher.setAuthTag(Buffer.from(v.tag, 'base64'));
      const token = Buffer.concat([decipher.update(Buffer.from(v.data, 'base64')), decipher.final()]).toString('utf8');
      registerSecret(token);
      return token;
    } catch {
      return undefined; // damaged, tampered with, or written under another key
    }
  }

  /** Forget the user's token; true when there was one. */
  async forget(platform: string, userId: string): Promise<boolean> {
    return (await this.redis.del(this.keys.userToken(platform, userId))) > 0;
  }
}

function aad(platform: string, userId: string): Buffer {
  return Buffer.from(`nemo-bot:token:${platform}:${userId}`, 'utf8');
}

/** The vault, when TOKEN_ENCRYPTION_KEY is configured. */
export function tokenVault(deps: { redis: Redis; keys: Keys; config: { TOKEN_ENCRYPTION_KEY?: string } }): TokenVault | undefined {
  return deps.config.TOKEN_ENCRYPTION_KEY ? new TokenVault(deps.redis, deps.keys, deps.config.TOKEN_ENCRYPTION_KEY) : undefined;
}
