/**
 * The full configuration: the core's schema (src/config.ts) plus the section of every platform in
 * the registry (adapters/<id>/config.ts). Composed here, where the registry lives, so the config
 * module never imports an adapter. Use `loadConfig` from here to read the environment.
 */
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
  return parseConfig(env, sections());
}

/** The values that must never appear in logs (registered with the redactor at start-up): NEMO_TOKEN and every platform's secrets. */
export function configSecrets(cfg: Config): string[] {
  const all = [cfg.NEMO_TOKEN, cfg.TOKEN_ENCRYPTION_KEY, ...platforms().flatMap((p) => p.secrets(cfg))];
  return all.filter((s): s is string => typeof s === 'string' && s.length > 0);
}
