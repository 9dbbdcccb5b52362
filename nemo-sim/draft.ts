/**
 * Draft building and the state response. Drafts use the documented short keys (t, tt, sg, d, m) and
 * mirror the seed's example timeline "1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%)
 * 3. Title: "Urban Dreams" (0-3s)": names in `m.name`, title text in `m.text`, volume as a 0-1
 * fraction in `m.volume`, segment start in ms in `st`, duration in ms in `d`.
 */
import type { Draft, DraftTrack } from '../src/nemo/types.js';
import { randomId } from './store.js';
import type { SimSession } from './types.js';

export const TRACK_VIDEO = 0;
export const TRACK_AUDIO = 1;
export const TRACK_TEXT = 7;

export const CLIP_MS = 5000;
export const TITLE_MS = 3000;
export const DEFAULT_TITLE = 'Urban Dreams';
const BGM_LIBRARY = ['Upbeat Pop', 'Cinematic Strings', 'Chill Jazz', 'Acoustic Morning'];
const BGM_KEYWORDS: Array<[RegExp, string]> = [
  [/jazz/i, 'Chill Jazz'],
  [/rock|guitar/i, 'Indie Rock'],
  [/piano/i, 'Soft Piano'],
  [/epic|cinematic|orchestra/i, 'Cinematic Strings'],
  [/upbeat|happy|pop/i, 'Upbeat Pop'],
  [/lo-?fi|chill/i, 'Lo-fi'],
];

/** The documented readiness rule: `t` exists and at least one track has a non-empty `sg`. */
export function isDraftReady(draft: unknown): boolean {
  if (typeof draft !== 'object' || draft === null) return false;
  const t = (draft as Draft).t;
  return Array.isArray(t) && t.some((track) => Array.isArray(track?.sg) && track.sg.length > 0);
}

function trackOf(draft: Draft, tt: number): DraftTrack | undefined {
  return draft.t?.find((track) => track.tt === tt);
}

/** A generation: one 5 s video segment (named after the first upload) plus "Lo-fi" BGM at 35 %. */
export function buildGeneratedDraft(s: SimSession, clipUrl: string, size: { width: number; height: number }): Draft {
  const first = s.uploads[0];
  const name = first ? first.filename : 'animated clip';
  return {
    t: [
      {
        tt: TRACK_VIDEO,
        sg: [{ id: `seg_${randomId(4)}`, st: 0, d: CLIP_MS, m: { name, url: clipUrl, width: size.width, height: size.height } }],
      },
      {
        tt: TRACK_AUDIO,
        sg: [{ id: `seg_${randomId(4)}`, st: 0, d: CLIP_MS, m: { name: 'Lo-fi', volume: 0.35 } }],
      },
    ],
    d: CLIP_MS,
    m: { title: s.taskName ?? 'project', width: size.width, height: size.height, fps: 30 },
  };
}

/** edit-text: swap the background music (by keyword, else the next library track). Returns the new name. */
export function applyBgmChange(s: SimSession, message: string): string {
  let name = BGM_KEYWORDS.find(([re]) => re.test(message))?.[1];
  const draft = s.draft;
  const current = draft ? (trackOf(draft, TRACK_AUDIO)?.sg?.[0]?.m?.['name'] as string | undefined) : undefined;
  if (!name || name === current) {
    const i = BGM_LIBRARY.indexOf(current ?? '');
    name = BGM_LIBRARY[(i + 1) % BGM_LIBRARY.length]!;
  }
  if (!draft) return name;
  draft.t ??= [];
  const audio = trackOf(draft, TRACK_AUDIO);
  const seg = { id: `seg_${randomId(4)}`, st: 0, d: draft.d ?? CLIP_MS, m: { name, volume: 0.35 } };
  if (audio) audio.sg = [seg];
  else draft.t.push({ tt: TRACK_AUDIO, sg: [seg] });
  return name;
}

/** edit-silent: add (or replace) the Title track `tt:7`; the text is the first quoted phrase, if any. */
export function applyTitle(s: SimSession, message: string): string {
  const quoted = /["“«']([^"”»']{1,80})["”»']/.exec(message)?.[1]?.trim();
  const text = quoted && quoted.length > 0 ? quoted : DEFAULT_TITLE;
  const draft = s.draft;
  if (!draft) return text;
  draft.t ??= [];
  const seg = { id: `seg_${randomId(4)}`, st: 0, d: TITLE_MS, m: { text } };
  const title = trackOf(draft, TRACK_TEXT);
  if (title) title.sg = [seg];
  else draft.t.push({ tt: TRACK_TEXT, sg: [seg] });
  return text;
}

/** Body of GET /api/state/nemo_agent/me/{sid}/latest. Before any generation the draft is `{t:[]}` (not ready). */
export function stateBody(s: SimSession, size: { width: number; height: number }): unknown {
  const videoInfos = [
    ...s.uploads.map((u) => ({ filename: u.filename, file_type: u.fileType, cdn_url: u.cdnUrl, ...(u.viaUrl ? { source_url: u.viaUrl } : {}) })),
    ...(s.generated ?? []).map((g) => ({ filename: `${g.id}.mp4`, file_type: 'video', cdn_url: g.url, duration: g.durationS, width: size.width, height: size.height, generated: true })),
  ];
  return {
    code: 0,
    data: {
      session_id: s.id,
      task_id: s.taskId,
      task_name: s.taskName ?? 'project',
      state: {
        draft: s.draft ?? { t: [] },
        video_infos: videoInfos,
        canvas_config: { width: size.width, height: size.height, aspect_ratio: '16:9' },
        generated_media: (s.generated ?? []).map((g) => ({ id: g.id, type: 'video', url: g.url, duration: g.durationS })),
      },
    },
  };
}
