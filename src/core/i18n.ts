/**
 * Every sentence the bot says, in English and Chinese, in one catalogue.
 *
 * Errors from the Nemo client carry only a key (`error.<kind>`); local failures use their own keys.
 * Messages are short and say what to do next, so one place decides the bot's voice.
 */
import type { TimelineWords } from '../nemo/draft.js';
import type { NemoErrorKind } from '../nemo/errors.js';
import { adminMessages } from './i18n-admin.js';
import { teamMessages } from './i18n-team.js';

export type Lang = 'en' | 'zh';
type Params = Record<string, string | number | undefined>;
type Entry = { en: string | ((p: Params) => string); zh: string | ((p: Params) => string) };

const errors: Record<`error.${NemoErrorKind}`, Entry> = {
  'error.auth': { en: '🔑 The video service did not accept our sign-in. Please try again in a moment; if it keeps happening, tell the bot admin.', zh: '🔑 视频服务未接受登录凭证。请稍后再试；如持续出现，请联系管理员。' },
  'error.session_lost': { en: '♻️ Your previous project expired, so I started a new one.', zh: '♻️ 之前的项目已失效，已为你新建项目。' },
  'error.no_credits': {
    en: (p) => (p.registerUrl ? `💳 Out of free credits. Register to keep your project and get more: ${p.registerUrl}` : `💳 Out of credits. Top up in your account: ${p.topUpUrl ?? 'nemovideo.com'}`),
    zh: (p) => (p.registerUrl ? `💳 免费积分已用完。注册即可保留项目并获得更多积分：${p.registerUrl}` : `💳 积分不足。请在账户中充值：${p.topUpUrl ?? 'nemovideo.com'}`),
  },
  'error.plan_blocked': {
    en: (p) => `🔒 Export is blocked on the free plan (this is the plan, not your credits). Register or upgrade your plan to unlock export.${p.registerUrl ? ` ${p.registerUrl}` : ''}`,
    zh: (p) => `🔒 免费套餐无法导出（与积分无关）。请注册或升级套餐以解锁导出。${p.registerUrl ? ` ${p.registerUrl}` : ''}`,
  },
  'error.unsupported_file': { en: (p) => `📎 ${p.fileName ? `"${p.fileName}" is` : 'That file is'} not a supported type. I accept: ${p.types}.`, zh: (p) => `📎 ${p.fileName ? `“${p.fileName}”` : '该文件'}格式不受支持。支持：${p.types}。` },
  'error.file_too_large': { en: (p) => `📦 ${p.fileName ? `"${p.fileName}" is` : 'That file is'} too large (max ${p.maxMb} MB). Compress or trim it and send it again.`, zh: (p) => `📦 ${p.fileName ? `“${p.fileName}”` : '文件'}太大（上限 ${p.maxMb} MB）。请压缩或剪短后重新发送。` },
  'error.rate_limited': { en: '🚦 The video service is busy right now. Please try again in a minute.', zh: '🚦 视频服务繁忙，请一分钟后再试。' },
  'error.token_quota': {
    en: '🚦 The free trial of the video service is used up for this bot for now: it hands out only a few free starter accounts per network address each week, and I already tried again. Please come back in a few days, or ask the bot admin to connect a Nemo account (NEMO_TOKEN).',
    zh: '🚦 视频服务的免费体验名额暂时用完了：每个网络地址每周只发放少量免费体验账号，已重试过一次。请过几天再来，或请管理员接入 Nemo 账号（NEMO_TOKEN）。',
  },
  'error.missing_client_id': { en: '⚠️ Could not get a free starter token. Please try again later.', zh: '⚠️ 暂时无法获取免费体验凭证，请稍后再试。' },
  'error.forbidden': { en: '🔒 This token is not allowed to do that. Ask the bot admin for a token with more access.', zh: '🔒 当前凭证无此权限，请联系管理员。' },
  'error.stream_timeout': { en: '⌛ The video service took too long and I stopped waiting. Nothing was sent twice; try again or check /status.', zh: '⌛ 视频服务响应超时，已停止等待。请重试或使用 /status 查看。' },
  'error.stream_idle': { en: '⌛ The video service kept me waiting with no result. Try again, or check /status in a few minutes.', zh: '⌛ 视频服务长时间无结果。请重试，或几分钟后用 /status 查看。' },
  'error.stream_stalled': { en: '📡 I lost contact with the video service. Try again, or check /status in a few minutes.', zh: '📡 与视频服务失去联系。请重试，或几分钟后用 /status 查看。' },
  'error.stream_dropped': { en: '📡 The connection to the video service dropped and the project did not change. Please try again.', zh: '📡 与视频服务的连接中断，项目没有变化。请重试。' },
  'error.stream_error': { en: '⚠️ The video service hit an error while working on that. Please try again.', zh: '⚠️ 视频服务处理时出错，请重试。' },
  'error.render_failed': { en: '🎞️ Rendering the video failed twice. Press Retry or send "export" to try again.', zh: '🎞️ 视频渲染两次失败。请点“重试”或发送“导出”再试一次。' },
  'error.render_timeout': { en: '🎞️ Rendering is taking far longer than usual, so I stopped waiting. Send "export" to try again.', zh: '🎞️ 渲染耗时过长，已停止等待。发送“导出”可重试。' },
  'error.render_not_found': { en: '🎞️ The render job disappeared on the service side. Send "export" to start it again.', zh: '🎞️ 渲染任务在服务端丢失。发送“导出”重新开始。' },
  'error.download_failed': { en: '📥 The video was rendered but I could not download it. Send "export" to try again.', zh: '📥 视频已渲染，但下载失败。发送“导出”重试。' },
  'error.download_too_large': { en: '📥 The rendered video is larger than this bot may download.', zh: '📥 渲染出的视频超出了机器人可下载的大小。' },
  'error.bad_response': { en: '⚠️ The video service sent an answer I could not understand. Please try again later.', zh: '⚠️ 视频服务返回了无法识别的结果，请稍后再试。' },
  'error.backend': { en: '⚠️ The video service had a problem. Please try again in a moment.', zh: '⚠️ 视频服务出现问题，请稍后再试。' },
  'error.network': { en: '📡 I could not reach the video service. Please try again in a moment.', zh: '📡 无法连接视频服务，请稍后再试。' },
  'error.cancelled': { en: '🛑 Cancelled.', zh: '🛑 已取消。' },
};

/** The icon of one file in the acknowledgement, by `type` (`video`, `audio`, `link`, `image`). */
const FILE_ICONS: Readonly<Record<string, string>> = { video: '🎞️', audio: '🎵', link: '🔗', image: '🖼️' };

const messages = {
  ...errors,
  'error.delivery_uncertain': { en: '📡 Sending your video was interrupted and I cannot tell whether it arrived. If you do not see it above, press Retry (or send "export") to get it again.', zh: '📡 发送视频时中断，无法确定是否已送达。如果上方没有看到视频，请点“重试”（或发送“导出”）重新获取。' },
  'error.input_fetch': { en: (p: Params) => `📎 I could not fetch ${p.fileName ? `"${p.fileName}"` : 'your file'} from the chat. Please send it again.`, zh: (p: Params) => `📎 无法从聊天中获取${p.fileName ? `“${p.fileName}”` : '你的文件'}，请重新发送。` },
  'error.file_mismatch': { en: (p: Params) => `📎 ${p.fileName ? `"${p.fileName}"` : 'That file'} is not what its name says (it looks like ${p.actual}). I accept: ${p.types}.`, zh: (p: Params) => `📎 ${p.fileName ? `“${p.fileName}”` : '该文件'}的内容与文件名不符（看起来是 ${p.actual}）。支持：${p.types}。` },
  ...teamMessages,
  ...adminMessages,
  'error.internal': { en: '⚠️ Something went wrong on my side. Please try again.', zh: '⚠️ 内部出错，请重试。' },
  'refuse.platform_download': { en: (p: Params) => `📦 "${p.fileName}" is ${p.size}; bots on this platform can only fetch files up to ${p.maxMb} MB. Send a smaller file, or paste a link to it.`, zh: (p: Params) => `📦 “${p.fileName}” 大小为 ${p.size}，机器人最多只能获取 ${p.maxMb} MB 的文件。请发送更小的文件，或发送文件链接。` },
  'refuse.user_full': { en: (p: Params) => `🙋 You already have ${p.count} waiting. I'll take more once one of them finishes (or /cancel one).`, zh: (p: Params) => `🙋 你已有 ${p.count} 个任务在排队。请等其中一个完成后再发送（或用 /cancel 取消）。` },
  'refuse.conversation_full': { en: (p: Params) => `🚦 This chat already has ${p.count} jobs waiting. Please send this again once the line gets shorter.`, zh: (p: Params) => `🚦 此聊天已有 ${p.count} 个任务在排队。请在队伍变短后再发送。` },
  'refuse.slow_down': { en: '🐢 Slow down a little: you sent a lot of messages at once. I skipped the extra ones; send your request again in a minute.', zh: '🐢 请慢一点：你一次发送了太多消息，多出的已忽略。请一分钟后再发送。' },
  'inbox.kept': { en: "⏳ I can't take this in right now, but I've kept your message and will get to it shortly.", zh: '⏳ 暂时无法处理，但你的消息已保存，我稍后会处理。' },
  'inbox.full': { en: "🚦 I'm overloaded and could not keep your message. Please try again shortly.", zh: '🚦 当前负载过高，未能保存你的消息。请稍后再试。' },
  'error.interrupted': { en: '⚠️ This job was interrupted several times on my side, so I stopped it. Please send your request again.', zh: '⚠️ 该任务在我这边多次中断，已停止。请重新发送请求。' },
  'refuse.empty': { en: 'Send me an image or describe the video you want. Type /help for examples.', zh: '发送图片或描述你想要的视频即可。输入 /help 查看示例。' },
  'upload.ask_file': { en: (p: Params) => `📎 Send the file here (${p.types}; up to ${p.maxMb} MB).`, zh: (p: Params) => `📎 请直接发送文件（${p.types}；最大 ${p.maxMb} MB）。` },
  help: {
    en: '🎬 I turn images and prompts into videos.\n• Send an image with a caption, e.g. "turn this image into a 5-second animated video clip"\n• Or just describe the video you want\n• Then refine: "add lo-fi music", "add a title: Urban Dreams"\n• Plain words work too: "export", "send me the video", "how many credits do I have", "status"\n\nCommands: /video <prompt> · /export · /status · /credits · /jobs · /show <id> · /new · /cancel',
    zh: '🎬 我可以把图片和文字描述变成视频。\n• 发送带说明的图片，例如“把这张图做成 5 秒动画视频”\n• 或直接描述你想要的视频\n• 然后继续修改：“加上轻音乐”“加标题：城市之梦”\n• 也可以直接说：“导出”“把视频发给我”“我还有多少积分”“状态”\n\n命令：/video <描述> · /export 导出 · /status 状态 · /credits 积分 · /jobs 任务 · /show <编号> 重发 · /new 新项目 · /cancel 取消',
  },
  'command.unknown': {
    en: (p: Params) => `🤔 /${p.name} is not a command I know. Try /video <prompt> · /export · /status · /credits · /jobs · /new · /cancel · /help — or just describe the video you want.`,
    zh: (p: Params) => `🤔 我不认识 /${p.name} 这个命令。可用：/video <描述> · /export 导出 · /status 状态 · /credits 积分 · /jobs 任务 · /new 新项目 · /cancel 取消 · /help 帮助，或直接描述你想要的视频。`,
  },
  'new.done': { en: '🆕 Fresh project started. Send an image or a prompt.', zh: '🆕 已开始新项目。请发送图片或描述。' },
  'cancel.done': { en: (p: Params) => `🛑 Cancelled ${p.count} job(s).`, zh: (p: Params) => `🛑 已取消 ${p.count} 个任务。` },
  'cancel.none': { en: 'Nothing to cancel: no jobs are running or waiting here.', zh: '这里没有进行中或排队的任务。' },
  'button.expired': { en: 'That button has expired. Send your request again.', zh: '该按钮已失效，请重新发送请求。' },
  'button.foreign': { en: 'That button belongs to another chat, so I ignored it.', zh: '该按钮属于其他会话，已忽略。' },
  'button.owner_only': { en: 'That result was made on its requester’s own NemoVideo account, so only they can use its buttons.', zh: '该结果使用的是发起人自己的 NemoVideo 账号，只有本人可以使用这些按钮。' },
  'button.finished': { en: 'That job has already finished.', zh: '该任务已结束。' },
  // acknowledgement and status card
  'ack.turn': { en: '🎬 Got it!', zh: '🎬 收到！' },
  'ack.upload': { en: '📎 Got your file(s).', zh: '📎 已收到文件。' },
  'ack.export': { en: '📦 Exporting your project as an MP4.', zh: '📦 正在将项目导出为 MP4。' },
  'ack.credits': { en: '💳 Checking your credits…', zh: '💳 正在查询积分…' },
  'ack.status': { en: '🧾 Checking your project…', zh: '🧾 正在查询项目…' },
  'ack.position_paused': { en: (p: Params) => `⏸️ #${p.position} in line — paused by an admin; this job keeps its place and starts once they resume.`, zh: (p: Params) => `⏸️ 排在第 ${p.position} 位 — 管理员已暂停；此任务保留位置，恢复后自动开始。` },
  'ack.position': { en: (p: Params) => `🕒 #${p.position} in line — starts after the current job here.`, zh: (p: Params) => `🕒 排在第 ${p.position} 位，前一个任务完成后开始。` },
  'ack.now': { en: '⏳ Starting now…', zh: '⏳ 马上开始…' },
  'ack.file': {
    en: (p: Params) => `${FILE_ICONS[String(p.type)] ?? FILE_ICONS.image} ${p.name}${p.size !== undefined ? ` (${p.size})` : ''}`,
    zh: (p: Params) => `${FILE_ICONS[String(p.type)] ?? FILE_ICONS.image} ${p.name}${p.size !== undefined ? ` (${p.size})` : ''}`,
  },
  'ack.prompt': { en: (p: Params) => `📝 “${p.prompt}”`, zh: (p: Params) => `📝 “${p.prompt}”` },
  /** The status card's layout: what was understood (the header) over one status line. */
  'card.layout': { en: (p: Params) => `${p.header}\n${p.line}`, zh: (p: Params) => `${p.header}\n${p.line}` },
  'card.working': { en: (p: Params) => `⏳ ${p.stage} · ${p.elapsed}`, zh: (p: Params) => `⏳ ${p.stage} · ${p.elapsed}` },
  'card.final': { en: (p: Params) => `${p.stage} · ${p.elapsed}`, zh: (p: Params) => `${p.stage} · ${p.elapsed}` },
  /** Put before a result in a group chat, linked to the requester so the platform notifies them. */
  'mention.mark': { en: '🔔', zh: '🔔' },
  'stage.queued': { en: 'Waiting in line', zh: '排队中' },
  'stage.waiting_slot': { en: (p: Params) => `Waiting for a free studio slot (#${p.position} in line)`, zh: (p: Params) => `等待空闲的工作室名额（排第 ${p.position} 位）` },
  'stage.connecting': { en: 'Connecting…', zh: '连接中…' },
  'stage.paused': { en: 'Paused by an admin — this job keeps its place and starts once they resume', zh: '管理员已暂停 — 此任务保留位置，恢复后自动开始' },
  ready: { en: "✅ Connected — I'm ready.", zh: '✅ 已连接，准备就绪。' },
  'stage.downloading': { en: 'Fetching your file', zh: '获取文件' },
  'stage.uploading': { en: 'Uploading to the studio', zh: '上传到工作室' },
  'stage.thinking': { en: 'Working on it', zh: '处理中' },
  'stage.generating': { en: 'Generating the video', zh: '正在生成视频' },
  'stage.editing': { en: 'Editing the timeline', zh: '正在编辑时间线' },
  'stage.recovering': { en: 'Reconnecting — checking the project', zh: '重新连接，正在检查项目' },
  'stage.rendering': { en: (p: Params) => (p.progress !== undefined ? `Rendering the MP4 (${p.progress}%)` : 'Rendering the MP4'), zh: (p: Params) => (p.progress !== undefined ? `正在渲染 MP4（${p.progress}%）` : '正在渲染 MP4') },
  'stage.downloading_result': { en: 'Downloading the MP4', zh: '下载 MP4' },
  'stage.delivering': { en: 'Sending the video', zh: '正在发送视频' },
  'stage.done': { en: '✅ Done', zh: '✅ 完成' },
  'stage.failed': { en: '❌ Stopped', zh: '❌ 已停止' },
  'stage.cancelled': { en: '🛑 Cancelled', zh: '🛑 已取消' },
  still_working: { en: '⏳ Still working...', zh: '⏳ 仍在处理中...' },
  // results
  'result.caption': { en: (p: Params) => `🎬 Here is your video${p.prompt ? `: “${p.prompt}”` : ''}`, zh: (p: Params) => `🎬 你的视频${p.prompt ? `：“${p.prompt}”` : '已完成'}` },
  'result.link': { en: (p: Params) => `🎬 Your video is ready (${p.size}), larger than this chat accepts (${p.limit}), so here is a download link:`, zh: (p: Params) => `🎬 视频已完成（${p.size}），超过此聊天的上传上限（${p.limit}），请通过链接下载：` },
  'result.link_unfetched': { en: (p: Params) => `🎬 Your video is ready. It is larger than this bot may download (${p.limit}), so here is a download link:`, zh: (p: Params) => `🎬 视频已完成。它超过了机器人可下载的大小（${p.limit}），请通过链接下载：` },
  'result.uploaded': { en: (p: Params) => `📎 Added to your project: ${p.files}. Now tell me what to make with it.`, zh: (p: Params) => `📎 已添加到项目：${p.files}。请告诉我要做成什么。` },
  'result.silent_changed': { en: (p: Params) => `✅ Done. Changes: ${p.changes}`, zh: (p: Params) => `✅ 已完成。变更：${p.changes}` },
  'result.silent_unchanged': { en: '✅ Sent to the editor. I could not see a change yet — try /status in a moment.', zh: '✅ 已提交编辑。暂未看到变化，请稍后用 /status 查看。' },
  /** Between the items of a change list. */
  'result.changes_separator': { en: '; ', zh: '；' },
  'result.question': { en: (p: Params) => `❓ ${p.prompt}`, zh: (p: Params) => `❓ ${p.prompt}` },
  'result.recovered': { en: '📡 The connection dropped, but the project changed, so the work went through.', zh: '📡 连接曾中断，但项目已更新，操作已完成。' },
  'gui.exporting': { en: "I'm exporting the MP4 for you now.", zh: '我正在为你导出 MP4。' },
  'gui.tap': { en: '👇 One tap below does it.', zh: '👇 点下方按钮即可。' },
  'gui.done': { en: '✅ Done.', zh: '✅ 已完成。' },
  'export.nothing': { en: 'There is nothing to export yet. Describe the video you want (or send an image) first.', zh: '还没有可导出的内容。请先描述你想要的视频（或发送图片）。' },
  'credits.text': { en: (p: Params) => `💳 Credits: ${p.available} available${Number(p.frozen) > 0 ? `, ${p.frozen} reserved for running jobs` : ''}. A video costs about 100.`, zh: (p: Params) => `💳 积分：可用 ${p.available}${Number(p.frozen) > 0 ? `，冻结 ${p.frozen}` : ''}。生成一个视频约需 100 积分。` },
  'credits.register': { en: (p: Params) => `📝 Free starter credits. Register to keep your project and get more: ${p.url}`, zh: (p: Params) => `📝 当前为免费体验积分。注册即可保留项目并获得更多积分：${p.url}` },
  'status.none': { en: 'No project yet. Send an image or describe a video to start one.', zh: '还没有项目。发送图片或描述视频即可开始。' },
  'status.empty': { en: 'Your project has no tracks yet.', zh: '项目中还没有轨道。' },
  'status.link': { en: (p: Params) => `Open in the web editor: ${p.url}`, zh: (p: Params) => `在网页编辑器中打开：${p.url}` },
  // the bot's commands (platform command menus and slash commands, src/core/commands.ts)
  'command.start': { en: 'Start and see what I can do', zh: '开始使用，查看功能' },
  'command.video': { en: 'Make a video from a prompt (and an image)', zh: '根据描述（和图片）生成视频' },
  'command.video.prompt': { en: 'What the video should show', zh: '视频内容描述' },
  'command.video.image': { en: 'An image (or video) to animate', zh: '要制作成视频的图片（或视频）' },
  'command.export': { en: 'Export the current project as an MP4', zh: '导出当前项目为 MP4' },
  'command.credits': { en: 'Show your credit balance', zh: '查看积分余额' },
  'command.status': { en: 'Show the project timeline', zh: '查看项目时间线' },
  'command.new': { en: 'Start a fresh project', zh: '开始新项目' },
  'command.cancel': { en: 'Cancel your running and waiting jobs', zh: '取消进行中和排队的任务' },
  'command.jobs': { en: 'Recent jobs in this chat', zh: '此聊天最近的任务' },
  'command.show': { en: 'Post a finished video again', zh: '重新发送已完成的视频' },
  'command.show.id': { en: 'The job id from /jobs', zh: '/jobs 中的任务编号' },
  'command.login': { en: 'Use your own Nemo account (in a DM)', zh: '使用你自己的 Nemo 账户（私聊）' },
  'command.login.token': { en: 'Your Nemo API token', zh: '你的 Nemo API 凭证' },
  'command.logout': { en: 'Forget your own Nemo account', zh: '移除你自己的 Nemo 账户' },
  'command.admin': { en: 'Server or chat settings (admins)', zh: '服务器或群组设置（管理员）' },
  'command.admin.settings': { en: 'e.g. quota 5, block <word>, pause, cancel <job>', zh: '例如 quota 5、block <词>、pause、cancel <任务>' },
  'command.lang': { en: 'Language of this conversation (en, zh, auto)', zh: '此会话的语言（en、zh、auto）' },
  'command.lang.language': { en: 'en, zh or auto', zh: 'en、zh 或 auto' },
  'command.help': { en: 'How to use this bot', zh: '使用帮助' },
  // buttons
  'btn.export': { en: '📥 Export again', zh: '📥 再次导出' },
  'btn.export_first': { en: '📥 Export', zh: '📥 导出' },
  'btn.retry': { en: '🔄 Retry', zh: '🔄 重试' },
  'btn.new': { en: '🆕 New project', zh: '🆕 新项目' },
  'btn.credits': { en: '💳 Credits', zh: '💳 积分' },
  'btn.status': { en: '🧾 Status', zh: '🧾 状态' },
  /** A one-tap button for an edit or an on-screen button the agent's text pointed at (the text is the agent's). */
  'btn.edit': { en: (p: Params) => `✏️ ${p.text}`, zh: (p: Params) => `✏️ ${p.text}` },
  'btn.click': { en: (p: Params) => `▶️ ${p.text}`, zh: (p: Params) => `▶️ ${p.text}` },
  'btn.register': { en: '📝 Register', zh: '📝 注册' },
} satisfies Record<string, Entry>;

export type MessageKey = keyof typeof messages;

/** The catalogue itself (for the completeness test and tools); use `t` to say something. */
export const CATALOGUE: Readonly<Record<MessageKey, Entry>> = messages;
export type CatalogueEntry = Entry;

/** Translate `key` to `lang`, filling `params`. Unknown languages fall back to English. */
export function t(lang: string, key: MessageKey, params: Params = {}): string {
  const entry: Entry = messages[key];
  const v = lang === 'zh' ? entry.zh : entry.en;
  return typeof v === 'function' ? v(params) : v;
}

/** A sentence in every language (for platforms that register localized texts, e.g. command menus). */
export function inEveryLanguage(key: MessageKey): Record<Lang, string> {
  return { en: t('en', key), zh: t('zh', key) };
}

/** The status card (acknowledgement, progress, cancelled, place in line): one layout everywhere. */
export function cardText(lang: string, header: string, line: string): string {
  return t(lang, 'card.layout', { header, line });
}

const EN_TIMELINE_WORDS: TimelineWords = {
  labels: { Video: 'Video', BGM: 'BGM', Audio: 'Audio', Title: 'Title', Track: 'Track' },
  names: { clip: 'clip', audio: 'audio', text: 'text', item: 'item' },
  head: (n) => `Timeline (${n} ${n === 1 ? 'track' : 'tracks'})`,
  empty: 'empty',
  added: (w) => `Added ${w}`,
  removed: (w) => `Removed ${w}`,
  changed: (w, how) => `${w} changed (${how})`,
  volume: (a, b) => `volume ${a} → ${b}`,
  updated: 'Timeline updated',
  colon: ': ',
  comma: ', ',
  paren: (inner) => ` (${inner})`,
  quote: (t) => `"${t}"`,
};

const ZH_TIMELINE_WORDS: TimelineWords = {
  labels: { Video: '视频', BGM: '背景音乐', Audio: '音频', Title: '标题', Track: '轨道' },
  names: { clip: '片段', audio: '音频', text: '文字', item: '素材' },
  head: (n) => `时间线（${n} 条轨道）`,
  empty: '空',
  added: (w) => `新增 ${w}`,
  removed: (w) => `移除 ${w}`,
  changed: (w, how) => `${w} 已修改（${how}）`,
  volume: (a, b) => `音量 ${a} → ${b}`,
  updated: '时间线已更新',
  colon: '：',
  comma: '，',
  paren: (inner) => `（${inner}）`,
  quote: (t) => `“${t}”`,
};

/** The timeline words of each language (for the completeness test). */
export const TIMELINE_WORDS: Readonly<Record<Lang, TimelineWords>> = { en: EN_TIMELINE_WORDS, zh: ZH_TIMELINE_WORDS };

/** Words of the timeline summary and change lists in the chat's language. */
export function timelineWords(lang: string): TimelineWords {
  return lang === 'zh' ? ZH_TIMELINE_WORDS : EN_TIMELINE_WORDS;
}

/** Human file size: 1.2 MB, 830 KB. */
export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '?';
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 * 1024) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/** Elapsed time as m:ss. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
