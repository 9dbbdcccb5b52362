/**
 * The bot's commands, in one place, with English and Chinese descriptions.
 *
 * Each platform adapter registers these in its own way (a command menu per language, slash commands
 * with localized descriptions), so every platform offers the same set with the same words.
 */
export interface CommandSpec {
  name: 'start' | 'help' | 'video' | 'export' | 'credits' | 'status' | 'new' | 'cancel' | 'jobs' | 'show' | 'login' | 'logout' | 'admin' | 'lang';
  description: { en: string; zh: string };
  /** Only `video` takes a prompt (and, where the platform has command options, an optional file). */
  takesPrompt?: boolean;
  /** A required text argument (`/show <id>`), as a typed option where the platform has them. */
  argument?: { name: string; description: { en: string; zh: string }; optional?: boolean };
  /** Only for the user who runs it: answered privately where the platform can (a token, admin settings). */
  private?: boolean;
  /** The greeting a platform sends when a chat opens (`/start`): registered only where that is the custom. */
  greeting?: boolean;
}

export const COMMANDS: readonly CommandSpec[] = [
  { name: 'start', description: { en: 'Start and see what I can do', zh: '开始使用，查看功能' }, greeting: true },
  { name: 'video', description: { en: 'Make a video from a prompt (and an image)', zh: '根据描述（和图片）生成视频' }, takesPrompt: true },
  { name: 'export', description: { en: 'Export the current project as an MP4', zh: '导出当前项目为 MP4' } },
  { name: 'credits', description: { en: 'Show your credit balance', zh: '查看积分余额' } },
  { name: 'status', description: { en: 'Show the project timeline', zh: '查看项目时间线' } },
  { name: 'new', description: { en: 'Start a fresh project', zh: '开始新项目' } },
  { name: 'cancel', description: { en: 'Cancel your running and waiting jobs', zh: '取消进行中和排队的任务' } },
  { name: 'jobs', description: { en: 'Recent jobs in this chat', zh: '此聊天最近的任务' } },
  { name: 'show', description: { en: 'Post a finished video again', zh: '重新发送已完成的视频' }, argument: { name: 'id', description: { en: 'The job id from /jobs', zh: '/jobs 中的任务编号' } } },
  { name: 'login', description: { en: 'Use your own Nemo account (in a DM)', zh: '使用你自己的 Nemo 账户（私聊）' }, private: true, argument: { name: 'token', description: { en: 'Your Nemo API token', zh: '你的 Nemo API 凭证' } } },
  { name: 'logout', description: { en: 'Forget your own Nemo account', zh: '移除你自己的 Nemo 账户' }, private: true },
  { name: 'admin', description: { en: 'Server or chat settings (admins)', zh: '服务器或群组设置（管理员）' }, private: true, argument: { name: 'settings', description: { en: 'e.g. quota 5, block <word>, pause, cancel <job>', zh: '例如 quota 5、block <词>、pause、cancel <任务>' }, optional: true } },
  { name: 'lang', description: { en: 'Language of this conversation (en, zh, auto)', zh: '此会话的语言（en、zh、auto）' }, argument: { name: 'language', description: { en: 'en, zh or auto', zh: 'en、zh 或 auto' } } },
  { name: 'help', description: { en: 'How to use this bot', zh: '使用帮助' } },
];

/** Descriptions of the `/video` options, for platforms whose commands take typed options. */
export const VIDEO_OPTION_DESCRIPTIONS = {
  prompt: { en: 'What the video should show', zh: '视频内容描述' },
  image: { en: 'An image (or video) to animate', zh: '要制作成视频的图片（或视频）' },
} as const;

/** Map a platform locale (`zh-CN`, `zh-hans`, `zh_TW`, `en-US`) to a supported language. */
export function languageOf(locale: string | undefined): 'en' | 'zh' {
  return locale && /^zh/i.test(locale) ? 'zh' : 'en';
}
