/**
 * The seed's intent table in English and Chinese, commands, and what stays a chat turn.
 */
import { describe, expect, it } from 'vitest';
import { routeIntent } from '../../src/core/intent.js';
import { checkAttachments, linkAttachments } from '../../src/core/attachments.js';
import { headerFor } from '../../src/core/answer-target.js';
import { detectLanguage, sessionLanguage, uiLanguage } from '../../src/core/language.js';

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

  // Keyword and intent classification (the skill's routing), English and Chinese, negatives included.
  it.each([
    // export
    ['please export my video', 'export'], ['can you send me the video', 'export'], ['帮我导出', 'export'], ['export please!', 'export'],
    ['could you export it now?', 'export'], ['I want to download my video', 'export'], ['save the mp4', 'export'], ['send it over', 'export'],
    ['give me the video please', 'export'], ['请把视频导出', 'export'], ['帮我下载一下视频', 'export'], ['视频发我', 'export'], ['EXPORT', 'export'],
    ['再导出一次', 'export'],
    // credits
    ['how many credits do I have', 'credits'], ['what is my balance?', 'credits'], ['check my credits please', 'credits'],
    ['credits left?', 'credits'], ['我还有多少积分', 'credits'], ['查一下余额', 'credits'], ['积分还剩多少？', 'credits'],
    // status
    ["what's the status?", 'status'], ['show me the timeline', 'status'], ['show my project', 'status'], ["how's the progress", 'status'],
    ['项目状态', 'status'], ['看看时间线', 'status'], ['轨道有哪些', 'status'],
    // upload
    ['I want to upload a photo', 'upload_hint'], ['how do I upload?', 'upload_hint'], ['我要上传图片', 'upload_hint'],
    // negatives: an edit, a new video, or "not yet" → the agent
    ["don't export yet", 'turn'], ['do not download it', 'turn'], ['not yet, export later', 'turn'], ['先别导出', 'turn'], ['不要导出', 'turn'],
    ['export it in 9:16 with a title', 'turn'], ['export in 1080p', 'turn'], ['add music and export', 'turn'], ['make the video shorter and send it', 'turn'],
    ['导出成竖屏', 'turn'], ['加个标题然后导出', 'turn'], ['make a video about my credit card', 'turn'], ['generate a clip about a rocket launch status screen', 'turn'],
    ['send a cat video', 'turn'], ['download some lo-fi music for the background', 'turn'],
    ['I was thinking about the export of goods in the 18th century and how ships carried them across the sea', 'turn'],
    ['hello', 'turn'], ['把这张图做成5秒的动画视频', 'turn'],
    // unknown commands never reach the agent
    ['/queue', 'unknown_command'], ['/queue@nemo_bot list', 'unknown_command'],
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
    expect(route('list', { command: { name: 'jobz', args: 'list' } })).toBe('unknown_command');
    expect(route('', { command: { name: 'jobs', args: '' } })).toBe('jobs');
    expect(route('', { command: { name: 'show', args: ' a1b2c3 ' } })).toBe('show');
    expect(route('/path/to/file.png animate it')).toBe('turn');
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

describe('language of a message', () => {
  it.each([
    ['把这张图做成5秒的动画视频', 'zh'], ['この写真を動画にして', 'ja'], ['이 사진으로 동영상을 만들어 줘', 'ko'], ['Сделай видео с котом', 'ru'],
    ['Зроби відео з котом', 'uk'], ['اصنع فيديو لقطة', 'ar'], ['یک ویدیو از گربه بساز', 'fa'], ['Haz un video de un gato en la playa', 'es'],
    ['Fais une vidéo avec mon chat dans le jardin', 'fr'], ['Mach bitte ein Video mit meiner Katze und dem Hund', 'de'],
    ['Faça um vídeo do meu gato na praia', 'pt'], ['Fai un video con il mio gatto nel giardino', 'it'], ['make a video of a cat on the beach', 'en'],
    ['make a video of my cat 猫', 'en'], ['hello', undefined], ['🐱🐱', undefined], ['https://x.test/a.png', undefined],
  ])('%j → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });
  it('falls back to the locale, then the default; the bot speaks zh for Chinese text or a Chinese locale', () => {
    expect(sessionLanguage('ok', 'pt-BR', 'en')).toBe('pt');
    expect(sessionLanguage('ok', undefined, 'en')).toBe('en');
    expect(sessionLanguage('导出视频吧', 'en-US', 'en')).toBe('zh');
    expect([uiLanguage('导出', 'en'), uiLanguage('export', 'zh-TW'), uiLanguage('Haz un video de un gato', 'es')]).toEqual(['zh', 'zh', 'en']);
  });
});
