/**
 * zod schemas for what clients send the fake, with Discord's documented limits, so a payload Discord
 * would reject (too long, too many rows, a button without custom_id, a bad command name) is
 * rejected here too with 400 / code 50035 instead of passing silently.
 */
import { z } from 'zod';

const snowflake = z.string().regex(/^\d{5,20}$/, 'snowflake');

export const buttonSchema = z
  .object({
    type: z.literal(2),
    style: z.number().int().min(1).max(6),
    label: z.string().max(80).optional(),
    custom_id: z.string().min(1).max(100).optional(),
    url: z.string().url().optional(),
    disabled: z.boolean().optional(),
    emoji: z.unknown().optional(),
  })
  .refine((b) => (b.style === 5 ? Boolean(b.url) && !b.custom_id : Boolean(b.custom_id) && !b.url), {
    message: 'link buttons need url only; other buttons need custom_id only',
  });

export const actionRowSchema = z.object({
  type: z.literal(1),
  components: z.array(buttonSchema).min(1).max(5),
});

export const allowedMentionsSchema = z.object({
  parse: z.array(z.enum(['users', 'roles', 'everyone'])).optional(),
  users: z.array(snowflake).max(100).optional(),
  roles: z.array(snowflake).max(100).optional(),
  replied_user: z.boolean().optional(),
});

/** Body of create/edit message, interaction edits and follow-ups (JSON or payload_json). */
export const messageBodySchema = z.object({
  content: z.string().max(2000).optional(),
  allowed_mentions: allowedMentionsSchema.optional(),
  components: z.array(actionRowSchema).max(5).optional(),
  message_reference: z
    .object({
      message_id: snowflake,
      channel_id: snowflake.optional(),
      guild_id: snowflake.optional(),
      fail_if_not_exists: z.boolean().optional(),
      type: z.number().optional(),
    })
    .optional(),
  attachments: z
    .array(z.object({ id: z.union([z.number(), z.string()]), filename: z.string().optional(), description: z.string().optional() }))
    .max(10)
    .optional(),
  embeds: z.array(z.unknown()).max(10).optional(),
  flags: z.number().int().optional(),
  tts: z.boolean().optional(),
  nonce: z.union([z.string(), z.number()]).optional(),
});
export type MessageBody = z.infer<typeof messageBodySchema>;

export const interactionCallbackSchema = z.object({
  type: z.union([z.literal(1), z.literal(4), z.literal(5), z.literal(6), z.literal(7), z.literal(8), z.literal(9)]),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** Locales Discord accepts in *_localizations. */
export const DISCORD_LOCALES = [
  'id', 'da', 'de', 'en-GB', 'en-US', 'es-ES', 'es-419', 'fr', 'hr', 'it', 'lt', 'hu', 'nl', 'no', 'pl', 'pt-BR', 'ro', 'fi',
  'sv-SE', 'vi', 'tr', 'cs', 'el', 'bg', 'ru', 'uk', 'hi', 'th', 'zh-CN', 'ja', 'zh-TW', 'ko',
] as const;

const commandName = z.string().regex(/^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u, 'invalid command name').refine((n) => n === n.toLowerCase(), 'names must be lower case');
const localizedNames = z.partialRecord(z.enum(DISCORD_LOCALES), commandName).nullish();
const localizedDescriptions = z.partialRecord(z.enum(DISCORD_LOCALES), z.string().min(1).max(100)).nullish();

export const commandOptionSchema = z.object({
  type: z.number().int().min(1).max(11),
  name: commandName,
  description: z.string().min(1).max(100),
  required: z.boolean().optional(),
  name_localizations: localizedNames,
  description_localizations: localizedDescriptions,
  max_length: z.number().int().optional(),
  min_length: z.number().int().optional(),
  choices: z.array(z.unknown()).optional(),
});

export const commandSchema = z
  .object({
    type: z.number().int().min(1).max(4).optional(),
    name: commandName,
    description: z.string().min(1).max(100),
    name_localizations: localizedNames,
    description_localizations: localizedDescriptions,
    options: z.array(commandOptionSchema).max(25).optional(),
    contexts: z.array(z.number().int().min(0).max(2)).nullish(),
    integration_types: z.array(z.number().int()).optional(),
    default_member_permissions: z.string().nullish(),
    nsfw: z.boolean().optional(),
  })
  .refine(
    (c) => {
      const opts = c.options ?? [];
      const firstOptional = opts.findIndex((o) => !o.required);
      return firstOptional === -1 || opts.slice(firstOptional).every((o) => !o.required);
    },
    { message: 'required options must come before optional ones' },
  );

export const commandListSchema = z.array(commandSchema).max(100);

/** What IDENTIFY carries (op 2). */
export const identifySchema = z.object({
  token: z.string(),
  intents: z.number().int(),
  properties: z.record(z.string(), z.unknown()),
  shard: z.tuple([z.number().int(), z.number().int()]).optional(),
  large_threshold: z.number().optional(),
  compress: z.boolean().optional(),
  presence: z.unknown().optional(),
});

export const resumeSchema = z.object({ token: z.string(), session_id: z.string(), seq: z.number().int().nullable() });
