/**
 * Personal tokens at rest (real Redis): AES-256-GCM, bound to their owner, never stored in clear,
 * a tampered or foreign value treated as absent, and every token registered with the log scrubber.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Keys } from '../../src/core/keys.js';
import { jobAad, TokenVault } from '../../src/core/token-vault.js';
import { scrub } from '../../src/log.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../helpers/common.js';

const prefix = uniquePrefix('vault');
const redis = new Redis(REDIS_URL);
const keys = new Keys(prefix);
const vault = new TokenVault(redis, keys, randomBytes(32).toString('hex'));
const TOKEN = 'nmv_usr_vault_test_token_abcdef';

afterAll(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

describe('token vault', () => {
  it('round-trips, stores no clear text, and scrubs the token from logs', async () => {
    await vault.save('telegram', '42', TOKEN);
    const raw = (await redis.get(keys.userToken('telegram', '42')))!;
    expect(raw).not.toContain(TOKEN);
    expect(await vault.load('telegram', '42')).toBe(TOKEN);
    expect(scrub(`calling with ${TOKEN}`)).not.toContain(TOKEN);
  });

  it('refuses a value copied to another user, a tampered one, and one under another key', async () => {
    const raw = (await redis.get(keys.userToken('telegram', '42')))!;
    await redis.set(keys.userToken('telegram', '43'), raw);
    expect(await vault.load('telegram', '43')).toBeUndefined();
    const v = JSON.parse(raw) as { data: string };
    const flipped = Buffer.from(v.data, 'base64');
    flipped[0]! ^= 1;
    await redis.set(keys.userToken('telegram', '44'), JSON.stringify({ ...v, data: flipped.toString('base64') }));
    expect(await vault.load('telegram', '44')).toBeUndefined();
    expect(await new TokenVault(redis, keys, randomBytes(32).toString('base64')).load('telegram', '42')).toBeUndefined();
    expect(await vault.forget('telegram', '42')).toBe(true);
    expect(await vault.load('telegram', '42')).toBeUndefined();
  });

  it("a job's sealed copy opens only for that job and under the same key; the fingerprint names a token without revealing it", () => {
    const sealed = vault.seal(TOKEN, jobAad('m-telegram-aaa'));
    expect(JSON.stringify(sealed)).not.toContain(TOKEN);
    expect(vault.open(sealed, jobAad('m-telegram-aaa'))).toBe(TOKEN);
    expect(vault.open(sealed, jobAad('m-telegram-bbb'))).toBeUndefined();
    expect(vault.open({ ...sealed, tag: Buffer.alloc(16).toString('base64') }, jobAad('m-telegram-aaa'))).toBeUndefined();
    expect(vault.open('not even an object', jobAad('m-telegram-aaa'))).toBeUndefined();
    expect(new TokenVault(redis, keys, randomBytes(32).toString('hex')).open(sealed, jobAad('m-telegram-aaa'))).toBeUndefined();
    const fp = vault.fingerprint(TOKEN);
    expect(fp).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(vault.fingerprint(TOKEN)).toBe(fp);
    expect(vault.fingerprint(`${TOKEN}x`)).not.toBe(fp);
    expect(new TokenVault(redis, keys, randomBytes(32).toString('hex')).fingerprint(TOKEN)).not.toBe(fp);
  });
});
