/**
 * `nemo-bot doctor`: everything a deployment needs, checked from where it will run, with the fix for
 * each problem. Exit code 0 when nothing fails (warnings allowed), 1 otherwise.
 */
import type { Writable } from 'node:stream';
import { ConfigError, loadDotEnv, type Config } from '../../config.js';
import { loadConfig, configSecrets } from '../../platforms/config.js';
import { registerSecret } from '../../log.js';
import { enabledPlatforms, enableHints } from '../../platforms/registry.js';
import { fail, formatChecklist, hasFailures, ok, type Section } from './checklist.js';
import { checkDiscord } from './discord.js';
import { checkFfmpeg } from './ffmpeg.js';
import { checkNemo } from './nemo.js';
import { checkRedis } from './redis.js';
import { checkTelegram } from './telegram.js';

export async function runDoctor(out: Writable, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const sections: Section[] = [
      { name: 'Configuration', items: err.problems.map((p) => fail(p, 'fix this variable in .env or the environment (every variable is described in .env.example)')) },
    ];
    out.write(`${formatChecklist(sections)}\n`);
    return 1;
  }
  for (const s of configSecrets(config)) registerSecret(s, { pinned: true });
  const [redis, nemo, telegram, discord, ffmpeg] = await Promise.all([checkRedis(config), checkNemo(config), checkTelegram(config), checkDiscord(config), checkFfmpeg(config)]);
  const platforms = config.ROLE === 'worker' || enabledPlatforms(config).length ? [] : [fail(`ROLE=${config.ROLE} but no platform token is set`, `set ${enableHints()} (or run this process with ROLE=worker)`)];
  const sections: Section[] = [
    { name: `Configuration (ROLE=${config.ROLE})`, items: [ok('every variable is valid'), ...platforms] },
    { name: 'Redis', items: redis },
    { name: 'Nemo', items: nemo },
    { name: 'Telegram', items: telegram },
    { name: 'Discord', items: discord },
    { name: 'Video thumbnails', items: ffmpeg },
  ];
  out.write(`${formatChecklist(sections)}\n`);
  return hasFailures(sections) ? 1 : 0;
}
