/**
 * A JSON value read back from Redis, checked with its zod schema. Missing, unparsable or not the
 * expected shape all read as `undefined`: a damaged value is treated as absent, never trusted and
 * never a crash deep in a caller.
 */
import type { z } from 'zod';

export function readStoredJson<S extends z.ZodTypeAny>(raw: string | null | undefined, schema: S): z.output<S> | undefined {
  if (!raw) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
