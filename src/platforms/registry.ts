/**
 * The platform registry: one line per platform. Adding a platform is one adapter folder with a
 * `platform.ts` (a `PlatformAdapter`) and one line here (see README "Adding a platform").
 */
import { consolePlatform } from '../../adapters/console/platform.js';
import { discordPlatform } from '../../adapters/discord/platform.js';
import { telegramPlatform } from '../../adapters/telegram/platform.js';
import { registerTokenPattern } from '../log.js';
import { assertPlatformId, type PlatformAdapter } from './port.js';

const registry = new Map<string, PlatformAdapter>();

/** Add a platform (the built-in ones below; tests add their own). A second one with the same id is refused. */
export function registerPlatform(platform: PlatformAdapter): void {
  assertPlatformId(platform.id);
  const known = registry.get(platform.id);
  if (known && known !== platform) throw new Error(`platform "${platform.id}" is already registered`);
  registry.set(platform.id, platform);
  for (const re of platform.tokenPatterns ?? []) registerTokenPattern(re);
}

registerPlatform(telegramPlatform);
registerPlatform(discordPlatform);
registerPlatform(consolePlatform);

/** Every registered platform. */
export function platforms(): PlatformAdapter[] {
  return [...registry.values()];
}

/** The platforms this deployment enables (by its config). */
export function enabledPlatforms(config: Parameters<PlatformAdapter['enabled']>[0]): PlatformAdapter[] {
  return platforms().filter((p) => p.enabled(config));
}

export function platformById(id: string): PlatformAdapter | undefined {
  return registry.get(id);
}

/** What to set to enable a platform, e.g. "TELEGRAM_BOT_TOKEN and/or DISCORD_TOKEN" (shown when none is). */
export function enableHints(): string {
  return platforms()
    .flatMap((p) => (p.enableHint ? [p.enableHint] : []))
    .join(' and/or ');
}
