/**
 * Reading the backend's draft JSON (short keys: `t` tracks, `tt` track type, `sg` segments,
 * `st`/`d` start/duration in ms, `m` metadata) into words a chat user understands.
 *
 * Why: about 30% of edits return no text at all (skill), so after a silent turn the bot compares the
 * state before and after and says what changed; and "status" shows the seed's one-line summary:
 * `Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) 3. Title: "Urban Dreams" (0-3s)`.
 */
import { createHash } from 'node:crypto';
import type { Draft, DraftSegment, DraftTrack } from './types.js';

export { translateGui, type GuiAction, type GuiTranslation } from './gui.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

/** Ready to export: `draft.t` exists and at least one track has a non-empty `sg` (skill rule). */
export function isReadyToExport(draft: Draft | undefined | null): boolean {
  if (!isRecord(draft) || !Array.isArray(draft.t)) return false;
  return draft.t.some((track) => isRecord(track) && Array.isArray(track.sg) && track.sg.length > 0);
}

/** One segment in words. */
export interface TimelineItem {
  /** Match key across states: the segment id when present, else label + name. */
  key: string;
  label: string;
  name: string;
  startMs: number;
  endMs: number;
  /** 0-100, audio only. */
  volumePct?: number;
}

/**
 * The words of a timeline summary or change list. English is built in; the core passes another
 * language's words from its catalogue (src/core/i18n.ts), so a Chinese chat reads Chinese labels.
 */
export interface TimelineWords {
  labels: Record<'Video' | 'BGM' | 'Audio' | 'Title' | 'Track', string>;
  /** Default segment names by label. */
  names: Record<'clip' | 'audio' | 'text' | 'item', string>;
  head(n: number): string;
  empty: string;
  added(what: string): string;
  removed(what: string): string;
  changed(what: string, how: string): string;
  volume(from: string, to: string): string;
  updated: string;
  /** Between a label and its items: ": " (en), "：" (zh). */
  colon: string;
  /** Between items of one track. */
  comma: string;
  /** Around a time range: " (…)" (en), "（…）" (zh). */
  paren(inner: string): string;
  quote(text: string): string;
}

const AUDIO_NOT_MUSIC = /voice|narrat|speech|dub|sfx|sound[\s_-]?effect|配音|旁白|音效/i;

/** Track label: tt 0 → Video, 1 → BGM (or Audio for voice/sfx), 7 → Title, else "Track <tt>". */
export function trackLabel(track: DraftTrack): string {
  switch (num(track.tt)) {
    case 0:
      return 'Video';
    case 1: {
      const m = isRecord(track.m) ? track.m : {};
      const firstSeg = Array.isArray(track.sg) && isRecord(track.sg[0]) && isRecord(track.sg[0].m) ? track.sg[0].m : {};
      const hint = [m.type, m.kind, m.category, m.name, firstSeg.type, firstSeg.kind, firstSeg.category].filter((v) => typeof v === 'string').join(' ');
      return AUDIO_NOT_MUSIC.test(hint) ? 'Audio' : 'BGM';
    }
    case 7:
      return 'Title';
    default:
      return track.tt === undefined ? 'Track' : `Track ${String(track.tt)}`;
  }
}

/** Marks a default segment name (no name in the draft), so it can be said in the chat's language. */
const DEFAULT_NAME = '\u0000';

function segmentName(seg: DraftSegment, track: DraftTrack, label: string): string {
  const m = isRecord(seg.m) ? seg.m : {};
  const tm = isRecord(track.m) ? track.m : {};
  return (
    str(m.name) ?? str(m.text) ?? str(m.title) ?? str(seg.name) ?? str(seg.text) ?? str(seg.title) ??
    str(tm.name) ?? str(tm.title) ?? DEFAULT_NAME + (label === 'Title' ? 'text' : label === 'Video' ? 'clip' : label === 'BGM' || label === 'Audio' ? 'audio' : 'item')
  );
}

function volumeOf(seg: DraftSegment, track: DraftTrack): number | undefined {
  const m = isRecord(seg.m) ? seg.m : {};
  const tm = isRecord(track.m) ? track.m : {};
  const v = num(m.volume) ?? num(seg.volume) ?? num(tm.volume);
  if (v === undefined) return undefined;
  return Math.round(v <= 1 ? v * 100 : v);
}

/** The tracks of a draft, each with its segments in words (malformed entries are skipped). */
export function timelineTracks(draft: Draft | undefined | null): Array<{ label: string; items: TimelineItem[] }> {
  if (!isRecord(draft) || !Array.isArray(draft.t)) return [];
  const out: Array<{ label: string; items: TimelineItem[] }> = [];
  for (const track of draft.t) {
    if (!isRecord(track)) continue;
    const label = trackLabel(track);
    const items: TimelineItem[] = [];
    let cursor = 0;
    for (const seg of Array.isArray(track.sg) ? track.sg : []) {
      if (!isRecord(seg)) continue;
      const startMs = num(seg.st) ?? cursor;
      const endMs = startMs + (num(seg.d) ?? 0);
      cursor = endMs;
      const name = segmentName(seg, track, label);
      const id = str(seg.id) ?? (typeof seg.id === 'number' ? String(seg.id) : undefined) ?? (isRecord(seg.m) ? str(seg.m.id) : undefined);
      const item: TimelineItem = { key: id ? `id:${id}` : `${label}|${name}`, label, name, startMs, endMs };
      if (label === 'BGM' || label === 'Audio') {
        const v = volumeOf(seg, track);
        if (v !== undefined) item.volumePct = v;
      }
      items.push(item);
    }
    out.push({ label, items });
  }
  return out;
}

/** 10000 → "10", 2500 → "2.5". */
function secs(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/** A track label in words: "Video", "Track 3". */
function labelText(label: string, w: TimelineWords): string {
  const m = /^Track(?: (.+))?$/.exec(label);
  if (m) return m[1] === undefined ? w.labels.Track : `${w.labels.Track} ${m[1]}`;
  return w.labels[label as keyof TimelineWords['labels']] ?? label;
}

function nameText(item: TimelineItem, w: TimelineWords): string {
  const name = item.name.startsWith(DEFAULT_NAME) ? w.names[item.name.slice(1) as keyof TimelineWords['names']] ?? item.name.slice(1) : item.name;
  return item.label === 'Title' ? w.quote(name) : name;
}

function range(item: TimelineItem): string {
  return `${secs(item.startMs)}-${secs(item.endMs)}s`;
}

/** `Title: "Urban Dreams" (0-3s)` / `BGM: Lo-fi (0-10s, 35%)` */
export function describeItem(item: TimelineItem, w: TimelineWords): string {
  return `${labelText(item.label, w)}${w.colon}${itemText(item, w)}`;
}

function itemText(item: TimelineItem, w: TimelineWords): string {
  const vol = item.volumePct !== undefined ? `${w.comma}${item.volumePct}%` : '';
  return `${nameText(item, w)}${w.paren(`${range(item)}${vol}`)}`;
}

/** The seed's one-line summary; `separator` joins the numbered tracks (a space by default). */
export function summarizeTimeline(draft: Draft | undefined | null, opts: { separator?: string; words: TimelineWords }): string {
  const w = opts.words;
  const tracks = timelineTracks(draft);
  const head = w.head(tracks.length);
  if (tracks.length === 0) return `${head}${w.colon}${w.empty}`;
  const lines = tracks.map((t, i) => {
    if (t.items.length === 0) return `${i + 1}. ${labelText(t.label, w)}${w.colon}${w.empty}`;
    const [first, ...rest] = t.items;
    return `${i + 1}. ${[describeItem(first!, w), ...rest.map((it) => itemText(it, w))].join(w.comma)}`;
  });
  return `${head}${w.colon}${lines.join(opts.separator ?? ' ')}`;
}

/** Deterministic JSON (sorted keys) so equal drafts hash equally whatever the key order. */
function stableJson(v: unknown, depth = 0): string {
  if (depth > 64) return '"…"';
  if (Array.isArray(v)) return `[${v.map((x) => stableJson(x, depth + 1)).join(',')}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k], depth + 1)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A stable hash of a draft (key order does not matter); "did the silent turn change anything?" */
export function draftFingerprint(draft: Draft | undefined | null): string {
  return createHash('sha256').update(stableJson(draft ?? null)).digest('hex').slice(0, 32);
}

/**
 * What changed between two drafts, in words: `Added Title: "Urban Dreams" (0-3s)`,
 * `Removed BGM: Lo-fi`, `Video: city timelapse changed (0-10s → 0-8s)`. Empty when nothing did.
 */
export function describeStateChange(before: Draft | undefined | null, after: Draft | undefined | null, w: TimelineWords): string[] {
  const flat = (d: Draft | undefined | null) => timelineTracks(d).flatMap((t) => t.items);
  const old = flat(before);
  const pool = new Map<string, TimelineItem[]>();
  for (const it of old) pool.set(it.key, [...(pool.get(it.key) ?? []), it]);
  const lines: string[] = [];
  const matched = new Set<TimelineItem>();
  for (const it of flat(after)) {
    const prev = pool.get(it.key)?.shift();
    if (!prev) {
      lines.push(w.added(describeItem(it, w)));
      continue;
    }
    matched.add(prev);
    const changes: string[] = [];
    if (prev.name !== it.name) changes.push(`${nameText(prev, w)} → ${nameText(it, w)}`);
    if (prev.startMs !== it.startMs || prev.endMs !== it.endMs) changes.push(`${range(prev)} → ${range(it)}`);
    if (prev.volumePct !== it.volumePct) changes.push(w.volume(`${prev.volumePct ?? '?'}%`, `${it.volumePct ?? '?'}%`));
    if (prev.label !== it.label) changes.push(`${labelText(prev.label, w)} → ${labelText(it.label, w)}`);
    if (changes.length) lines.push(w.changed(`${labelText(prev.label, w)}${w.colon}${nameText(prev, w)}`, changes.join(w.comma)));
  }
  for (const it of old) if (!matched.has(it)) lines.push(w.removed(`${labelText(it.label, w)}${w.colon}${nameText(it, w)}`));
  if (lines.length === 0 && draftFingerprint(before) !== draftFingerprint(after)) lines.push(w.updated);
  return lines;
}
