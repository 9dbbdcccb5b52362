/**
 * `nemo-bot`: the command line (commander).
 *
 *   nemo-bot start    run the bot: ROLE=all|bot|worker and every setting from the environment / .env
 *   nemo-bot doctor   check a deployment: config, Redis, Nemo, Telegram, Discord, with fixes
 *   nemo-bot demo     the whole pipeline in this terminal, no accounts (source checkout)
 *   nemo-bot sim      the Nemo simulator alone (source checkout)
 *
 * `demo` and `sim` run the simulator (nemo-sim/) from source with tsx, a dev dependency: they work in a
 * source checkout (`npm ci && npx nemo-bot demo`) and in the Docker demo image, not in the production image.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';

/** The package root: this file is src/cli.ts in a checkout, dist/src/cli.js when built. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('nemo-bot: package.json not found');
}

const root = packageRoot();
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; description: string };

/** Run a TypeScript entry point of the source checkout in this process (through tsx). */
async function runSource(relative: string, what: string): Promise<void> {
  const file = path.join(root, relative);
  let register: (() => unknown) | undefined;
  try {
    ({ register } = (await import('tsx/esm/api')) as { register: () => unknown });
  } catch {
    register = undefined;
  }
  if (!existsSync(file) || !register) {
    console.error(
      `nemo-bot ${what} needs a source checkout with dev dependencies (git clone, then npm ci && npx nemo-bot ${what}).\n` +
        'The production image runs `start` and `doctor` only.',
    );
    process.exit(1);
  }
  register();
  await import(pathToFileURL(file).href);
}

const program = new Command('nemo-bot')
  .description(`${pkg.description}.\nSettings come from the environment and ./.env (see .env.example).`)
  .version(pkg.version)
  .showHelpAfterError();

program
  .command('start', { isDefault: true })
  .description('run the bot: platform adapters and/or the queue worker, as ROLE says')
  .addOption(new Option('--role <role>', 'override ROLE for this process').choices(['all', 'bot', 'worker']))
  .action(async (opts: { role?: string }) => {
    if (opts.role) process.env.ROLE = opts.role;
    await import('./main.js');
  });

program
  .command('doctor')
  .description('check a deployment (config, Redis, Nemo, Telegram, Discord) and print each fix; exit 1 on a problem')
  .action(async () => {
    const { runDoctor } = await import('./ops/doctor/index.js');
    const code = await runDoctor(process.stdout);
    // Keep-alive sockets of the HTTP clients would hold the process a few seconds: leave once printed.
    process.stdout.write('', () => process.exit(code));
  });

program
  .command('demo')
  .description('the whole pipeline in this terminal with the Nemo simulator: no accounts (source checkout)')
  .action(() => runSource('adapters/console/demo.ts', 'demo'));

program
  .command('sim')
  .description('the Nemo simulator alone, on SIM_PORT (default 4010) (source checkout)')
  .action(() => runSource('nemo-sim/cli.ts', 'sim'));

await program.parseAsync(process.argv);
