/**
 * Secrets never reach a log line: messages, fields, URLs, error messages, stacks and cause chains.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, MAX_RUNTIME_SECRETS, registerSecret, scrub, secretSetSize } from '../../src/log.js';
// The platforms' token shapes come with their registration (PlatformAdapter.tokenPatterns).
import { registerPlatform } from '../../src/platforms/registry.js';

const NEMO = 'nmv_usr_9f8e7d6c5b4a39281706';
const TELEGRAM = '7712345678:AAHk-SECRET_telegram_token_value_0123';
const DISCORD = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.secretDiscordTokenPartThatIsLong_123';
const CUSTOM = 'plain-secret-webhook-value';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, log: createLogger({ level: 'trace', destination }) };
}

describe('log redaction', () => {
  it('scrubs token shapes and registered secrets from strings', () => {
    registerSecret(CUSTOM);
    const s = scrub(`Bearer ${NEMO} https://api.telegram.org/bot${TELEGRAM}/getMe Bot ${DISCORD} ${CUSTOM} ${encodeURIComponent(CUSTOM)}`);
    for (const secret of [NEMO, TELEGRAM, DISCORD, CUSTOM]) expect(s).not.toContain(secret);
    expect(s).toContain('https://api.telegram.org/bot[redacted]/getMe');
  });

  it('the exact-secret set stays bounded: token-shaped values are left to the patterns, the rest is an LRU; config secrets stay', () => {
    registerSecret('pinned-config-secret-value', { pinned: true });
    const start = secretSetSize();
    for (let i = 0; i < 5_000; i++) {
      registerSecret(`nmv_usr_anon_${i.toString(16).padStart(24, '0')}`);
      registerSecret(`nemo-bot-0000${i.toString(16).padStart(4, '0')}-1111-2222-3333-444455556666`);
      registerSecret(`clm_${i.toString(16).padStart(12, '0')}`);
    }
    expect(secretSetSize()).toBe(start); // all token-shaped: scrubbed by pattern, not stored
    expect(scrub('nmv_usr_anon_000000000000000000000001 nemo-bot-00000001-1111-2222-3333-444455556666 clm_000000000001')).toBe('[redacted] [redacted] [redacted]');
    for (let i = 0; i < 5_000; i++) registerSecret(`odd-shaped-${i}`);
    expect(secretSetSize()).toBeLessThanOrEqual(start + MAX_RUNTIME_SECRETS);
    expect(scrub('odd-shaped-4999 and pinned-config-secret-value')).toBe('[redacted] and [redacted]'); // the newest and the pinned are kept
  });

  it('scrubs the token shape a registered platform states', () => {
    const token = 'hc_live_0123456789abcdef';
    expect(scrub(`x ${token} y`)).toContain(token);
    registerPlatform({ id: 'log-test', enabled: () => false, secrets: () => [], tokenPatterns: [/\bhc_live_[a-z0-9]{12,}\b/g], createOutbox: () => { throw new Error('unused'); }, start: () => Promise.reject(new Error('unused')) });
    expect(scrub(`x ${token} y`)).toBe('x [redacted] y');
  });

  it('keeps secrets out of messages, fields, errors, stacks and causes', () => {
    registerSecret(CUSTOM);
    const { lines, log } = capture();
    const cause = new Error(`inner failure for ${TELEGRAM}`);
    const err = Object.assign(new Error(`request to https://x/bot${TELEGRAM}/sendVideo failed with ${NEMO}`, { cause }), {
      url: `https://x/bot${TELEGRAM}/sendVideo`,
      requestBody: { files: [{ data: Buffer.from('video bytes') }], token: DISCORD },
      headers: { authorization: `Bot ${DISCORD}` },
    });
    log.error({ err, headers: { authorization: `Bearer ${NEMO}` }, token: NEMO, nested: { secret: CUSTOM, note: `with ${DISCORD}` } }, `failed for ${NEMO}`);
    log.info(`plain message ${TELEGRAM}`);
    log.debug({ url: `https://api.telegram.org/file/bot${TELEGRAM}/photos/1.jpg` }, 'download');
    const out = lines.join('\n');
    expect(out).toContain('failed for');
    expect(out).toContain('inner failure');
    expect(out).toContain('"stack"');
    for (const secret of [NEMO, TELEGRAM, DISCORD, CUSTOM]) expect(out).not.toContain(secret);
    expect(out).not.toContain('video bytes');
  });
});
