/**
 * The core end to end: platform message → ingress → BullMQ → worker → Nemo simulator → outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { statSync } from 'node:fs';
import { fileAttachment, startBench, type Bench } from '../helpers/harness.js';

const PNG = fileURLToPath(new URL('../fixtures/input.png', import.meta.url));

describe('conversation pipeline', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('pipeline', { sim: { turnMs: 900 } });
  });
  afterAll(async () => b?.close());

  it('turns an image and a prompt into the MP4, with an ack and still-working notices', async () => {
    const res = await b.send('c1', 'turn this image into a 5-second animated video clip', {
      attachments: [fileAttachment(PNG, 'input.png', statSync(PNG).size)],
    });
    expect(res.outcome).toBe('queued');
    const ack = b.outbox.in('c1')[0]!;
    expect(ack.text).toContain('input.png');
    expect(ack.text).toContain('turn this image');
    const video = await b.outbox.waitFor(() => b.outbox.in('c1').find((m) => m.kind === 'video'));
    expect(video.videoBytes!.equals(b.sim.fixture.bytes)).toBe(true);
    expect(video.buttons?.flat().length).toBeGreaterThanOrEqual(2);
    expect(b.outbox.textsIn('c1').some((t) => t.includes('Still working'))).toBe(true);
    expect(b.sim.requestsTo('run_sse')).toHaveLength(1);
    expect(b.sim.requestsTo('upload')).toHaveLength(1);
    // the "uploading video" indicator comes from the core while the MP4 is fetched and posted
    expect(b.outbox.actions.some((a) => a.chatId === 'c1' && a.action === 'sending_video')).toBe(true);
    // the status card ended as done
    await b.outbox.waitFor(() => ack.edits.at(-1)?.includes('Done'));
  });

  it('"export" renders again without a new turn', async () => {
    const turns = b.sim.requestsTo('run_sse').length;
    const renders = b.sim.requestsTo('render_start').length;
    const before = b.outbox.in('c1').filter((m) => m.kind === 'video').length;
    await b.send('c1', 'export');
    await b.outbox.waitFor(() => b.outbox.in('c1').filter((m) => m.kind === 'video').length === before + 1);
    expect(b.sim.requestsTo('run_sse').length).toBe(turns);
    expect(b.sim.requestsTo('render_start').length).toBe(renders + 1);
  });

  it('answers credits and status directly', async () => {
    await b.send('c1', 'credits');
    await b.outbox.waitFor(() => b.outbox.in('c1').find((m) => /Credits: \d+ available/.test(m.text)));
    await b.send('c1', '/status', { command: { name: 'status', args: '' } });
    const status = await b.outbox.waitFor(() => b.outbox.in('c1').find((m) => m.text.startsWith('Timeline (')));
    expect(status.text).toMatch(/1\. Video: /);
  });
});
