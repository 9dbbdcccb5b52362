import { describe, expect, it } from 'vitest';
import { translateGui } from '../../src/nemo/draft.js';

describe('translateGui: the GUI instruction becomes an action, the rest of the text stays', () => {
  it('"click Export" → the export action; the rest of the message is kept verbatim', () => {
    expect(translateGui('Your video is ready! Click Export to download it.')).toEqual({ text: 'Your video is ready!', actions: [{ kind: 'export' }] });
    const r = translateGui('视频已生成。点击导出按钮即可下载。');
    expect(r).toEqual({ text: '视频已生成。', actions: [{ kind: 'export' }] });
  });

  it('keeps the other clauses of a sentence', () => {
    expect(translateGui('Your project is ready in the timeline. Tell me what to change, or click Export to download it.')).toEqual({
      text: 'Your project is ready in the timeline. Tell me what to change.',
      actions: [{ kind: 'export' }],
    });
    expect(translateGui('Done! I changed the background music to "Chill Jazz" at 35% volume. Preview it in the timeline, then click Export.')).toEqual({
      text: 'Done! I changed the background music to "Chill Jazz" at 35% volume.',
      actions: [{ kind: 'timeline' }, { kind: 'export' }],
    });
  });

  it('open / preview in timeline → show the timeline', () => {
    expect(translateGui('Open the timeline panel to review the clips.')).toEqual({ text: '', actions: [{ kind: 'timeline' }] });
    expect(translateGui('You can preview it in the timeline.').actions).toEqual([{ kind: 'timeline' }]);
    expect(translateGui('打开时间线面板查看。').actions).toEqual([{ kind: 'timeline' }]);
    expect(translateGui('Open the export panel.').actions).toEqual([{ kind: 'export' }]);
  });

  it('drag/drop → an edit instruction for the agent', () => {
    expect(translateGui('Great. Drag the title to the end of the clip.')).toEqual({ text: 'Great.', actions: [{ kind: 'edit', instruction: 'Move the title to the end of the clip' }] });
    expect(translateGui('拖拽音乐到第二轨道。').actions).toEqual([{ kind: 'edit', instruction: '移动音乐到第二轨道' }]);
  });

  it('billing → credits; a generic click → that button, sent as the message', () => {
    expect(translateGui('Please check billing for more credits.')).toEqual({ text: '', actions: [{ kind: 'credits' }] });
    expect(translateGui('Click Apply to confirm.')).toEqual({ text: '', actions: [{ kind: 'click', label: 'Apply' }] });
    expect(translateGui('I added lo-fi music at 35% volume.')).toEqual({ text: 'I added lo-fi music at 35% volume.', actions: [] });
  });

  it('does not repeat the same action twice', () => {
    expect(translateGui('Click Export. Then click the Export button again.')).toEqual({ text: '', actions: [{ kind: 'export' }] });
  });
});
