/**
 * Starting nemo-bot the way a deployment does (`src/main.ts`, settings from the environment only),
 * for the benchmarks and the scale tests that drive the product from outside.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

/** Run a TypeScript entry point under tsx with `env` on top of a clean environment (PATH and HOME only). */
export function spawnTs(entry: string, env: Record<string, string>, opts: { inheritOutput?: boolean; nodeArgs?: string[] } = {}): ChildProcess {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  return spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', TSX, entry], {
    env: { ...base, ...env },
    stdio: ['ignore', opts.inheritOutput ? 'inherit' : 'pipe', 'inherit'],
  });
}

/** `npm start` with only the given settings (every other setting at its default). */
export function startBot(env: Record<string, string>, opts: { nodeArgs?: string[] } = {}): ChildProcess {
  return spawnTs(MAIN, env, { inheritOutput: true, nodeArgs: opts.nodeArgs });
}

/** Stop a child and wait for it to exit (SIGKILL after `graceMs`). */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` every `everyMs` until it returns something truthy; throws after `ms`. */
export async function waitUntil<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms: number, what: string, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
