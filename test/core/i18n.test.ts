/**
 * The message catalogue is complete: every key says something in every language, with the same
 * placeholders, and the sentences formerly built outside it (acknowledgement header, status card line,
 * Telegram's mention mark, timeline words) come from it.
 */
import { describe, expect, it } from 'vitest';
import { headerFor } from '../../src/core/answer-target.js';
import { CATALOGUE, TIMELINE_WORDS, t, type CatalogueEntry, type Lang } from '../../src/core/i18n.js';

const LANGS: Lang[] = ['en', 'zh'];

/** The placeholders a translation reads, whether all params are given or none. */
function placeholders(v: CatalogueEntry[Lang]): { keys: string[]; text: string } {
  if (typeof v === 'string') return { keys: [], text: v };
  const read = new Set<string>();
  const spy = (value: (k: string) => string | undefined) =>
    new Proxy({} as Record<string, string | undefined>, {
      get(_, k) {
        if (typeof k === 'string') read.add(k);
        return typeof k === 'string' ? value(k) : undefined;
      },
    });
  const full = v(spy((k) => `‹${k}›`));
  v(spy(() => undefined));
  return { keys: [...read].sort(), text: full };
}

/** Problems of a catalogue: a language missing or empty, or placeholders that differ between languages. */
function problems(catalogue: Readonly<Record<string, CatalogueEntry>>): string[] {
  const out: string[] = [];
  for (const [key, entry] of Object.entries(catalogue)) {
    const seen = new Map<Lang, string[]>();
    for (const lang of LANGS) {
      const v = (entry as Partial<CatalogueEntry>)[lang];
      if (v === undefined) {
        out.push(`${key}: no ${lang}`);
        continue;
      }
      const p = placeholders(v);
      if (!p.text.trim()) out.push(`${key}: empty ${lang}`);
      if (p.text.includes('undefined')) out.push(`${key}: ${lang} prints "undefined"`);
      seen.set(lang, p.keys);
    }
    const [first, ...rest] = [...seen.entries()];
    for (const [lang, keys] of rest) {
      if (first && JSON.stringify(keys) !== JSON.stringify(first[1])) out.push(`${key}: ${first[0]} reads {${first[1].join(',')}}, ${lang} reads {${keys.join(',')}}`);
    }
  }
  return out;
}

describe('message catalogue', () => {
  it('every key has every language, with the same placeholders', () => {
    expect(Object.keys(CATALOGUE).length).toBeGreaterThan(50);
    expect(problems(CATALOGUE)).toEqual([]);
  });

  it('the check catches a missing language and differing placeholders', () => {
    const broken = {
      ok: { en: (p: Record<string, unknown>) => `a ${p.x}`, zh: (p: Record<string, unknown>) => `甲 ${p.x}` },
      missing: { en: 'only English' },
      drift: { en: (p: Record<string, unknown>) => `${p.count} jobs`, zh: (p: Record<string, unknown>) => `${p.n} 个任务` },
    } as unknown as Record<string, CatalogueEntry>;
    expect(problems(broken)).toEqual(['missing: no zh', 'drift: en reads {count}, zh reads {n}']);
  });

  it('timeline words exist in every language with the same shape', () => {
    const shape = (w: object): string[] =>
      Object.entries(w)
        .flatMap(([k, v]) => (v && typeof v === 'object' ? shape(v).map((s) => `${k}.${s}`) : [`${k}:${typeof v}`]))
        .sort();
    expect(shape(TIMELINE_WORDS.zh)).toEqual(shape(TIMELINE_WORDS.en));
  });

  it('the acknowledgement header and the card line come from the catalogue', () => {
    const header = headerFor('turn', 'en', 'make it move', [
      { name: 'a.jpg', sizeBytes: 2048, source: { kind: 'url', url: 'https://x/a.jpg' } },
      { name: 'b.mp4', source: { kind: 'url', url: 'https://x/b.mp4' } },
    ]);
    expect(header).toBe(['🎬 Got it!', '🖼️ a.jpg (2 KB)', '🎞️ b.mp4', '📝 “make it move”'].join('\n'));
    expect(headerFor('turn', 'zh', '', [])).toBe(t('zh', 'ack.upload'));
    expect(t('en', 'card.working', { stage: 'Rendering the MP4', elapsed: '0:05' })).toBe('⏳ Rendering the MP4 · 0:05');
    expect(t('zh', 'card.final', { stage: t('zh', 'stage.done'), elapsed: '1:00' })).toBe('✅ 完成 · 1:00');
  });
});
