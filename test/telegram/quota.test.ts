/**
 * The daily quota counts a generation when it is queued and gives it back when the job is cancelled
 * before it started: a member who cancels a waiting job may still ask for that generation today.
 * Driven from Telegram group messages through the real bot, runtime and simulator.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { groupChat, makeUser } from '../fakes/telegram/index.js';
import { startTelegramStack, type TelegramStack } from './stack.js';

let stack: TelegramStack;
const group = groupChat(-8300);
const lead = makeUser('Lea', { id: 8301, language_code: 'en' });
const member = makeUser('Mo', { id: 8302, language_code: 'en' });

beforeAll(async () => {
  // Slow turns, so a second job in the group waits in line behind the first.
  stack = await startTelegramStack('tg-quota', { sim: { turnMs: 4_000 } });
  stack.fake.chats.admins.set(group.id, new Set([lead.id]));
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

it('a job cancelled while it waits gives its generation back to the daily quota', async () => {
  const { fake, sim } = stack;
  const say = (from: typeof lead, text: string) => fake.userText({ chat: group, from, text });
  const posted = (re: RegExp) => fake.sent(group.id).filter((m) => re.test(m.text ?? m.caption ?? ''));
  const waitPosted = (re: RegExp, what: string) => fake.waitFor(() => posted(re).at(-1), 20_000, what);

  say(lead, '/admin quota 1');
  await waitPosted(/Daily generations per user: 1/, 'the quota setting');

  say(lead, '@nemo_test_bot make a video of a lighthouse at dusk');
  await fake.waitFor(() => sim.requestsTo('run_sse').length === 1 || undefined, 20_000, 'the lead’s turn to reach Nemo');
  say(member, '@nemo_test_bot make a video of a paper boat');
  await waitPosted(/paper boat/, 'the member’s acknowledgement');

  say(member, '/cancel');
  await waitPosted(/Cancelled 1/i, 'the cancel answer');
  say(member, '@nemo_test_bot make a video of a paper plane');
  await waitPosted(/paper plane/, 'the second acknowledgement');
  // Only now is the quota used: the third generation is refused, addressed to the member.
  say(member, '@nemo_test_bot make a video of a kite');
  const refusal = await waitPosted(/used your 1 generations for today/, 'the quota refusal');
  expect(refusal.entities).toEqual([expect.objectContaining({ type: 'text_link', url: `tg://user?id=${member.id}` })]);
  expect(posted(/used your 1 generations/)).toHaveLength(1);
  // The cancelled job never reached Nemo.
  expect(JSON.stringify(sim.requestsTo('run_sse').map((r) => r.body))).not.toContain('paper boat');
}, 60_000);
