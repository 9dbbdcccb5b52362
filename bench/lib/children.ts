/**
 * Child processes for benchmarks: the product (`src/main.ts`, like `npm start`), the Nemo simulator
 * (`npm run sim`) and helper clients, each in its own process so the figures of one side are not
 * mixed with another's CPU or memory. Their stderr is kept (last lines) for a useful crash message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX_LOADER = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

export interface Child {
  proc: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** The last ~50 lines of stderr. */
  stderrTail(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Run a TypeScript file (relative to the repository root) under tsx with `env` added to ours. */
export function spawnTs(file: string, env: Record<string, string>, opts: { nodeArgs?: string[] } = {}): Child {
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', TSX_LOADER, path.join(ROOT, file)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const err: string[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err.push(...c.split('\n'));
    if (err.length > 50) err.splice(0, err.length - 50);
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    stdout: () => out,
    stderrTail: () => err.join('\n'),
    exited,
    async stop(graceMs = 5_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Poll `fn` until it returns something truthy; throws `what` after `ms`. */
export async function waitUntil<T>(fn: () => T | undefined | null | false, ms: number, what: string, child?: Child): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (child && child.proc.exitCode !== null) throw new Error(`${what}: the child exited (${child.proc.exitCode}):\n${child.stderrTail()}`);
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${child ? `\n${child.stderrTail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** CPU seconds (user + system) a process has used so far; undefined where /proc is not available. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line (11 and 12 after the command name).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Start the Nemo simulator in its own process (`npm run sim`) on a free port; resolves with its URL.
 * `env` takes the simulator's SIM_* variables (unset SIM_TURN_MS: every generation takes 30-90 s).
 */
export async function startSimChild(env: Record<string, string> = {}): Promise<{ child: Child; url: string }> {
  const child = spawnTs('nemo-sim/cli.ts', { SIM_PORT: '0', LOG_LEVEL: 'info', ...env });
  const url = await waitUntil(() => /"url":"(http:\/\/[^"]+)"/.exec(child.stdout())?.[1], 20_000, 'the Nemo simulator to listen', child);
  return { child, url };
}
