/**
 * The config schema: defaults, validation that lists every bad variable, and docs that match it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeConfigFields, ConfigError, coreConfigFields } from '../../src/config.js';
import { configFields, loadConfig } from '../../src/platforms/config.js';
import { telegramConfig } from '../../adapters/telegram/config.js';
import { discordConfig } from '../../adapters/discord/config.js';

const root = new URL('../../', import.meta.url);

describe('config', () => {
  it('has working defaults', () => {
    const cfg = loadConfig({});
    expect(cfg.ROLE).toBe('all');
    expect(cfg.NEMO_API_URL).toBe('https://mega-api-prod.nemovideo.ai');
    expect(cfg.NEMO_WEB_URL).toBe('https://nemovideo.com');
    expect(cfg.NEMO_SKILL_SOURCE).toBe('video-leonardo');
    expect(cfg.STILL_WORKING_INTERVAL_MS).toBe(120_000);
    expect(cfg.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
    expect(cfg.DISCORD_API_URL).toBe('https://discord.com/api');
    expect(cfg.AUTO_EXPORT).toBe(true);
    expect(cfg.NEMO_TOKEN).toBeUndefined();
  });

  it('parses values, strips trailing slashes and splits lists', () => {
    const cfg = loadConfig({ TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/', DISCORD_CHANNEL_IDS: '1, 2,,3', AUTO_EXPORT: 'false', TELEGRAM_MAX_UPLOAD_MB: '0.5' });
    expect(cfg.TELEGRAM_API_ROOT).toBe('http://127.0.0.1:8081');
    expect(cfg.DISCORD_CHANNEL_IDS).toEqual(['1', '2', '3']);
    expect(cfg.AUTO_EXPORT).toBe(false);
    expect(cfg.TELEGRAM_MAX_UPLOAD_MB).toBe(0.5);
  });

  it('lists every bad variable in one error', () => {
    let err: unknown;
    try {
      loadConfig({ ROLE: 'boss', WORKER_CONCURRENCY: 'many', NEMO_API_URL: 'ftp://x', QUEUE_PREFIX: 'a:b' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const name of ['ROLE', 'WORKER_CONCURRENCY', 'NEMO_API_URL', 'QUEUE_PREFIX']) expect(msg).toContain(name);
  });

  it('requires a webhook secret with a webhook URL', () => {
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/tg' })).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });

  it('documents every variable in the README and .env.example', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const example = readFileSync(new URL('.env.example', root), 'utf8');
    const missing = Object.keys(configFields).filter((k) => !readme.includes(`\`${k}\``) || !new RegExp(`^#? ?${k}=`, 'm').test(example));
    expect(missing).toEqual([]);
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });

  it('each platform supplies its own section; the core schema names no platform and imports no adapter', () => {
    expect(Object.keys(coreConfigFields).filter((k) => /TELEGRAM|DISCORD/.test(k))).toEqual([]);
    expect(Object.keys(telegramConfig.fields).every((k) => k.startsWith('TELEGRAM_'))).toBe(true);
    expect(Object.keys(discordConfig.fields).every((k) => k.startsWith('DISCORD_'))).toBe(true);
    expect(Object.keys(configFields)).toEqual([...Object.keys(coreConfigFields), ...Object.keys(telegramConfig.fields), ...Object.keys(discordConfig.fields)]);
    expect(readFileSync(new URL('src/config.ts', root), 'utf8')).not.toMatch(/from '[^']*adapters\//);
    expect(() => composeConfigFields([telegramConfig, { fields: { TELEGRAM_BOT_TOKEN: telegramConfig.fields.TELEGRAM_BOT_TOKEN! } }])).toThrow(/TELEGRAM_BOT_TOKEN is defined twice/);
  });
});
