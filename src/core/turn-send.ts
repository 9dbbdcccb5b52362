/**
 * The right to POST a job's message to /run_sse, taken atomically in Redis. BullMQ can run one job
 * twice at once (a lock lost under load, a stalled-job check racing a slow worker); the job data
 * alone cannot stop both runs from sending, this key does: only the run holding it sends.
 */
import { randomUUID } from 'node:crypto';
import { BASELINE_TTL_S } from './defaults.js';
import type { StepDeps } from './job-context.js';
import type { CoreServices } from './services.js';

/** What this run holds: the token it took, if it took one. */
export interface SendGuard {
  token?: string;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** The token when this run may send; undefined when another run of the job already took it. */
export async function takeSend(svc: Pick<CoreServices, 'redis' | 'keys'>, jobId: string): Promise<string | undefined> {
  const token = randomUUID();
  return (await svc.redis.set(svc.keys.turnSend(jobId), token, 'EX', BASELINE_TTL_S, 'NX')) === 'OK' ? token : undefined;
}

/** The message surely did not run (refused before any stream): a later run may send it again. */
export async function releaseSend(d: StepDeps, guard: SendGuard): Promise<void> {
  if (guard.token) await d.svc.redis.eval(RELEASE, 1, d.svc.keys.turnSend(d.ctx.id), guard.token);
  guard.token = undefined;
  await d.ctx.save({ turnSentAt: undefined });
}
