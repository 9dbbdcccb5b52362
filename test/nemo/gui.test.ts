import { describe, expect, it } from 'vitest';
import { translateGui } from '../../src/nemo/draft.js';

describe('translateGui', () => {
  it('turns "click Export" into the export action', () => {
    expect(translateGui('Your video is ready! Click Export to download it.')).toEqual({
      text: 'Your video is ready! Reply "export" or press Export below to get the MP4.',
      actions: ['export'],
    });
  });
  it('handles Chinese export wording', () => {
    const r = translateGui('视频已生成。点击导出按钮即可下载。');
    expect(r.actions).toEqual(['export']);
    expect(r.text).toBe('视频已生成。回复"导出"或点击下方的导出按钮获取 MP4。');
  });
  it('open / preview in timeline → status', () => {
    expect(translateGui('Open the timeline panel to review the clips.')).toEqual({ text: 'Reply "status" to see the current timeline.', actions: ['status'] });
    expect(translateGui('You can preview it in the timeline.').actions).toEqual(['status']);
    expect(translateGui('打开时间线面板查看。').actions).toEqual(['status']);
  });
  it('drag/drop stays an edit described in chat, with no action', () => {
    const r = translateGui('Drag the title to the end of the clip.');
    expect(r.actions).toEqual([]);
    expect(r.text).toMatch(/^Tell me what to move or change/);
    expect(translateGui('拖拽音乐到第二轨道。').text).toMatch(/^直接告诉我/);
  });
  it('billing → credits', () => {
    expect(translateGui('Please check billing for more credits.')).toEqual({ text: 'Reply "credits" to check your balance.', actions: ['credits'] });
  });
  it('keeps plain text verbatim and rewrites a generic click', () => {
    expect(translateGui('I added lo-fi music at 35% volume.')).toEqual({ text: 'I added lo-fi music at 35% volume.', actions: [] });
    expect(translateGui('Click Apply to confirm.').text).toBe('Say "Apply" to confirm.');
  });
  it('does not repeat the same instruction twice', () => {
    const r = translateGui('Click Export. Then click the Export button again.');
    expect(r.actions).toEqual(['export']);
    expect(r.text).toBe('Reply "export" or press Export below to get the MP4.');
  });
});

describe('translateGui: mixed sentences', () => {
  it('"preview in the timeline, then click Export" → status and export', () => {
    expect(translateGui('Done! Preview it in the timeline, then click Export.')).toEqual({
      text: 'Done! Reply "status" to see the current timeline. Reply "export" or press Export below to get the MP4.',
      actions: ['status', 'export'],
    });
    expect(translateGui('Open the export panel.').actions).toEqual(['export']);
  });
});

describe('translateGui: exportHandled', () => {
  it('says the bot is exporting instead of asking, and still reports the action', () => {
    expect(translateGui('Your clip is ready! Click Export to download it.', { exportHandled: true })).toEqual({
      text: "Your clip is ready! I'm exporting the MP4 for you now.",
      actions: ['export'],
    });
    expect(translateGui('点击导出即可下载。', { exportHandled: true }).text).toBe('我正在为你导出 MP4。');
  });
});
