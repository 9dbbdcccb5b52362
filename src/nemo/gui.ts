/**
 * "GUI translation" (seed §4): the backend agent answers as if the user sat in the web editor
 * ("Click Export to download it", "open the panel", "drag the clip"). A chat user has no such
 * buttons, so each such sentence is rewritten into something they can do here, and the matching bot
 * action is reported so the adapter can offer a button:
 *   click/点击 … Export/导出  → action `export`
 *   open/打开 (a panel, the timeline …), "preview in timeline" → action `status`
 *   drag/drop/拖拽 → stays an edit: "tell me what to change"
 *   billing → action `credits`
 * Sentences without GUI wording are kept verbatim; English and Chinese inputs are handled.
 * With `exportHandled` (the bot exports on its own) the export sentence says so instead of asking.
 */
export type GuiAction = 'export' | 'status' | 'credits';

export interface GuiTranslation {
  text: string;
  actions: GuiAction[];
}

const CJK = /[\u3400-\u9fff]/;

const SAY = {
  export: { en: 'Reply "export" or press Export below to get the MP4.', zh: '回复"导出"或点击下方的导出按钮获取 MP4。' },
  status: { en: 'Reply "status" to see the current timeline.', zh: '回复"状态"查看当前时间线。' },
  credits: { en: 'Reply "credits" to check your balance.', zh: '回复"积分"查看余额。' },
  /** When the bot exports on its own, it says so instead of asking the user to. */
  exporting: { en: 'I\'m exporting the MP4 for you now.', zh: '我正在为你导出 MP4。' },
  drag: { en: 'Tell me what to move or change (e.g. "move the title to the end") and I\'ll do it.', zh: '直接告诉我要移动或修改什么（例如"把标题移到结尾"），我来处理。' },
} as const;

const GUI_NOUN = 'panel|tab|timeline|editor|menu|settings|project|preview|sidebar|window|dialog|view|track|workspace|library|page|inspector|properties';

const RULES = {
  export: [
    /\b(click|tap|press|hit|select|choose|use|open|go to)\b[^.!?\n]*\b(export|download)\b/i,
    /\b(export|download)\s+(button|panel|menu|tab|dialog)\b/i,
    /(点击|点|按|选择|使用|打开)[^。！？\n]*(导出|下载)/,
    /(导出|下载)(按钮|面板|菜单)/,
  ],
  drag: [/\bdrag(ging|ged)?\b/i, /\bdrop\b[^.!?\n]*\b(onto|into|on to)\b/i, /拖拽|拖动|拖放/],
  /** "open the … panel": dropped when the same sentence is about opening Export. */
  open: [
    new RegExp(`\\b(open|expand|view)\\b[^.!?\\n]*\\b(${GUI_NOUN})\\b`, 'i'),
    /打开[^。！？\n]*(面板|时间线|时间轴|编辑器|菜单|设置|项目|预览|窗口|轨道)/,
  ],
  preview: [/\bpreview\b[^.!?\n]*\b(in|on)\s+(the\s+)?timeline\b/i, /(时间线|时间轴)[^。！？\n]*预览|预览[^。！？\n]*(时间线|时间轴)/],
  credits: [/\bbilling\b/i, /充值|账单|计费/],
} as const;

const hits = (rules: readonly RegExp[], s: string) => rules.some((r) => r.test(s));

/** A generic "Click X" (not one of the rules): tell the user to say X instead. */
function rewriteClick(s: string): string | undefined {
  const en = /\b(click|tap|press)(\s+on)?\s+(the\s+)?["'“]?([^"'”.,!?\n]+?)["'”]?(\s+button)?(?=\s+(to|and|for|if)\b|[.,!?]|\s*$)/i;
  const m = en.exec(s);
  if (m) {
    const verb = m[1]![0] === m[1]![0]!.toUpperCase() ? 'Say' : 'say';
    return s.slice(0, m.index) + `${verb} "${m[4]!.trim()}"` + s.slice(m.index + m[0].length);
  }
  const zh = /点击\s*[「“"]?([^」”"，。！？\s]+?)[」”"]?(按钮)?(?=[，。！？\s]|$|来|以|即可)/.exec(s);
  if (zh) return s.slice(0, zh.index) + `回复"${zh[1]}"` + s.slice(zh.index + zh[0].length);
  return undefined;
}

/** Split into sentences, keeping each one's terminator and trailing whitespace. */
function sentences(text: string): string[] {
  return text.match(/[^.!?。！？\n]+(?:[.!?。！？]+|$)[ \t]*\n*|\n+/g) ?? [text];
}

export function translateGui(text: string, opts: { exportHandled?: boolean } = {}): GuiTranslation {
  const actions: GuiAction[] = [];
  const said = new Set<string>();
  const addAction = (a: GuiAction) => {
    if (!actions.includes(a)) actions.push(a);
  };
  const out: string[] = [];
  for (const s of sentences(text)) {
    const zh = CJK.test(s);
    const trailing = /\s*$/.exec(s)?.[0] ?? '';
    const found: Array<GuiAction | 'drag'> = [];
    if (hits(RULES.drag, s)) found.push('drag');
    const isExport = hits(RULES.export, s);
    if (hits(RULES.preview, s) || (!isExport && hits(RULES.open, s))) found.push('status');
    if (hits(RULES.credits, s)) found.push('credits');
    if (isExport) found.push('export');
    if (found.length === 0) {
      out.push(/\b(click|tap|press)\b|点击/i.test(s) ? (rewriteClick(s) ?? s) : s);
      continue;
    }
    const replacement: string[] = [];
    for (const f of found) {
      if (f !== 'drag') addAction(f);
      const line = SAY[f === 'export' && opts.exportHandled ? 'exporting' : f][zh ? 'zh' : 'en'];
      if (!said.has(line)) {
        said.add(line);
        replacement.push(line);
      }
    }
    if (replacement.length) out.push(replacement.join(zh ? '' : ' ') + (trailing || (zh ? '' : ' ')));
  }
  return { text: out.join('').replace(/[ \t]+$/gm, '').trim(), actions };
}
