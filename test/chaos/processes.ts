/**
 * Child processes of the chaos run: a pool with one active worker and one warm standby (a kill
 * promotes the standby and warms a new one), and bot processes. Every child is SIGKILLed at the end.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const BOT = fileURLToPath(new URL('./bot.ts', import.meta.url));

function spawnChild(entry: string, env: Record<string, string>, all: Set<ChildProcess>): { child: ChildProcess; first: Promise<void> } {
  const child = fork(entry, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  all.add(child);
  child.once('exit', () => all.delete(child));
  const first = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code, signal) => reject(new Error(`child exited early (${code ?? signal})`)));
  });
  first.catch(() => undefined);
  return { child, first };
}

export function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export class WorkerPool {
  private readonly all = new Set<ChildProcess>();
  private active: ChildProcess | undefined;
  /** Loaded workers waiting for `go`: a cold start takes seconds on a busy machine, so a few stay warm. */
  private readonly standby: Array<{ child: ChildProcess; first: Promise<void> }> = [];

  constructor(
    private readonly env: Record<string, string>,
    private readonly warm = 2,
  ) {}

  /** Start the first worker (and warm the standbys). */
  async start(): Promise<void> {
    await this.promote();
  }

  /** SIGKILL the active worker and promote a standby; resolves once the new worker runs. */
  async killActive(): Promise<void> {
    if (this.active) await sigkill(this.active);
    await this.promote();
  }

  private async promote(): Promise<void> {
    while (this.standby.length < this.warm + 1) this.standby.push(spawnChild(WORKER, this.env, this.all));
    const next = this.standby.shift()!;
    await next.first; // loaded
    const ready = new Promise<void>((r) => next.child.once('message', () => r()));
    next.child.send('go');
    await ready;
    this.active = next.child;
  }

  /** A bot process (ingress only), ready to take messages. */
  async bot(): Promise<ChildProcess> {
    const b = spawnChild(BOT, this.env, this.all);
    await b.first;
    return b.child;
  }

  async close(): Promise<void> {
    await Promise.all([...this.all].map(sigkill));
  }
}
