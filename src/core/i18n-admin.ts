/**
 * Catalogue entries of /admin, /cancel <id> and /lang (en + zh), spread into the one catalogue by
 * i18n.ts like the team entries.
 */
type Params = Record<string, string | number | undefined>;
type Entry = { en: string | ((p: Params) => string); zh: string | ((p: Params) => string) };

export const adminMessages = {
  'admin.refused': { en: '🔒 Only server or chat admins can use /admin.', zh: '🔒 只有服务器或群组管理员可以使用 /admin。' },
  'admin.settings': {
    en: (p: Params) =>
      `⚙️ Settings here\n• Daily generations per user: ${p.quota ?? 'no limit'}\n• Jobs per conversation: ${p.concurrency ?? '?'}\n• Channels: ${p.channels ?? 'all'}\n• Default language: ${p.language ?? 'auto'}\n• Blocked: ${p.blocked ?? 'none'}\n• Queue: ${p.paused ?? 'running'}\n\nChange: /admin quota <n|off> · concurrency <n|off> · channels here|add <id>|remove <id>|clear · language en|zh|auto · block <word or /re/> · unblock <word> · pause · resume · cancel <job> · retry <job>`,
    zh: (p: Params) =>
      `⚙️ 当前设置\n• 每人每日生成次数：${p.quota ?? '不限'}\n• 每个会话任务数：${p.concurrency ?? '?'}\n• 频道：${p.channels ?? '全部'}\n• 默认语言：${p.language ?? '自动'}\n• 屏蔽词：${p.blocked ?? '无'}\n• 队列：${p.paused ?? '运行中'}\n\n修改：/admin quota <次数|off> · concurrency <数量|off> · channels here|add <id>|remove <id>|clear · language en|zh|auto · block <词或 /正则/> · unblock <词> · pause · resume · cancel <任务> · retry <任务>`,
  },
  'admin.paused_word': { en: '⏸️ paused', zh: '⏸️ 已暂停' },
  'admin.unknown': { en: (p: Params) => `I did not understand “${p.args ?? ''}”. Send /admin to see the settings and how to change them.`, zh: (p: Params) => `无法识别“${p.args ?? ''}”。发送 /admin 查看设置及修改方法。` },
  'admin.saved': { en: '✅ Saved.', zh: '✅ 已保存。' },
  'admin.cancelled': { en: (p: Params) => `🛑 Job #${p.id ?? '?'} cancelled.`, zh: (p: Params) => `🛑 任务 #${p.id ?? '?'} 已取消。` },
  'admin.not_running': { en: (p: Params) => `Job #${p.id ?? '?'} is not waiting or running.`, zh: (p: Params) => `任务 #${p.id ?? '?'} 不在排队或运行中。` },
  'refuse.paused': { en: '⏸️ An admin paused the bot here for now. Please try again later.', zh: '⏸️ 管理员暂时暂停了这里的机器人，请稍后再试。' },
  'refuse.channel': { en: '🚫 I do not take requests in this channel. Ask an admin which channels I work in.', zh: '🚫 我不在此频道接受请求。请向管理员询问可用的频道。' },
  'refuse.blocked': { en: '🚫 That request contains something not allowed here, so I did not send it.', zh: '🚫 该请求包含此处不允许的内容，未发送。' },
  'refuse.quota': { en: (p: Params) => `🙋 You have used your ${p.quota ?? '?'} generations for today here. The quota resets at midnight UTC.`, zh: (p: Params) => `🙋 你今天在这里的 ${p.quota ?? '?'} 次生成已用完，配额于 UTC 午夜重置。` },
  'cancel.foreign': { en: 'That job is someone else’s: only they or an admin can cancel it.', zh: '该任务属于其他人：只有发起人或管理员可以取消。' },
  'lang.set': { en: (p: Params) => `🌐 I will answer in ${p.language ?? 'English'} in this conversation.`, zh: (p: Params) => `🌐 在此会话中我将使用${p.language ?? '中文'}回答。` },
  'lang.auto': { en: '🌐 I will follow each message’s language again.', zh: '🌐 我将重新根据每条消息的语言回答。' },
  'lang.usage': { en: 'Send /lang en, /lang zh or /lang auto.', zh: '请发送 /lang en、/lang zh 或 /lang auto。' },
  'lang.name.en': { en: 'English', zh: '英文' },
  'lang.name.zh': { en: 'Chinese', zh: '中文' },
} satisfies Record<string, Entry>;
