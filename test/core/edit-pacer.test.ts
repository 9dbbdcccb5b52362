/**
 * The one edit pacer (src/core/edit-pacer.ts): every outbox's edits are paced per chat at the rate its
 * adapter states, superseded waiting texts are dropped, identical edits skipped, callers never wait
 * for a slot.
 */
import { describe, expect, it } from 'vitest';
import { EditPacer, editIntervalFor, pacedOutbox } from '../../src/core/edit-pacer.js';
import type { ChatTarget } from '../../src/core/outbox.js';
import { RecordingOutbox } from '../helpers/recording-outbox.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('EditPacer', () => {
  it('spaces edits in one chat, coalesces waiting edits of a message, and leaves other chats alone', async () => {
    const pacer = new EditPacer();
    const done: Array<[string, number]> = [];
    const t0 = Date.now();
    const edit = (label: string) => async () => void done.push([label, Date.now() - t0]);
    await pacer.edit('c1', 'm1', 'a1', 150, edit('a1'));
    await pacer.edit('c1', 'm1', 'a2', 150, edit('a2')); // must wait: scheduled, returns at once
    await pacer.edit('c1', 'm1', 'a3', 150, edit('a3')); // replaces a2 while it waits for the slot
    await pacer.edit('c2', 'm9', 'b1', 150, edit('b1'));
    // Nobody waited for a slot: a1 and b1 (another chat) ran at once, a3 is still scheduled.
    expect(done.map(([l]) => l)).toEqual(['a1', 'b1']);
    for (const end = Date.now() + 5_000; done.length < 3 && Date.now() < end; ) await sleep(20);
    expect(done.map(([l]) => l).sort()).toEqual(['a1', 'a3', 'b1']);
    const a1 = done.find(([l]) => l === 'a1')![1];
    const a3 = done.find(([l]) => l === 'a3')![1];
    expect(a3 - a1).toBeGreaterThanOrEqual(140);
  });

  it('skips an edit to what the message shows; an immediate edit reports its failure, a scheduled one goes to onError', async () => {
    const errors: string[] = [];
    const pacer = new EditPacer((err) => errors.push((err as Error).message));
    let calls = 0;
    pacer.remember('m1', 'hello');
    await pacer.edit('c', 'm1', 'hello', 100, async () => void calls++);
    expect(calls).toBe(0);
    await expect(pacer.edit('c', 'm1', 'x', 100, async () => Promise.reject(new Error('now')))).rejects.toThrow('now');
    await pacer.edit('c', 'm1', 'y', 100, async () => Promise.reject(new Error('later')));
    await sleep(200);
    expect(errors).toEqual(['later']);
  });
});

describe('pacedOutbox', () => {
  const group: ChatTarget = { platform: 'test', conversationKey: 'test:g', chatId: 'g', isDirect: false, lang: 'en' };
  const direct: ChatTarget = { platform: 'test', conversationKey: 'test:d', chatId: 'd', isDirect: true, lang: 'en' };

  it('applies the rates the adapter states: groups and direct chats, and drops a waiting edit of a deleted message', async () => {
    const inner = new RecordingOutbox();
    Object.assign(inner.limits, { minEditIntervalMs: 300, minEditIntervalDirectMs: 50 });
    expect(editIntervalFor(inner, group)).toBe(300);
    expect(editIntervalFor(inner, direct)).toBe(50);
    const out = pacedOutbox(inner);
    expect(pacedOutbox(out)).toBe(out); // wrapping twice does not pace twice

    const g = await out.sendText(group, 'card');
    await out.editText(group, g, 'card'); // identical to what was sent: skipped
    await out.editText(group, g, 'card 1'); // slot free: now
    await out.editText(group, g, 'card 2'); // waits 300 ms
    await out.editText(group, g, 'card 3'); // replaces card 2
    const d = await out.sendText(direct, 'dm');
    await out.editText(direct, d, 'dm 1');
    await out.editText(direct, d, 'dm 2');
    await sleep(120);
    expect(inner.in('d')[0]!.edits).toEqual(['dm 1', 'dm 2']);
    expect(inner.in('g')[0]!.edits).toEqual(['card 1']);
    await sleep(300);
    expect(inner.in('g')[0]!.edits).toEqual(['card 1', 'card 3']);

    const h = await out.sendText(group, 'other');
    await out.editText(group, h, 'other 1'); // scheduled (the chat's slot is taken)
    await out.deleteMessage(group, h);
    await sleep(400);
    expect(inner.in('g')[1]!.edits).toEqual([]);
  });
});
