/**
 * zod schemas of every Nemo response `data`, and the one place that turns a mismatch into
 * `bad_response` with a log line.
 *
 * Why lenient: no real response from mega-api has ever been published (nemo-api.md §"No source
 * anywhere shows a captured real response"), so ids may be strings or numbers, numbers may arrive as
 * strings, and optional fields come and go between versions. We only insist on what we cannot work
 * without (a token, a session id, a render status).
 */
import { z } from 'zod';
import type { Logger } from '../log.js';
import { NemoError } from './errors.js';
import type { Endpoint } from './http.js';

/** Opaque id: `session_id` was shown as a long numeric string; accept a number too. */
const id = z.union([z.string().min(1), z.number()]).transform(String);
const num = z.union([z.number(), z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/).transform(Number)]);
const optId = id.nullish().transform((v) => v ?? undefined);
const optNum = num.nullish().transform((v) => v ?? undefined);
const optStr = z.string().nullish().transform((v) => v ?? undefined);

export const anonymousTokenSchema = z.object({
  token: z.string().min(1),
  user_id: optId,
  expires_at: z.union([z.string(), z.number()]).nullish().transform((v) => (v == null ? undefined : String(v))),
  credits: optNum,
});

export const sessionSchema = z.object({
  session_id: id,
  task_id: optId,
  user_id: optId,
});

export const claimSchema = z.object({
  claim_token: z.string().min(1),
  expires_in: optNum,
});

export const creditsSchema = z.object({
  available: num,
  frozen: optNum,
  total: optNum,
});

/** `draft` is passed back to the renderer exactly as received; a JSON string is decoded once. */
const draftSchema = z
  .union([z.record(z.string(), z.unknown()), z.string()])
  .nullish()
  .transform((v) => {
    if (typeof v !== 'string') return v ?? undefined;
    try {
      const parsed: unknown = JSON.parse(v);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  });

export const stateInnerSchema = z.object({
  draft: draftSchema,
  video_infos: z.array(z.unknown()).nullish().transform((v) => v ?? []),
  canvas_config: z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? undefined),
  generated_media: z.unknown().optional(),
});

export const stateSchema = z.object({
  session_id: optId,
  task_id: optId,
  user_id: optId,
  state: stateInnerSchema.nullish(),
});

export const uploadedItemSchema = z.object({
  filename: optStr,
  name: optStr,
  file_type: optStr,
  type: optStr,
  cdn_url: optStr,
  url: optStr,
  duration: optNum,
  width: optNum,
  height: optNum,
});

/** `data.files[]` (official) or `data.uploaded_files[]` (one auto-generated skill), or a bare array. */
export const uploadSchema = z.union([
  z.array(uploadedItemSchema),
  z.object({
    files: z.array(uploadedItemSchema).nullish(),
    uploaded_files: z.array(uploadedItemSchema).nullish(),
  }),
  z.null(),
]);

/** The render poll after `body.data ?? body`: outputUrl (v4.4/CLI) or output.url (S1) or output_url. */
export const renderPollSchema = z.object({
  id: optId,
  taskId: optId,
  task_id: optId,
  status: z.string().min(1),
  progress: optNum,
  outputUrl: optStr,
  output_url: optStr,
  output: z.object({ url: optStr }).nullish(),
  error: z
    .union([z.string(), z.object({ message: optStr }).passthrough()])
    .nullish()
    .transform((v) => (v == null ? undefined : typeof v === 'string' ? v : (v.message ?? JSON.stringify(v)))),
});

/** The render submit answer (only its status matters: `failed` counts as a failure). */
export const renderStartSchema = z
  .object({ id: optId, status: optStr, error: z.unknown().optional() })
  .nullish();

/**
 * Validate `data` or throw `bad_response`. The log line names the paths and issues, never values
 * (a malformed answer may carry a token we have not registered yet).
 */
export function parseData<S extends z.ZodType>(schema: S, data: unknown, endpoint: Endpoint, logger: Logger): z.output<S> {
  const res = schema.safeParse(data);
  if (res.success) return res.data;
  const issues = res.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const keys = typeof data === 'object' && data !== null ? Object.keys(data).slice(0, 20) : [typeof data];
  logger.warn({ endpoint, issues, keys }, 'nemo: unexpected response shape');
  throw new NemoError({
    kind: 'bad_response',
    message: `Nemo ${endpoint}: unexpected response shape (${issues.join('; ')})`,
    endpoint,
    details: { backendMessage: issues.join('; ') },
  });
}
