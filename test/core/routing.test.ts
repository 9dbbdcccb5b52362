/**
 * Issue 9, items 1 and 2, end to end: a platform message through ingress, the queue and the strict
 * simulator to what the user sees. Unknown commands never reach Nemo; short command-like messages go
 * to their action (no chat turn, no credits); a message that also asks for an edit goes to the agent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, type Bench } from '../helpers/harness.js';

const videos = (b: Bench, chat: string) => b.outbox.in(chat).filter((m) => m.kind === 'video');

describe('routing from a platform message', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('routing', { sim: { initialCredits: 1000 } });
  });
  afterAll(async () => b?.close());

  it('an unknown /command gets a short help answer and never reaches Nemo', async () => {
    const before = b.sim.requests.length;
    // As Telegram delivers it (an unregistered command stays text) and as the console adapter parses it.
    const asText = await b.send('u1', '/queue');
    const asCommand = await b.send('u1', '/queue list', { command: { name: 'queue', args: 'list' } });
    expect([asText.outcome, asCommand.outcome]).toEqual(['answered', 'answered']);
    const answers = b.outbox.in('u1').map((m) => m.text);
    expect(answers).toHaveLength(2);
    for (const a of answers) expect(a).toMatch(/\/queue is not a command I know.*\/export.*\/status/);
    await new Promise((r) => setTimeout(r, 300));
    expect(b.sim.requests.length).toBe(before); // no token, no session, no turn: nothing was charged
  });

  it('short command-like phrasings run their action; an edit or a "not yet" goes to the agent', async () => {
    await b.send('r1', 'make a video of a lighthouse at night');
    await b.outbox.waitFor(() => videos(b, 'r1').length === 1);
    const turns = () => b.sim.requestsTo('run_sse').length;
    const before = turns();

    await b.send('r1', 'please export my video');
    await b.outbox.waitFor(() => videos(b, 'r1').length === 2);
    await b.send('r1', 'can you send me the video');
    await b.outbox.waitFor(() => videos(b, 'r1').length === 3);
    await b.send('r1', '帮我导出');
    await b.outbox.waitFor(() => videos(b, 'r1').length === 4);
    await b.send('r1', 'how many credits do I have');
    const credits = await b.outbox.waitFor(() => b.outbox.in('r1').find((m) => m.text.startsWith('💳 Credits:')));
    expect(credits.text).toMatch(/available/);
    await b.send('r1', "what's the status?");
    const status = await b.outbox.waitFor(() => b.outbox.in('r1').find((m) => m.text.startsWith('Timeline (')));
    expect(status.text).toContain('Video:');
    expect(turns()).toBe(before); // none of these became a chat turn
    expect(b.sim.requestsTo('render_start')).toHaveLength(4);

    await b.send('r1', "don't export yet");
    await b.outbox.waitFor(() => turns() === before + 1);
    const last = b.sim.requestsTo('run_sse').at(-1)!.body as { new_message: { parts: Array<{ text: string }> } };
    expect(last.new_message.parts[0]!.text).toBe("don't export yet");
  });
});
