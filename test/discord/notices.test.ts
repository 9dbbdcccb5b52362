/**
 * Private notices and admin roles on Discord, end to end: fake Discord (gateway + REST, with
 * Discord's rules for deferred replies: the first follow-up edits "thinking…" and keeps its
 * visibility) ↔ real discord.js ↔ runtime on real Redis ↔ the Nemo simulator.
 * - an accepted /video's card is public; a refused /video (blocked word, paused queue, quota) is seen
 *   only by its user, and no public "thinking…" is left behind;
 * - DISCORD_ADMIN_ROLE_IDS: a member with such a role (no Manage Server) uses /admin; one without is
 *   refused ephemerally and changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDiscord, FakeUser, StoredMessage } from '../fakes/discord/index.js';
import { startDiscordStack, type DiscordStack } from './stack.js';

let stack: DiscordStack;
let fake: FakeDiscord;
let rita: FakeUser; // has the admin role, not Manage Server
let sam: FakeUser; // a plain member
let bob: FakeUser; // a plain member
let adminRole = '';

beforeAll(async () => {
  stack = await startDiscordStack('dc-notices', {
    env: (f) => {
      adminRole = f.addRole('Video admins'); // before the bot connects: it comes with GUILD_CREATE
      return { DISCORD_ADMIN_ROLE_IDS: `123,${adminRole}`, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    },
  });
  fake = stack.fake;
  rita = fake.addUser('rita');
  rita.roles = [adminRole];
  sam = fake.addUser('sam');
  bob = fake.addUser('bob');
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

const channel = () => fake.channels.general;
/** The bot's messages in the channel as `user` sees them. */
const seenBy = (user: FakeUser, re: RegExp) => fake.store.visibleTo(channel(), user.id).filter((m) => m.author.id === fake.bot.id && re.test(m.content));
/** Every bot message in the channel (whoever may see it) matching `re`. */
const anyBot = (re: RegExp) => fake.botMessages(channel()).filter((m) => re.test(m.content));

/** Run a slash command and wait for the bot's answer matching `re`; returns it and the interaction. */
async function slash(user: FakeUser, name: string, options: Record<string, string>, re: RegExp): Promise<{ answer: StoredMessage; original?: string }> {
  const before = new Set(anyBot(re).map((m) => m.id));
  const ix = fake.pushSlashCommand({ channelId: channel(), name, user, options });
  const answer = await fake.waitFor(() => anyBot(re).find((m) => !before.has(m.id)), 10_000, `the answer to /${name}`);
  return { answer, original: fake.interaction(ix.id)?.originalMessageId };
}

/** Only `user` sees `m`; the deferred "thinking…" of its command is gone. */
function onlyFor(user: FakeUser, m: StoredMessage, original: string | undefined): void {
  expect(m.flags & 64).toBe(64);
  for (const other of [fake.alice, bob, sam, rita].filter((u) => u.id !== user.id)) expect(seenBy(other, /./).map((x) => x.id)).not.toContain(m.id);
  expect(seenBy(user, /./).map((x) => x.id)).toContain(m.id);
  const thinking = original ? fake.world.messages.get(original) : undefined;
  expect(thinking === undefined || thinking.deleted || thinking.id === m.id).toBe(true);
}

describe('Discord admin roles (DISCORD_ADMIN_ROLE_IDS)', () => {
  it('a member with an admin role but no Manage Server sets a quota with /admin', async () => {
    const { answer, original } = await slash(rita, 'admin', { settings: 'quota 3' }, /Daily generations per user: 3/);
    expect(answer.content).toContain('✅ Saved.');
    onlyFor(rita, answer, original); // /admin answers privately
  }, 20_000);

  it('a member without the role is refused ephemerally, and the setting is unchanged', async () => {
    const { answer, original } = await slash(sam, 'admin', { settings: 'quota 9' }, /Only server or chat admins/);
    onlyFor(sam, answer, original);
    const { answer: shown } = await slash(rita, 'admin', {}, /⚙️ Settings here/);
    expect(shown.content).toContain('Daily generations per user: 3');
  }, 20_000);
});

describe('Discord private notices for slash commands', () => {
  it('an accepted /video shows its card to everyone', async () => {
    const { answer, original } = await slash(fake.alice, 'video', { prompt: 'make a video of a cat on a sofa' }, /cat on a sofa/);
    expect(answer.id).toBe(original); // the deferred reply became the card
    expect(answer.flags & 64).toBe(0);
    for (const u of [bob, sam, rita]) expect(seenBy(u, /cat on a sofa/).map((m) => m.id)).toContain(answer.id);
  }, 20_000);

  it('a /video with a blocked word is refused only to its user; Nemo is not asked', async () => {
    await slash(rita, 'admin', { settings: 'block dragon' }, /Blocked: dragon/);
    const turns = stack.sim.requestsTo('run_sse').length;
    const { answer, original } = await slash(bob, 'video', { prompt: 'make a video of a dragon' }, /not allowed here/);
    onlyFor(bob, answer, original);
    expect(seenBy(fake.alice, /not allowed here|thinking/)).toHaveLength(0);
    expect(stack.sim.requestsTo('run_sse').length).toBe(turns);
  }, 20_000);

  it('a paused queue and a reached quota are told only to the user', async () => {
    await slash(rita, 'admin', { settings: 'pause' }, /Queue: ⏸️ paused/);
    const paused = await slash(bob, 'video', { prompt: 'make a video of a harbour' }, /paused the bot here/);
    onlyFor(bob, paused.answer, paused.original);
    await slash(rita, 'admin', { settings: 'resume' }, /Queue: running/);

    await slash(rita, 'admin', { settings: 'quota 1' }, /Daily generations per user: 1/);
    const quota = await slash(fake.alice, 'video', { prompt: 'make a video of a lighthouse' }, /used your 1 generations/);
    onlyFor(fake.alice, quota.answer, quota.original);
  }, 20_000);
});
