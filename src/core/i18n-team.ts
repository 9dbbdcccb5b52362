/**
 * Catalogue entries of the team features (costs, history, waiting times, iteration buttons), in
 * English and Chinese. Kept apart from i18n.ts only to keep each file short; i18n.ts spreads them
 * into the one catalogue, so `t` and the completeness test see a single set.
 */
type Params = Record<string, string | number | undefined>;
type Entry = { en: string | ((p: Params) => string); zh: string | ((p: Params) => string) };

export const teamMessages = {
  // costs
  'cost.line': {
    en: (p: Params) => `💳 Cost: ${p.cost ?? 0} credits · ${p.balance ?? '?'} left`,
    zh: (p: Params) => `💳 消耗：${p.cost ?? 0} 积分 · 剩余 ${p.balance ?? '?'}`,
  },
  'cost.low': {
    en: (p: Params) => `⚠️ Low balance: ${p.balance ?? '?'} credits left (a video costs about 100). Top up or register to keep going.`,
    zh: (p: Params) => `⚠️ 余额不足：仅剩 ${p.balance ?? '?'} 积分（一个视频约需 100）。请充值或注册以继续使用。`,
  },
  'charge.none': { en: '💳 You were not charged.', zh: '💳 本次未扣除积分。' },
  'charge.some': { en: (p: Params) => `💳 ${p.cost ?? '?'} credits were charged before it stopped.`, zh: (p: Params) => `💳 停止前已扣除 ${p.cost ?? '?'} 积分。` },
  'charge.unknown': { en: '💳 The service may still be finishing this work; check /credits to see whether it was charged.', zh: '💳 服务端可能仍在处理，请用 /credits 查看是否扣除了积分。' },
  // history
  'jobs.none': { en: 'No jobs in this chat yet.', zh: '此聊天还没有任务。' },
  'jobs.head': { en: (p: Params) => `🗂️ Recent jobs here (${p.count ?? 0}) — /show <id> posts a result again:`, zh: (p: Params) => `🗂️ 此聊天最近的任务（${p.count ?? 0} 个）— 用 /show <编号> 重新发送结果：` },
  'jobs.state.queued': { en: '🕒 waiting', zh: '🕒 排队中' },
  'jobs.state.running': { en: '⏳ running', zh: '⏳ 进行中' },
  'jobs.state.done': { en: '✅ done', zh: '✅ 完成' },
  'jobs.state.failed': { en: '❌ failed', zh: '❌ 失败' },
  'jobs.state.cancelled': { en: '🛑 cancelled', zh: '🛑 已取消' },
  'jobs.cost': { en: (p: Params) => `${p.cost ?? 0} credits`, zh: (p: Params) => `${p.cost ?? 0} 积分` },
  'jobs.kind.export': { en: '(export)', zh: '（导出）' },
  'show.usage': { en: 'Which one? Send /show <id> with an id from /jobs.', zh: '请指定任务：发送 /show <编号>（编号见 /jobs）。' },
  'show.unknown': { en: (p: Params) => `I have no job #${p.id ?? '?'} in this chat. /jobs lists the ones I know here.`, zh: (p: Params) => `此聊天没有编号为 #${p.id ?? '?'} 的任务。用 /jobs 查看列表。` },
  'show.no_video': { en: (p: Params) => `Job #${p.id ?? '?'} has no video to show.`, zh: (p: Params) => `任务 #${p.id ?? '?'} 没有可显示的视频。` },
  'show.caption': { en: (p: Params) => `🎬 Job #${p.id ?? '?'}${p.prompt ? `: “${p.prompt}”` : ''}`, zh: (p: Params) => `🎬 任务 #${p.id ?? '?'}${p.prompt ? `：“${p.prompt}”` : ''}` },
  // waiting
  'ack.eta': { en: (p: Params) => `⌛ Expected to start ${p.eta ?? 'soon'}.`, zh: (p: Params) => `⌛ 预计 ${p.eta ?? '稍后'} 开始。` },
  'eta.minutes': { en: (p: Params) => `in about ${p.minutes ?? 1} min`, zh: (p: Params) => `约 ${p.minutes ?? 1} 分钟后` },
  // personal tokens
  'login.group': { en: '🔒 Send /login only in a direct message to me: a token posted here is visible to everyone. If you just posted one, revoke it in your NemoVideo account.', zh: '🔒 请只在与我的私聊中使用 /login：在这里发送的凭证所有人都能看到。如果刚刚发了，请到 NemoVideo 账户中作废它。' },
  'login.disabled': { en: 'Personal accounts are not enabled on this bot (the admin has not set TOKEN_ENCRYPTION_KEY).', zh: '此机器人未启用个人账户（管理员未设置 TOKEN_ENCRYPTION_KEY）。' },
  'login.usage': { en: 'Send /login <your Nemo API token> (from nemovideo.com/dashboard/api-tokens).', zh: '请发送 /login <你的 Nemo API 凭证>（在 nemovideo.com/dashboard/api-tokens 获取）。' },
  'login.done': { en: '🔑 Saved (encrypted). Your jobs now use your own Nemo account, here and in groups (each group gets your own project); your message with the token was deleted where I could. /logout forgets it.', zh: '🔑 已加密保存。你的任务（包括群组中的任务）将使用你自己的 Nemo 账户，每个群组里都是你自己的项目；含凭证的消息已尽可能删除。/logout 可随时移除。' },
  'logout.done': { en: '🔓 Forgotten. Your jobs use the bot\'s account again.', zh: '🔓 已移除。你的任务将重新使用机器人的账户。' },
  'error.auth_personal': { en: '🔑 NemoVideo did not accept your own token (it may have expired or been revoked). Send /login with a new one in a direct message to me, or /logout to use the bot\'s account.', zh: '🔑 NemoVideo 未接受你自己的凭证（可能已过期或被作废）。请在私聊中用 /login 发送新凭证，或用 /logout 改用机器人的账户。' },
  'logout.none': { en: 'You are not logged in.', zh: '你尚未登录。' },
  // iteration buttons
  'btn.vertical': { en: '📱 Vertical 9:16', zh: '📱 竖屏 9:16' },
  'btn.square': { en: '⬛ Square 1:1', zh: '⬛ 方形 1:1' },
  'btn.open': { en: '🌐 Open in NemoVideo', zh: '🌐 在 NemoVideo 中打开' },
  'btn.delete': { en: '🗑️ Delete', zh: '🗑️ 删除' },
  'ack.open': { en: '🌐 Getting a link to your project…', zh: '🌐 正在获取项目链接…' },
  'open.link': { en: (p: Params) => `🌐 Open your project in NemoVideo (a claim link, valid for a few days): ${p.url ?? ''}`, zh: (p: Params) => `🌐 在 NemoVideo 中打开项目（认领链接，几天内有效）：${p.url ?? ''}` },
  'btn.remix': { en: '🎛️ Remix', zh: '🎛️ 改编' },
  'remix.ask': {
    en: (p: Params) => `🎛️ Remix: reply to this message with the new prompt. The last one was:\n${p.prompt ?? ''}`,
    zh: (p: Params) => `🎛️ 改编：回复此消息并写下新的描述。上一次的描述是：\n${p.prompt ?? ''}`,
  },
  'remix.placeholder': { en: 'Your new prompt', zh: '新的描述' },
  'remix.title': { en: 'Remix', zh: '改编' },
  'remix.label': { en: 'Prompt', zh: '描述' },
  'aspect.prompt': {
    en: (p: Params) => `Change the aspect ratio of the video to ${p.ratio ?? '9:16'} and get it ready to export.`,
    zh: (p: Params) => `请把视频的画面比例改为 ${p.ratio ?? '9:16'}，并准备好导出。`,
  },
  'delete.refused': { en: 'Only the person who asked for this video (or an admin) can delete it.', zh: '只有发起该视频的人（或管理员）才能删除它。' },
  'delete.done': { en: '🗑️ Deleted.', zh: '🗑️ 已删除。' },
  // a private notice sent to the person's direct chat instead of the group it is about
  'notice.from_group': {
    en: (p: Params) => `💬 In “${p.group ?? 'a group'}”: ${p.text ?? ''}`,
    zh: (p: Params) => `💬 在「${p.group ?? '群组'}」中：${p.text ?? ''}`,
  },
} satisfies Record<string, Entry>;
