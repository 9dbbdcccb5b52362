/**
 * Turn scripts. A turn is a plan of steps (emit an ADK event, wait with heartbeats, apply a change to
 * the session) so that faults can replay the first N events of the real script without its effects.
 */
import { randomUUID } from 'node:crypto';
import type { SimContext } from './context.js';
import { applyBgmChange, applyTitle, buildGeneratedDraft, CLIP_MS, isDraftReady } from './draft.js';
import { randomId } from './store.js';
import type { SimSession, TurnKind } from './types.js';

export const AGENT_AUTHOR = 'nemo_agent';
export const GENERATE_TOOL = 'generate_video_with_seedance';
export const EDIT_TOOL = 'edit_multitrack';
export const QUESTION_TOOL = 'ask_question';
export const TRAILING_NOISE = 'I encountered a temporary issue. Please try again.';
export const GENERATE_START_TEXT = "I'll generate your video now…";
export const GENERATE_DONE_TEXT = 'Your 5-second clip is ready! Click Export to download it.';
export const GUI_TEXT =
  'Your clip is on the timeline. Drag the title to the end of the clip. Open the properties panel to check the result. Check billing if you need more credits, or click "Add subtitles" to caption it.';
export const QUESTION_ARGS = {
  question: 'Which style do you want?',
  options: [
    { id: 'cinematic', label: 'Cinematic' },
    { id: 'anime', label: 'Anime' },
    { id: 'realistic', label: 'Realistic' },
  ],
  allow_multiple: false,
};

export type Step =
  | { ev: () => Record<string, unknown> }
  | { wait: number }
  | { apply: () => void };

export interface TurnPlan {
  kind: TurnKind;
  /** Credits charged up front (and frozen until the turn ends). */
  cost: number;
  steps: Step[];
}

const ACTIONS = () => ({ stateDelta: {}, artifactDelta: {}, requestedAuthConfigs: {} });

/** One ADK Event as `model_dump_json(exclude_none=True, by_alias=True)` would write it: camelCase, no nulls. */
export function adkEvent(invocationId: string, author: string, content: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { content, invocationId, author, actions: ACTIONS(), id: randomId(4), timestamp: Date.now() / 1000, ...extra };
}

const textContent = (text: string) => ({ parts: [{ text }], role: 'model' });
const callContent = (id: string, name: string, args: unknown) => ({ parts: [{ functionCall: { id, name, args } }], role: 'model' });
const responseContent = (id: string, name: string, response: unknown) => ({ parts: [{ functionResponse: { id, name, response } }], role: 'user' });

/**
 * Decide the turn kind: a forced `nextTurn` first, else keywords. Edits need a ready draft. Extra: a
 * plain reply right after an `ask_question` turn is taken as the answer and starts a generation.
 */
export function classifyTurn(ctx: SimContext, s: SimSession, text: string): TurnKind {
  const forced = ctx.store.takeForcedTurn(s.id);
  if (forced) return forced;
  const hasDraft = isDraftReady(s.draft);
  if (/style|surprise me|options/i.test(text)) return 'question';
  if (hasDraft && /title|caption|text overlay/i.test(text)) return 'edit-silent';
  if (hasDraft && /music|bgm|soundtrack|faster|slower|trim|effect/i.test(text)) return 'edit-text';
  if (/generat|animat|turn this|video|clip|make/i.test(text)) return 'generate';
  if (s.pendingQuestion) return 'generate';
  return 'chat';
}

/**
 * The generation wait. With two stages the raw clip lands in the draft halfway (video track only) and
 * the finished draft (music added) at the end, as the real backend does it.
 */
function rawClipStage(ctx: SimContext, s: SimSession, clipUrl: string): Step[] {
  const ms = generationMs(ctx);
  if (ctx.opts.generationStages !== 2) return [{ wait: ms }];
  return [
    { wait: ms / 2 },
    { apply: () => { const d = buildGeneratedDraft(s, clipUrl, ctx.fixture); d.t = d.t?.slice(0, 1); s.draft = d; } },
    { wait: ms / 2 },
  ];
}

function generationMs(ctx: SimContext): number {
  const { turnMs, turnMsMax } = ctx.opts;
  return turnMsMax > turnMs ? turnMs + Math.random() * (turnMsMax - turnMs) : turnMs;
}

export function buildPlan(ctx: SimContext, s: SimSession, kind: TurnKind, text: string): TurnPlan {
  const inv = `e-${randomUUID()}`;
  const ev = (content: unknown, extra?: Record<string, unknown>) => () => adkEvent(inv, AGENT_AUTHOR, content, extra);
  const callId = `adk-${randomUUID()}`;
  const settle = { wait: ctx.opts.editTurnMs };
  const markQuestion = (pending: boolean): Step => ({ apply: () => { s.pendingQuestion = pending; } });

  switch (kind) {
    case 'generate': {
      const clipId = `clip_${randomId(6)}`;
      const clipUrl = `${ctx.baseUrl()}/cdn/generated/${clipId}.mp4`;
      const first = s.uploads[0];
      const args: Record<string, unknown> = { prompt: text, duration: CLIP_MS / 1000, resolution: '1080p', aspect_ratio: '16:9' };
      if (first) args['image_url'] = first.cdnUrl;
      const steps: Step[] = [
        markQuestion(false),
        { ev: ev(textContent(GENERATE_START_TEXT)) },
        { ev: ev(callContent(callId, GENERATE_TOOL, args)) },
        ...rawClipStage(ctx, s, clipUrl),
        { ev: ev(responseContent(callId, GENERATE_TOOL, { status: 'success', video_url: clipUrl, duration: CLIP_MS / 1000 })) },
        {
          apply: () => {
            s.draft = buildGeneratedDraft(s, clipUrl, ctx.fixture);
            (s.generated ??= []).push({ id: clipId, url: clipUrl, durationS: CLIP_MS / 1000 });
          },
        },
        { ev: ev(textContent(GENERATE_DONE_TEXT)) },
      ];
      if (ctx.opts.trailingNoise) steps.push({ ev: ev(textContent(TRAILING_NOISE)) });
      return { kind, cost: ctx.opts.generationCost, steps };
    }
    case 'edit-text': {
      let bgm: string | undefined;
      return {
        kind,
        cost: ctx.opts.editCost,
        steps: [
          markQuestion(false),
          { ev: ev(callContent(callId, EDIT_TOOL, { instruction: text, operation: 'replace_bgm' })) },
          settle,
          { ev: ev(responseContent(callId, EDIT_TOOL, { status: 'success' })) },
          { apply: () => { bgm = applyBgmChange(s, text); } },
          { ev: () => adkEvent(inv, AGENT_AUTHOR, textContent(`Done! I changed the background music to "${bgm ?? 'a new track'}" at 35% volume. Preview it in the timeline, then click Export.`)) },
        ],
      };
    }
    case 'edit-silent':
      return {
        kind,
        cost: ctx.opts.editCost,
        steps: [
          markQuestion(false),
          { ev: ev(callContent(callId, EDIT_TOOL, { instruction: text, operation: 'add_text' })) },
          settle,
          { ev: ev(responseContent(callId, EDIT_TOOL, { status: 'success' })) },
          ctx.opts.silentEditLagMs > 0
            ? { apply: () => void setTimeout(() => applyTitle(s, text), ctx.opts.silentEditLagMs).unref() }
            : { apply: () => { applyTitle(s, text); } },
        ],
      };
    case 'question':
      return {
        kind,
        cost: 0,
        steps: [settle, { ev: ev(callContent(callId, QUESTION_TOOL, QUESTION_ARGS), { longRunningToolIds: [callId] }) }, markQuestion(true)],
      };
    case 'gui':
      return { kind, cost: 0, steps: [markQuestion(false), settle, { ev: ev(textContent(GUI_TEXT)) }] };
    case 'chat': {
      const reply = isDraftReady(s.draft)
        ? 'Your project is ready in the timeline. Tell me what to change, or click Export to download it.'
        : "Hi! Send me an image or describe the video you'd like, and I'll generate it.";
      return { kind, cost: 0, steps: [markQuestion(false), settle, { ev: ev(textContent(reply)) }] };
    }
  }
}
