/**
 * Intent routing: the seed's table (export / credits / status / upload, in English and Chinese)
 * plus commands. Everything else is a chat turn over SSE.
 *
 * The skill routes "via keyword and intent classification": a short, command-like message that
 * contains an export, credits, status or upload word goes to that action ("please export my video",
 * "can you send me the video", "帮我导出", "how many credits do I have"). A message that also asks for
 * an edit or a new video ("export it in 9:16 with a title", "make a video about my credit card"),
 * or says not to ("don't export yet", "先别导出"), stays a chat turn for the agent. An unknown
 * `/command` never reaches Nemo: it gets a short help answer.
 */
import type { IncomingMessage } from './message.js';

export type Intent =
  | { kind: 'turn'; prompt: string } // upload (if files) then a chat turn; empty prompt + files = upload only
  | { kind: 'export' }
  | { kind: 'credits' }
  | { kind: 'status' }
  | { kind: 'open' } // the project's claim link (the Open in NemoVideo button)
  | { kind: 'upload_hint' } // "upload" without a file
  | { kind: 'help' }
  | { kind: 'new' }
  | { kind: 'cancel'; id?: string } // with an id: that job only
  | { kind: 'jobs' } // the conversation's recent jobs
  | { kind: 'show'; id: string } // post a finished job's video again
  | { kind: 'login'; token: string } // the user's own Nemo token (never sent to Nemo as a prompt)
  | { kind: 'logout' }
  | { kind: 'admin'; args: string } // settings of this server or chat (admins only)
  | { kind: 'lang'; args: string } // this conversation's language (en | zh | auto)
  | { kind: 'button'; id: string }
  | { kind: 'unknown_command'; name: string } // `/jobs`: a short help answer, never sent to Nemo
  | { kind: 'empty' };

const EXPORT = [
  /^(?:please\s+)?(?:export|download|render)(?:\s+(?:it|this|that|the\s+video|video|the\s+mp4|mp4|now|again|please))*$/,
  /^(?:please\s+)?(?:send|give)\s+me\s+(?:the\s+|my\s+)?(?:video|mp4|file|clip)(?:\s+please)?$/,
  /^(?:请)?(?:导出|下载)(?:视频|一下|吧)?$/,
  /^(?:把)?视频(?:发给我|导出)$/,
];
const CREDITS = [
  /^(?:my\s+|check\s+(?:my\s+)?)?(?:credits?|balance)(?:\s+left)?$/,
  /^how\s+many\s+credits(?:\s+do\s+i\s+have)?(?:\s+left)?$/,
  /^(?:查询?|查看)?(?:我的)?(?:积分|余额)(?:还有多少|多少)?$/,
];
const STATUS = [
  /^(?:status|project\s+status|show\s+(?:the\s+)?(?:tracks|timeline|status)|timeline|tracks)$/,
  /^(?:查看)?(?:状态|时间线|轨道)$/,
];
const UPLOAD = [/^(?:upload|上传)(?:\s+(?:a\s+)?(?:file|image|video|photo))?$/];

/** Lower-case, trimmed, trailing punctuation removed. */
function normalize(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s.!?。！？~]+$/u, '')
    .replace(/\s+/g, ' ');
}

const matches = (patterns: RegExp[], text: string) => patterns.some((re) => re.test(text));

/** `/name` or `/name@bot` at the start of a message (Telegram delivers unknown commands as text). */
const SLASH_COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?=\s|$)/;

/** "Short and command-like": at most this many words (Latin) or characters (Chinese). */
const MAX_WORDS = 9;
const MAX_CJK_CHARS = 16;

/** Saying NOT to do it, or not yet. */
const NEGATION = [/\b(?:don'?t|do\s+not|dont|not\s+yet|no\s+need|never|stop|wait|hold\s+off|before|until|without)\b/, /不要|别|先不|不用|暂时不|还不|不需要|无需|等一下|等等|之前/];
/** Asking for an edit or a new video: the agent's job, whatever else the message mentions. */
const EDIT = [
  /\b(?:add|adding|change|replace|remove|delete|trim|cut|shorten|shorter|longer|faster|slower|speed|make|create|generate|animate|turn|put|insert|move|title|subtitles?|captions?|text|music|bgm|song|soundtrack|voice|effects?|filter|transitions?|style|colou?r|aspect|ratio|vertical|horizontal|portrait|landscape|square|resolution|about|with|then|story|edit)\b/,
  /\b\d{1,2}\s*:\s*\d{1,2}\b|\b\d{3,4}p\b|\b4k\b|\b\d+\s*(?:s|sec|secs|seconds?)\b/,
  /加|添加|改|修改|换|替换|删除|去掉|剪|裁|缩短|加速|减速|标题|字幕|文字|音乐|配乐|特效|滤镜|转场|风格|颜色|竖屏|横屏|比例|分辨率|生成|制作|做成|做一个|然后|并且|关于|秒/,
];
const EXPORT_WORDS = [
  /\b(?:export|exporting|download|render|save)\b/,
  /\bsend\s+(?:it|me|over|that|this)\b/,
  /\b(?:send|give|share)\b.*\b(?:the|my|that|this)\s+(?:video|mp4|file|clip|result)\b/,
  /导出|下载|发给我|发我|给我视频|保存视频/,
];
const CREDITS_WORDS = [/\b(?:credits?|balance)\b/, /积分|余额|点数/];
const STATUS_WORDS = [/\b(?:status|timeline|tracks|progress)\b/, /\bshow\b.*\b(?:project|tracks?|timeline)\b/, /状态|时间线|时间轴|轨道|进度/];
const UPLOAD_WORDS = [/\b(?:upload|attach)\b/, /上传/];

/** Short enough to be a request for an action rather than a description for the agent. */
function isShort(n: string): boolean {
  const cjk = (n.match(/[\u3400-\u9fff]/g) ?? []).length;
  const words = n.replace(/[\u3400-\u9fff]/g, ' ').split(/\s+/).filter(Boolean).length;
  return cjk <= MAX_CJK_CHARS && words <= MAX_WORDS;
}

/** Keyword and intent classification of a message that matched none of the exact phrasings. */
function classify(n: string): Intent['kind'] | undefined {
  if (!isShort(n) || matches(NEGATION, n) || matches(EDIT, n)) return undefined;
  if (matches(EXPORT_WORDS, n)) return 'export';
  if (matches(CREDITS_WORDS, n)) return 'credits';
  if (matches(STATUS_WORDS, n)) return 'status';
  if (matches(UPLOAD_WORDS, n)) return 'upload_hint';
  return undefined;
}

/** Decide what a message asks for. */
export function routeIntent(msg: Pick<IncomingMessage, 'text' | 'attachments' | 'command' | 'button'>): Intent {
  if (msg.button) return { kind: 'button', id: msg.button.id };
  const text = msg.text.trim();
  if (msg.command) {
    switch (msg.command.name) {
      case 'video':
        return msg.command.args.trim() || msg.attachments.length ? { kind: 'turn', prompt: msg.command.args.trim() } : { kind: 'help' };
      case 'export':
        return { kind: 'export' };
      case 'credits':
        return { kind: 'credits' };
      case 'status':
        return { kind: 'status' };
      case 'new':
        return { kind: 'new' };
      case 'cancel':
        return msg.command.args.trim() ? { kind: 'cancel', id: msg.command.args.trim() } : { kind: 'cancel' };
      case 'admin':
        return { kind: 'admin', args: msg.command.args };
      case 'lang':
        return { kind: 'lang', args: msg.command.args };
      case 'jobs':
        return { kind: 'jobs' };
      case 'show':
        return { kind: 'show', id: msg.command.args.trim() };
      case 'login':
        return { kind: 'login', token: msg.command.args.trim() };
      case 'logout':
        return { kind: 'logout' };
      case 'start':
      case 'help':
        return { kind: 'help' };
      default:
        return { kind: 'unknown_command', name: msg.command.name };
    }
  }
  const slash = SLASH_COMMAND.exec(text);
  if (slash) {
    const name = slash[1]!.toLowerCase();
    // A token typed as text must never fall through to a turn or an echo.
    if (name === 'login') return { kind: 'login', token: text.slice(slash[0].length).trim() };
    if (name === 'logout') return { kind: 'logout' };
    return { kind: 'unknown_command', name };
  }
  if (msg.attachments.length) return { kind: 'turn', prompt: text };
  if (!text) return { kind: 'empty' };
  const n = normalize(text);
  if (matches(EXPORT, n)) return { kind: 'export' };
  if (matches(CREDITS, n)) return { kind: 'credits' };
  if (matches(STATUS, n)) return { kind: 'status' };
  if (matches(UPLOAD, n)) return { kind: 'upload_hint' };
  const kind = classify(n);
  if (kind === 'export' || kind === 'credits' || kind === 'status' || kind === 'upload_hint') return { kind };
  return { kind: 'turn', prompt: text };
}
