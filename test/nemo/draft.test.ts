import { describe, expect, it } from 'vitest';
import { describeStateChange, draftFingerprint, isReadyToExport, summarizeTimeline } from '../../src/nemo/draft.js';
import type { Draft } from '../../src/nemo/types.js';
import { timelineWords } from '../../src/core/i18n.js';

const words = timelineWords('en');

const seedDraft: Draft = {
  t: [
    { tt: 0, sg: [{ id: 'v1', st: 0, d: 10_000, m: { name: 'city timelapse' } }] },
    { tt: 1, sg: [{ id: 'a1', st: 0, d: 10_000, m: { name: 'Lo-fi', volume: 0.35 } }] },
    { tt: 7, sg: [{ id: 't1', st: 0, d: 3_000, m: { text: 'Urban Dreams' } }] },
  ],
};

describe('isReadyToExport', () => {
  it('needs draft.t with at least one non-empty sg', () => {
    expect(isReadyToExport(seedDraft)).toBe(true);
    expect(isReadyToExport({ t: [{ tt: 0, sg: [] }] })).toBe(false);
    expect(isReadyToExport({})).toBe(false);
    expect(isReadyToExport(undefined)).toBe(false);
    expect(isReadyToExport({ t: 'nope' } as unknown as Draft)).toBe(false);
  });
});

describe('summarizeTimeline', () => {
  it('produces the seed format exactly', () => {
    expect(summarizeTimeline(seedDraft, { words })).toBe(
      'Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)',
    );
  });
  it('takes volume as 0-100 too, titles from m.title, and chains segments without st', () => {
    const d: Draft = {
      t: [
        { tt: 0, sg: [{ d: 5000, m: { name: 'a' } }, { d: 2500, m: { name: 'b' } }] },
        { tt: 1, sg: [{ st: 0, d: 7500, m: { title: 'Jazz', volume: 80 } }] },
        { tt: 7, sg: [{ st: 1000, d: 2000, m: { title: 'Hi' } }] },
      ],
    };
    expect(summarizeTimeline(d, { words })).toBe('Timeline (3 tracks): 1. Video: a (0-5s), b (5-7.5s) 2. BGM: Jazz (0-7.5s, 80%) 3. Title: "Hi" (1-3s)');
  });
  it('handles an empty draft and odd track types', () => {
    expect(summarizeTimeline(undefined, { words })).toBe('Timeline (0 tracks): empty');
    expect(summarizeTimeline({ t: [{ tt: 3, sg: [{ st: 0, d: 1000 }] }] }, { words })).toBe('Timeline (1 track): 1. Track 3: item (0-1s)');
    expect(summarizeTimeline({ t: [{ tt: 1, m: { type: 'voiceover' }, sg: [{ st: 0, d: 1000, m: { name: 'VO' } }] }] }, { words })).toBe(
      'Timeline (1 track): 1. Audio: VO (0-1s)',
    );
  });
});

describe('describeStateChange', () => {
  const before: Draft = { t: [seedDraft.t![0]!, seedDraft.t![1]!] };
  it('names added titles (the silent-turn case)', () => {
    expect(describeStateChange(before, seedDraft, words)).toEqual(['Added Title: "Urban Dreams" (0-3s)']);
  });
  it('names removed and changed items', () => {
    const after: Draft = {
      t: [{ tt: 0, sg: [{ id: 'v1', st: 0, d: 8_000, m: { name: 'city timelapse' } }] }, { tt: 1, sg: [{ id: 'a1', st: 0, d: 10_000, m: { name: 'Lo-fi', volume: 0.5 } }] }],
    };
    expect(describeStateChange(seedDraft, after, words)).toEqual([
      'Video: city timelapse changed (0-10s → 0-8s)',
      'BGM: Lo-fi changed (volume 35% → 50%)',
      'Removed Title: "Urban Dreams"',
    ]);
  });
  it('is empty when nothing changed, and everything is added from nothing', () => {
    expect(describeStateChange(seedDraft, structuredClone(seedDraft), words)).toEqual([]);
    expect(describeStateChange(undefined, before, words)).toEqual(['Added Video: city timelapse (0-10s)', 'Added BGM: Lo-fi (0-10s, 35%)']);
  });
  it('says something when only invisible fields changed', () => {
    expect(describeStateChange(seedDraft, { ...seedDraft, m: { width: 1080 } }, words)).toEqual(['Timeline updated']);
  });
});

describe('draftFingerprint', () => {
  it('is stable across key order and changes with content', () => {
    const a = draftFingerprint({ t: [{ tt: 0, sg: [{ d: 1, st: 0 }] }], d: 5 });
    const b = draftFingerprint({ d: 5, t: [{ sg: [{ st: 0, d: 1 }], tt: 0 }] });
    expect(a).toBe(b);
    expect(a).not.toBe(draftFingerprint({ d: 6, t: [{ tt: 0, sg: [{ d: 1, st: 0 }] }] }));
    expect(draftFingerprint(undefined)).toMatch(/^[0-9a-f]{32}$/);
  });
});
