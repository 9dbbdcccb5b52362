/**
 * Issue 9, items 3, 7, 8, 9 and 10, end to end: a platform message through ingress, the queue and the
 * strict simulator to what the user sees. The session language comes from the first message; the
 * first card says "Connecting…" and the first answer says the bot is ready; the agent's GUI wording is
 * acted on; a silent edit is re-checked until it shows; a Chinese chat reads Chinese labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/core/language.js';
import { GUI_TEXT } from '../../nemo-sim/index.js';
import { startBench, type Bench } from '../helpers/harness.js';

const videos = (b: Bench, chat: string) => b.outbox.in(chat).filter((m) => m.kind === 'video');
const finished = (b: Bench, chat: string, n = 1) => b.outbox.waitFor(() => b.outbox.in(chat).filter((m) => /✅ Done|❌ Stopped|✅ 完成|❌ 已停止/.test(m.edits.at(-1) ?? '')).length >= n);
const languageSent = (b: Bench, n: number) => (b.sim.requestsTo('create_session')[n]!.body as { language: string }).language;

describe('what the skill asks for, as the user sees it', () => {
  let b: Bench;
  beforeAll(async () => {
    b = await startBench('skill', { sim: { initialCredits: 5000, silentEditLagMs: 400 } });
  });
  afterAll(async () => b?.close());

  it('the session language is the first message\'s, whatever the platform locale says (any language, not only en/zh)', async () => {
    await b.send('l1', '请把这张图片做成一段五秒钟的动画视频', { locale: 'en-US' });
    await finished(b, 'l1');
    expect(languageSent(b, 0)).toBe('zh');
    expect(b.outbox.in('l1')[0]!.text).toContain('收到'); // and the bot answers in Chinese
    await b.send('l2', 'Haz un video de un gato jugando en la playa');
    await finished(b, 'l2');
    expect(languageSent(b, 1)).toBe('es');
    await b.send('l3', 'Сделай видео с котом на пляже', { locale: 'en' });
    await finished(b, 'l3');
    expect(languageSent(b, 2)).toBe('ru');
    await b.send('l4', '🐱🐱🐱', { locale: 'ja-JP' }); // nothing to read: the locale decides
    await finished(b, 'l4');
    expect(languageSent(b, 3)).toBe('ja');
    expect(['ok', detectLanguage('make a video of a cat on the beach')]).toEqual(['ok', 'en']);
  });

  it('the first message shows "Connecting…" and the first answer says the bot is ready; no technical details', async () => {
    await b.send('c1', 'hello');
    await finished(b, 'c1');
    const [card, answer] = b.outbox.in('c1');
    expect(card!.edits.some((e) => e.includes('Connecting…'))).toBe(true);
    expect(answer!.text.startsWith("✅ Connected — I'm ready.\n")).toBe(true);
    await b.send('c1', 'hello again');
    await finished(b, 'c1', 2);
    const second = b.outbox.in('c1').filter((m) => m.kind === 'text').slice(2);
    expect(second.some((m) => m.edits.some((e) => e.includes('Connecting')))).toBe(false);
    expect(second.some((m) => m.text.includes('ready'))).toBe(false);
    // A quick answer as the very first message gets the same moment.
    await b.send('c2', 'credits');
    const credits = await b.outbox.waitFor(() => b.outbox.in('c2').find((m) => m.text.includes('💳 Credits:')));
    expect(credits.text.startsWith("✅ Connected — I'm ready.\n💳 Credits:")).toBe(true);
    const token = b.sim.requestsTo('credits').at(-1)!.token!;
    const sid = b.sim.requestsTo('run_sse').filter((r) => r.token !== token).at(-1)!.sessionId!;
    const all = [...b.outbox.textsIn('c1'), ...b.outbox.textsIn('c2')].join('\n');
    expect(all).not.toMatch(/nmv_usr|session_id|X-Client|anonymous-token/);
    expect(all).not.toContain(sid);
  });

  it('GUI wording is acted on: the timeline and balance shown, the rest of the sentence kept, drag/click as one-tap buttons', async () => {
    await b.send('g1', 'make a video of a sailing boat');
    await b.outbox.waitFor(() => videos(b, 'g1').length === 1);
    // "Drag …. Open the properties panel …. Check billing …, or click "Add subtitles" …"
    b.sim.nextTurn('gui');
    await b.send('g1', 'what can I do next?');
    const reply = await b.outbox.waitFor(() => b.outbox.in('g1').find((m) => m.text.startsWith('Your clip is on the timeline.')));
    expect(GUI_TEXT).toMatch(/Drag .* Open .* billing .* click/);
    expect(reply.text).toMatch(/Timeline \(2 tracks\): 1\. Video: animated clip \(0-5s\) 2\. BGM: Lo-fi/);
    expect(reply.text).toMatch(/💳 Credits: \d+ available/);
    expect(reply.text).not.toMatch(/Drag|Open the|billing|[Cc]lick/);
    const labels = reply.buttons!.flat().map((x) => x.label);
    expect(labels).toEqual(['✏️ Move the title to the end of the clip', '▶️ Add subtitles']);
    const turns = b.sim.requestsTo('run_sse').length;
    await b.send('g1', '', { button: { id: reply.buttons![0]![0]!.id } });
    await b.outbox.waitFor(() => b.sim.requestsTo('run_sse').length === turns + 1);
    const sent = b.sim.requestsTo('run_sse').at(-1)!.body as { new_message: { parts: Array<{ text: string }> } };
    expect(sent.new_message.parts[0]!.text).toBe('Move the title to the end of the clip');
    await finished(b, 'g1', 3);

    // "Tell me what to change, or click Export to download it." → the first clause stays, Export is one tap away.
    await b.send('g1', 'hi');
    const chat = await b.outbox.waitFor(() => b.outbox.in('g1').find((m) => m.text === 'Your project is ready in the timeline. Tell me what to change.'));
    const exportBtn = chat.buttons!.flat().find((x) => x.label === '📥 Export')!;
    await b.send('g1', '', { button: { id: exportBtn.id } });
    await b.outbox.waitFor(() => videos(b, 'g1').length === 2);

    // "Preview it in the timeline, then click Export." after an edit → the timeline inline and the export run.
    await b.send('g1', 'change the music to jazz');
    const edit = await b.outbox.waitFor(() => b.outbox.in('g1').find((m) => m.text.startsWith('Done! I changed the background music')));
    expect(edit.text).toMatch(/at 35% volume\.\nTimeline \(3 tracks\): .*BGM: Chill Jazz .*\nI'm exporting the MP4 for you now\.$/s);
    await b.outbox.waitFor(() => videos(b, 'g1').length === 3);
  });

  it('a silent edit that lands after its stream closed is re-checked until it shows, not "no change yet"', async () => {
    await b.send('s1', 'make a video of a meadow');
    await b.outbox.waitFor(() => videos(b, 's1').length === 1);
    await b.send('s1', 'add a title: "Sea Breeze"');
    const msg = await b.outbox.waitFor(() => b.outbox.in('s1').find((m) => m.text.startsWith('✅ Done. Changes') || m.text.includes('could not see a change')));
    expect(msg.text).toBe('✅ Done. Changes: Added Title: "Sea Breeze" (0-3s)');
  });

  it('a Chinese chat reads Chinese timeline labels and Chinese GUI wording, even when the agent answers in English', async () => {
    await b.send('z1', 'make a video of ocean waves', { locale: 'zh-CN' });
    await b.outbox.waitFor(() => videos(b, 'z1').length === 1);
    const sid = b.sim.requestsTo('run_sse').at(-1)!.sessionId!;
    expect(b.sim.sessions.get(sid)!.language).toBe('en'); // the session follows the message
    await b.send('z1', '状态', { locale: 'zh-CN' });
    const status = await b.outbox.waitFor(() => b.outbox.in('z1').find((m) => m.text.startsWith('时间线')));
    expect(status.text).toMatch(/^时间线（2 条轨道）：1\. 视频：animated clip（0-5s） 2\. 背景音乐：Lo-fi（0-5s，35%）/);
    await b.send('z1', 'add a title: "Wave"', { locale: 'zh-CN' });
    const change = await b.outbox.waitFor(() => b.outbox.in('z1').find((m) => m.text.startsWith('✅ 已完成。变更')));
    expect(change.text).toBe('✅ 已完成。变更：新增 标题：“Wave”（0-3s）');
    await b.send('z1', 'change the music to jazz', { locale: 'zh-CN' });
    const edit = await b.outbox.waitFor(() => b.outbox.in('z1').find((m) => m.text.startsWith('Done! I changed')));
    expect(edit.text).toMatch(/时间线（3 条轨道）/);
    expect(edit.text).toContain('我正在为你导出 MP4。');
    expect(b.sim.requestsTo('run_sse').at(-1)!.sessionId).toBe(sid);
  });
});
