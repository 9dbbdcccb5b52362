/**
 * "GUI translation" (seed §4): the backend agent answers as if the user sat in the web editor
 * ("Click Export to download it", "open the panel", "drag the clip"). A chat user has no such
 * buttons, so the bot does what the instruction asks instead of repeating it:
 *   click/点击 … Export/导出          → `export`: run the export (or offer a one-tap Export button)
 *   open/打开 …, "preview in timeline" → `timeline`: read the state and show the timeline inline
 *   drag/drop/拖拽 …                   → `edit`: send the edit through SSE (a one-tap button)
 *   billing/充值                        → `credits`: read the balance and show it
 *   click/点击 <something else>         → `click`: send that as the user's message (a one-tap button)
 *
 * Only the GUI instruction is taken out of the agent's text, clause by clause ("Done! Preview it in the
 * timeline, then click Export." keeps "Done!"; "Tell me what to change, or click Export." keeps "Tell
 * me what to change."); the rest is kept verbatim. This module adds no prose of its own: the core
 * says what it did in the chat's language (src/core/i18n.ts).
 */
export type GuiAction =
  | { kind: 'export' }
  | { kind: 'timeline' }
  | { kind: 'credits' }
  | { kind: 'edit'; instruction: string }
  | { kind: 'click'; label: string };

export interface GuiTranslation {
  /** The agent's text without its GUI instructions ('' when nothing else was said). */
  text: string;
  actions: GuiAction[];
}

const CJK = /[\u3400-\u9fff]/;

const GUI_NOUN = 'panel|tab|timeline|editor|menu|settings|project|preview|sidebar|window|dialog|view|track|workspace|library|page|inspector|properties';

const RULES = {
  export: [
    /\b(click|tap|press|hit|select|choose|use|open|go to)\b[^.!?\n]*\b(export|download)\b/i,
    /\b(export|download)\s+(button|panel|menu|tab|dialog)\b/i,
    /(点击|点|按|选择|使用|打开)[^。！？\n]*(导出|下载)/,
    /(导出|下载)(按钮|面板|菜单)/,
  ],
  drag: [/\bdrag(ging|ged)?\b/i, /\bdrop\b[^.!?\n]*\b(onto|into|on to)\b/i, /拖拽|拖动|拖放/],
  open: [
    new RegExp(`\\b(open|expand|view)\\b[^.!?\\n]*\\b(${GUI_NOUN})\\b`, 'i'),
    /打开[^。！？\n]*(面板|时间线|时间轴|编辑器|菜单|设置|项目|预览|窗口|轨道)/,
  ],
  preview: [/\bpreview\b[^.!?\n]*\b(in|on)\s+(the\s+)?timeline\b/i, /(时间线|时间轴)[^。！？\n]*预览|预览[^。！？\n]*(时间线|时间轴)/],
  credits: [/\bbilling\b/i, /充值|账单|计费/],
} as const;

const hits = (rules: readonly RegExp[], s: string) => rules.some((r) => r.test(s));

/** "Click Apply to confirm" → "Apply"; "点击「应用」" → "应用". */
function clickLabel(s: string): string | undefined {
  const en = /\b(?:click|tap|press)(?:\s+on)?\s+(?:the\s+)?["'“]?([^"'”.,!?\n]+?)["'”]?(?:\s+button)?(?=\s+(?:to|and|for|if)\b|[.,!?]|\s*$)/i.exec(s);
  if (en) return en[1]!.trim();
  const zh = /点击\s*[「“"]?([^」”"，。！？\s]+?)[」”"]?(?:按钮)?(?=[，。！？\s]|$|来|以|即可)/.exec(s);
  return zh?.[1];
}

/** "Drag the title to the end" → "Move the title to the end" (an instruction the agent can run). */
function dragInstruction(clause: string): string {
  const s = clause
    .trim()
    .replace(/[.!?。！？]+$/u, '')
    .replace(/^(?:(?:you\s+can|just|simply|please|now)\s+)*/i, '')
    .replace(/\b(?:drag(?:\s+and\s+drop)?|drop)\b/i, 'move')
    .replace(/拖拽|拖动|拖放/, '移动');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Split into sentences, keeping each one's terminator and trailing whitespace. */
function sentences(text: string): string[] {
  return text.match(/[^.!?。！？\n]+(?:[.!?。！？]+|$)[ \t]*\n*|\n+/g) ?? [text];
}

/** Clauses of one sentence: ", then", ", or", ", and", "; ", "，", "然后". */
const CLAUSE_SPLIT = /\s*(?:,\s*(?:and\s+then|then|or|and)\s+|\s+and\s+then\s+|;\s*|，\s*|；\s*|然后|并且)\s*/i;

type Found = GuiAction | undefined;

function classifyClause(c: string): Found {
  if (hits(RULES.drag, c)) return { kind: 'edit', instruction: dragInstruction(c) };
  if (hits(RULES.export, c)) return { kind: 'export' };
  if (hits(RULES.preview, c) || hits(RULES.open, c)) return { kind: 'timeline' };
  if (hits(RULES.credits, c)) return { kind: 'credits' };
  if (/\b(click|tap|press)\b|点击/i.test(c)) {
    const label = clickLabel(c);
    if (label) return { kind: 'click', label };
  }
  return undefined;
}

const sameAction = (a: GuiAction, b: GuiAction) => JSON.stringify(a) === JSON.stringify(b);

export function translateGui(text: string): GuiTranslation {
  const actions: GuiAction[] = [];
  const out: string[] = [];
  for (const s of sentences(text)) {
    const zh = CJK.test(s);
    const trailing = /\s*$/.exec(s)?.[0] ?? '';
    const body = s.slice(0, s.length - trailing.length);
    const terminator = /[.!?。！？]+$/u.exec(body)?.[0] ?? '';
    const core = body.slice(0, body.length - terminator.length);
    const clauses = core.split(CLAUSE_SPLIT).filter((c) => c.trim() !== '');
    const kept: string[] = [];
    for (const c of clauses) {
      const found = classifyClause(c);
      if (!found) {
        kept.push(c.trim());
        continue;
      }
      if (!actions.some((a) => sameAction(a, found))) actions.push(found);
    }
    if (kept.length === clauses.length) {
      out.push(s); // no GUI wording: verbatim
      continue;
    }
    if (kept.length === 0) continue;
    let sentence = kept.join(zh ? '，' : ', ');
    sentence = sentence.charAt(0).toUpperCase() + sentence.slice(1);
    out.push(sentence + (terminator || (zh ? '。' : '.')) + (trailing || ' '));
  }
  return { text: out.join('').replace(/[ \t]+$/gm, '').trim(), actions };
}
