/**
 * Issue 13 on Discord (fake gateway + REST ↔ real discord.js ↔ runtime on real Redis ↔ simulator): a
 * token saved with /login in a DM runs its user's jobs in a server channel too, in their own
 * project there; everyone else in the channel stays on the channel's credential, and after /logout
 * so does the user.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDiscord, StoredMessage } from '../fakes/discord/index.js';
import type { NemoSim } from '../../nemo-sim/index.js';
import type { SimRequest } from '../../nemo-sim/types.js';
import { startDiscordStack, type DiscordStack } from './stack.js';

const PERSONAL = 'nmv_usr_dc_personal_account_0042';

let stack: DiscordStack;
let sim: NemoSim;
let fake: FakeDiscord;

beforeAll(async () => {
  stack = await startDiscordStack('dc-accounts', {
    sim: { editTurnMs: 400, initialCredits: 300 },
    env: { TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64') },
  });
  ({ sim, fake } = stack);
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

const isVideo = (m: StoredMessage) => m.attachments.some((a) => a.filename.endsWith('.mp4'));
const said = (channel: string, re: RegExp, what: string) => fake.waitFor(() => fake.botMessages(channel).filter((m) => re.test(m.content)).at(-1), 20_000, what);
const videos = (channel: string) => fake.botMessages(channel).filter(isVideo);
const turnFor = (words: string) => fake.waitFor(() => sim.requestsTo('run_sse').find((r) => JSON.stringify(r.body).includes(words)), 30_000, `the turn "${words}"`);
const sessionOf = (r: SimRequest) => (r.body as { session_id: string }).session_id;

describe('a personal token in a server channel', () => {
  const channel = () => fake.channels.general;

  it("alice's prompt runs under her own token and project, bob's under the channel's; /credits shows each their own; after /logout alice is back on the channel's", async () => {
    const bob = fake.addUser('bob');
    sim.addToken(PERSONAL, { credits: 5000 });
    const dm = fake.dmChannel(fake.alice);
    fake.pushSlashCommand({ channelId: dm, name: 'login', options: { token: PERSONAL } });
    await said(dm, /Saved \(encrypted\)/, 'the login answer');

    fake.pushMessage({ channelId: channel(), content: 'make a video of a red fox in the snow', mentionBot: true });
    await fake.waitFor(() => videos(channel())[0], 30_000, "alice's video");
    expect(videos(channel())[0]!.content).toContain('💳 Cost: 100 credits · 4900 left');
    fake.pushMessage({ channelId: channel(), content: 'make a video of a barn owl at dusk', mentionBot: true, author: bob });
    await fake.waitFor(() => videos(channel())[1], 30_000, "bob's video");
    expect(videos(channel())[1]!.content).toContain('💳 Cost: 100 credits · 200 left');
    const fox = await turnFor('red fox');
    const owl = await turnFor('barn owl');
    expect(fox.token).toBe(PERSONAL);
    expect(owl.token).not.toBe(PERSONAL);
    expect(sessionOf(fox)).not.toBe(sessionOf(owl));
    expect(sim.sessions.get(sessionOf(fox))!.token).toBe(PERSONAL);

    sim.setCredits(PERSONAL, 4321);
    fake.pushSlashCommand({ channelId: channel(), name: 'credits' });
    await said(channel(), /Credits: 4321 available/, "alice's balance");
    fake.pushSlashCommand({ channelId: channel(), name: 'credits', user: bob });
    await said(channel(), /Credits: 200 available/, "bob's balance (the channel's)");

    fake.pushSlashCommand({ channelId: dm, name: 'logout' });
    await said(dm, /Forgotten/, 'the logout answer');
    fake.pushMessage({ channelId: channel(), content: 'make a video of a brown bear fishing', mentionBot: true });
    await fake.waitFor(() => videos(channel())[2], 30_000, "alice's video after logout");
    const bear = await turnFor('brown bear');
    expect(bear.token).toBe(owl.token);
    expect(sessionOf(bear)).toBe(sessionOf(owl));
  }, 90_000);
});
