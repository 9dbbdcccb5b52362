/**
 * The seed's intent table in English and Chinese, commands, and what stays a chat turn.
 */
import { describe, expect, it } from 'vitest';
import { routeIntent } from '../../src/core/intent.js';
import { checkAttachments, linkAttachments } from '../../src/core/attachments.js';
import { headerFor } from '../../src/core/ingress.js';

const route = (text: string, extra: Partial<Parameters<typeof routeIntent>[0]> = {}) => routeIntent({ text, attachments: [], ...extra }).kind;

describe('intent router', () => {
  it.each([
    ['export', 'export'], ['Export it please', 'export'], ['download', 'export'], ['send me the video', 'export'], ['导出', 'export'], ['下载视频', 'export'],
    ['credits', 'credits'], ['balance?', 'credits'], ['积分', 'credits'], ['余额', 'credits'], ['how many credits do I have left?', 'credits'],
    ['status', 'status'], ['show tracks', 'status'], ['状态', 'status'], ['timeline', 'status'],
    ['upload', 'upload_hint'], ['上传', 'upload_hint'],
    ['turn this image into a 5-second animated video clip', 'turn'], ['make a video about my credit card balance', 'turn'],
    ['export the video to 9:16 and add music', 'turn'], ['把这张图做成5秒的动画视频', 'turn'], ['', 'empty'],
  ])('%j → %s', (text, kind) => {
    expect(route(text)).toBe(kind);
  });

  it('routes commands, files and buttons', () => {
    expect(route('', { command: { name: 'video', args: 'a cat surfing' } })).toBe('turn');
    expect(route('', { command: { name: 'credits', args: '' } })).toBe('credits');
    expect(route('', { command: { name: 'cancel', args: '' } })).toBe('cancel');
    expect(route('', { command: { name: 'start', args: '' } })).toBe('help');
    expect(route('export', { attachments: [{ name: 'a.png', source: { kind: 'path', path: '/x' } }] })).toBe('turn');
    expect(route('', { button: { id: 'abc' } })).toBe('button');
  });
});

describe('attachments', () => {
  it('turns media links into upload-by-URL attachments', () => {
    const atts = linkAttachments('animate https://cdn.example.com/a/cat.PNG?x=1 and https://example.com/page');
    expect(atts).toEqual([{ name: 'cat.PNG', source: { kind: 'url', url: 'https://cdn.example.com/a/cat.PNG?x=1' }, byUrl: true }]);
  });
  it('refuses unsupported types and files over the limits', () => {
    const limits = { platformDownloadBytes: 20 * 2 ** 20, nemoUploadBytes: 200 * 2 ** 20 };
    expect(checkAttachments([{ name: 'x.exe', source: { kind: 'url', url: 'u' } }], limits)?.kind).toBe('unsupported');
    expect(checkAttachments([{ name: 'photo', mimeType: 'image/jpeg', sizeBytes: 10, source: { kind: 'platform', ref: 'f' } }], limits)).toBeUndefined();
    expect(checkAttachments([{ name: 'v.mp4', sizeBytes: 25 * 2 ** 20, source: { kind: 'platform', ref: 'f' } }], limits)?.kind).toBe('platform_download');
    expect(checkAttachments([{ name: 'v.mp4', sizeBytes: 201 * 2 ** 20, source: { kind: 'url', url: 'u' } }], limits)?.kind).toBe('nemo_size');
  });
  it('acknowledges what was understood, in the user\'s language', () => {
    const atts = [{ name: 'cat.png', sizeBytes: 1_300_000, source: { kind: 'path' as const, path: '/x' } }];
    expect(headerFor('turn', 'en', 'make it dance', atts)).toBe('🎬 Got it!\n🖼️ cat.png (1.2 MB)\n📝 “make it dance”');
    expect(headerFor('turn', 'zh', '让它跳舞', atts)).toContain('收到');
  });
});
