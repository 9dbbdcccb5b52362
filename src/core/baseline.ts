/**
 * The project as it stood before a turn, kept beside the job (not in its data, which is rewritten on
 * every status change and should stay small). Used to describe what a silent edit changed.
 */
import { z } from 'zod';
import type { Draft } from '../nemo/types.js';
import { BASELINE_TTL_S } from './defaults.js';
import type { CoreServices } from './services.js';

const storedDraft = z.record(z.string(), z.unknown());

type BaselineDeps = Pick<CoreServices, 'redis' | 'keys'>;

/** Keep `draft` as job `jobId`'s baseline (an empty project keeps nothing). */
export async function saveBaseline(svc: BaselineDeps, jobId: string, draft: Draft | undefined): Promise<void> {
  const key = svc.keys.baseline(jobId);
  if (draft) await svc.redis.set(key, JSON.stringify(draft), 'EX', BASELINE_TTL_S);
  else await svc.redis.del(key);
}

/** The kept baseline; undefined when it was empty, expired or damaged (never a crash). */
export async function loadBaseline(svc: BaselineDeps, jobId: string): Promise<Draft | undefined> {
  const raw = await svc.redis.get(svc.keys.baseline(jobId));
  if (!raw) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = storedDraft.safeParse(value);
  return parsed.success ? (parsed.data as Draft) : undefined;
}

export async function forgetBaseline(svc: BaselineDeps, jobId: string): Promise<void> {
  await svc.redis.del(svc.keys.baseline(jobId));
}
