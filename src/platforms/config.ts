/**
 * The full configuration: the core's schema (src/config.ts) plus the section of every platform in
 * the registry (adapters/<id>/config.ts). Composed here, where the registry lives, so the config
 * module never imports an adapter. Use `loadConfig` from here to read the environment.
 */
import { hkdfSync } from 'node:crypto';
import { z } from 'zod';
import { composeConfigFields, parseConfig, type Config, type ConfigSection } from '../config.js';
import { platforms } from './registry.js';

/** The sections of the built-in platforms (registered when the registry loads). */
const sections = (): ConfigSection[] => platforms().flatMap((p) => (p.config ? [p.config] : []));

/** Every variable nemo-bot reads, in order (core first, then each platform's): the docs are generated from it. */
export const configFields: Readonly<Record<string, z.ZodType>> = composeConfigFields(sections());
export const configSchema = z.object(configFields);

/** Parse `env` into a typed config, collecting every problem before failing. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cfg = parseConfig(env, sections());
  if (cfg.TOKEN_ENCRYPTION_KEY) return cfg;
  const derived = derivedTokenKey(cfg);
  return derived ? { ...cfg, TOKEN_ENCRYPTION_KEY: derived } : cfg;
}

/**
 * Without TOKEN_ENCRYPTION_KEY, /login still works: the key is derived (HKDF-SHA256) from the bot's
 * own platform token, the first platform in the registry that has one (Telegram's, else Discord's).
 * That secret lives in the deployment's environment, never in Redis, so a copy of Redis alone still
 * opens no user's token. Changing that bot token makes the stored logins unreadable (read as logged
 * out: users /login again); a configured key avoids that.
 */
function derivedTokenKey(cfg: Config): string | undefined {
  const seed = platforms().map((p) => p.secrets(cfg)[0]).find((s): s is string => Boolean(s));
  return seed ? Buffer.from(hkdfSync('sha256', seed, 'nemo-bot', 'nemo-bot:token-vault', 32)).toString('hex') : undefined;
}

/** The values that must never appear in logs (registered with the redactor at start-up): NEMO_TOKEN and every platform's secrets. */
export function configSecrets(cfg: Config): string[] {
  const all = [cfg.NEMO_TOKEN, cfg.TOKEN_ENCRYPTION_KEY, ...platforms().flatMap((p) => p.secrets(cfg))];
  return all.filter((s): s is string => typeof s === 'string' && s.length > 0);
}
