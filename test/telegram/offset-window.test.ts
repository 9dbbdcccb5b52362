/**
 * OffsetWindow: the offset only passes a contiguous run of finished updates, and repeats of updates
 * in hand (or already confirmable) are recognised.
 */
import { describe, expect, it } from 'vitest';
import { OffsetWindow } from '../../adapters/telegram/offset-window.js';

describe('OffsetWindow', () => {
  it('holds the offset at the first unfinished update', () => {
    const w = new OffsetWindow();
    for (const id of [10, 11, 12]) expect(w.receive(id)).toBe(true);
    expect(w.offset).toBeUndefined();
    expect(w.finish(11)).toBe(false);
    expect(w.finish(12)).toBe(false);
    expect(w.offset).toBeUndefined();
    expect(w.inFlight).toBe(1);
    expect(w.finish(10)).toBe(true);
    expect(w.offset).toBe(13);
    expect(w.size).toBe(0);
  });

  it('moves step by step as the head finishes', () => {
    const w = new OffsetWindow();
    w.receive(5);
    w.receive(6);
    w.finish(5);
    expect(w.offset).toBe(6);
    expect(w.size).toBe(1);
  });

  it('recognises repeats: in hand, finished but held back, and already passed', () => {
    const w = new OffsetWindow();
    w.receive(1);
    w.receive(2);
    w.finish(2);
    expect(w.receive(1)).toBe(false);
    expect(w.receive(2)).toBe(false);
    w.finish(1);
    expect(w.receive(2)).toBe(false);
    expect(w.receive(3)).toBe(true);
  });

  it('keeps ids ordered even when received out of order', () => {
    const w = new OffsetWindow();
    w.receive(20);
    w.receive(18);
    w.finish(20);
    expect(w.offset).toBeUndefined();
    w.finish(18);
    expect(w.offset).toBe(21);
  });
});
