/**
 * Intent routing: the seed's table (export / credits / status / upload, in English and Chinese)
 * plus commands. Everything else is a chat turn over SSE.
 *
 * The keyword intents only fire on short messages that are *about* that action ("export", "send me
 * the video", "余额?"), so a prompt such as "make a video about my credit card" stays a chat turn.
 */
import type { IncomingMessage } from './message.js';

export type Intent =
  | { kind: 'turn'; prompt: string } // upload (if files) then a chat turn; empty prompt + files = upload only
  | { kind: 'export' }
  | { kind: 'credits' }
  | { kind: 'status' }
  | { kind: 'upload_hint' } // "upload" without a file
  | { kind: 'help' }
  | { kind: 'new' }
  | { kind: 'cancel' }
  | { kind: 'button'; id: string }
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
        return { kind: 'cancel' };
      case 'start':
      case 'help':
        return { kind: 'help' };
      default:
        break; // unknown command: treat its text as a prompt
    }
  }
  if (msg.attachments.length) return { kind: 'turn', prompt: text };
  if (!text) return { kind: 'empty' };
  const n = normalize(text);
  if (matches(EXPORT, n)) return { kind: 'export' };
  if (matches(CREDITS, n)) return { kind: 'credits' };
  if (matches(STATUS, n)) return { kind: 'status' };
  if (matches(UPLOAD, n)) return { kind: 'upload_hint' };
  return { kind: 'turn', prompt: text };
}
