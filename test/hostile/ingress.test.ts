/**
 * Hostile messages at the core's front door (fast-check over the real ingress, Redis and the
 * recording outbox; no worker, so nothing runs at Nemo): huge texts, odd Unicode, zero-byte and
 * oversized files, hostile file names, crafted buttons and commands. `accept` never throws, every
 * message is queued or answered, an answer is short and readable, and one platform message is
 * taken once. Then a few odd prompts go all the way to Nemo and come back as videos.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attachment, IncomingMessage } from '../../src/core/message.js';
import { startBench, type Bench } from '../helpers/harness.js';

const ODD = ['\u202E', '\u200F', '\u200B', '\u200D', '\uFEFF', '\uD800', '👨‍👩‍👧‍👦', '\u0000', '\r\n', '../', '/etc/passwd', '导出', '/export', '/nope', 'export', 'credits', '@bot'];
const oddText = fc.array(fc.oneof(fc.constantFrom(...ODD), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 10 })), { maxLength: 8 }).map((p) => p.join(''));
const text = fc.oneof({ weight: 6, arbitrary: oddText }, { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 100_000 }).map((n) => 'ж'.repeat(n)) });
const attachment: fc.Arbitrary<Attachment> = fc.record({
  name: fc.oneof(oddText, oddText.map((s) => `${s}.png`), fc.constantFrom('../../etc/passwd.mp4', '\u0000.png', 'a\u202Egnp.exe', '', 'x.png')),
  sizeBytes: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 40 })), { nil: undefined }),
  source: fc.constantFrom<Attachment['source']>({ kind: 'path', path: '/nonexistent' }, { kind: 'platform', ref: 'f1' }, { kind: 'url', url: 'http://127.0.0.1:9/x.png' }),
});
const extra = fc.record(
  {
    attachments: fc.array(attachment, { maxLength: 3 }),
    command: fc.record({ name: fc.oneof(fc.constantFrom('video', 'export', 'credits', 'status', 'new', 'cancel', 'help', 'start'), oddText), args: text }),
    button: fc.record({ id: fc.oneof(oddText, fc.constant('x'.repeat(3000))) }),
    locale: oddText,
    userName: oddText,
  },
  { requiredKeys: [] },
);

let b: Bench;
beforeAll(async () => {
  b = await startBench('hostile-ingress', { runWorker: false });
});
afterAll(async () => b?.close());

describe('hostile messages at the ingress', () => {
  it('are queued or answered, never thrown; answers are short and readable; a redelivery is a duplicate', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(text, extra, async (t, x) => {
        const chat = `h${++n}`;
        const msg: Partial<IncomingMessage> = { ...x, userId: `u-${chat}`, messageId: `m-${chat}` };
        const res = await b.send(chat, t, msg);
        expect(['queued', 'answered']).toContain(res.outcome);
        const shown = b.outbox.in(chat);
        expect(shown.length).toBeGreaterThanOrEqual(1);
        for (const m of shown) {
          expect(m.text.length).toBeGreaterThan(0);
          expect(m.text.length).toBeLessThanOrEqual(b.outbox.limits.textMaxChars);
          expect(m.text).not.toMatch(/\bundefined\b|\bNaN\b|\[object |Error:|at \w+ \(/);
        }
        expect((await b.send(chat, t, msg)).outcome).toBe('duplicate');
      }),
      { numRuns: 60 },
    );
  });
});

describe('odd prompts end to end', () => {
  it('RTL marks, zero-width, emoji ZWJ and a lone surrogate reach Nemo intact and the video comes back', async () => {
    const b2 = await startBench('hostile-prompts');
    try {
      const prompts = ['make a video of \u202Eolleh\u202C and 👨‍👩‍👧‍👦', 'make a video of a cat\u200B\u200D\uFEFF', 'make a video of a \uD800 broken char'];
      await Promise.all(prompts.map((p, i) => b2.send(`p${i}`, p)));
      for (let i = 0; i < prompts.length; i++) await b2.outbox.waitFor(() => b2.outbox.in(`p${i}`).find((m) => m.kind === 'video'), 40_000);
      const sent = b2.sim.requestsTo('run_sse').map((r) => (r.body as { new_message: { parts: Array<{ text: string }> } }).new_message.parts[0]!.text);
      expect(sent).toContain(prompts[0]);
      expect(sent).toContain(prompts[1]!.trim()); // the prompt is trimmed (U+FEFF counts as space); the rest stays
      expect(sent.find((s) => s.includes('cat'))).toContain('\u200B\u200D');
      expect(sent.some((s) => s.startsWith('make a video of a ') && s.endsWith(' broken char'))).toBe(true);
    } finally {
      await b2.close();
    }
  });
});
