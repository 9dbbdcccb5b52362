/** Defensive parsing of the shapes the simulator does not produce (pure). */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { newRenderId, normalizePhase, toRenderStatus } from '../../src/nemo/render.js';
import { parseData, renderPollSchema, stateSchema, uploadSchema } from '../../src/nemo/schemas.js';
import { toUploadedFiles } from '../../src/nemo/upload.js';
import { NemoError } from '../../src/nemo/errors.js';

describe('render poll normalization', () => {
  const norm = (d: unknown) => toRenderStatus('render_x', parseData(renderPollSchema, d, 'render_poll', silentLogger));
  it('reads outputUrl, output.url and output_url', () => {
    expect(norm({ status: 'completed', outputUrl: 'a' }).outputUrl).toBe('a');
    expect(norm({ status: 'completed', output: { url: 'b' } }).outputUrl).toBe('b');
    expect(norm({ status: 'completed', output_url: 'c', progress: '100' })).toEqual({ id: 'render_x', status: 'completed', progress: 100, outputUrl: 'c' });
  });
  it('normalizes status words; unknown words count as processing', () => {
    expect(normalizePhase('Queued')).toBe('pending');
    expect(normalizePhase('in-progress')).toBe('processing');
    expect(normalizePhase('SUCCESS')).toBe('completed');
    expect(normalizePhase('canceled')).toBe('failed');
    expect(normalizePhase('exploding')).toBe('processing');
    expect(norm({ status: 'failed' })).toMatchObject({ status: 'failed', error: 'render failed' });
    expect(norm({ status: 'failed', error: { message: 'oom' } }).error).toBe('oom');
  });
  it('refuses a poll without status as bad_response', () => {
    expect(() => norm({ progress: 5 })).toThrow(NemoError);
    try {
      norm({ progress: 5 });
    } catch (e) {
      expect((e as NemoError).kind).toBe('bad_response');
    }
  });
  it('makes render_<ts>_<random> ids', () => {
    const a = newRenderId();
    expect(a).toMatch(/^render_\d{13}_[0-9a-f]{8}$/);
    expect(newRenderId()).not.toBe(a);
  });
});

describe('upload answers', () => {
  const files = (d: unknown) => toUploadedFiles(parseData(uploadSchema, d, 'upload', silentLogger), silentLogger);
  it('accepts files[], uploaded_files[] and a bare array', () => {
    expect(files({ files: [{ filename: 'a.mp4', file_type: 'video', cdn_url: 'u', duration: 30.5, width: 1920, height: 1080, fps: 30, hash: 'h' }] })).toEqual([
      { filename: 'a.mp4', fileType: 'video', url: 'u', durationS: 30.5, width: 1920, height: 1080 },
    ]);
    expect(files({ uploaded_files: [{ name: 'b.png', url: 'v' }] })).toEqual([{ filename: 'b.png', url: 'v' }]);
    expect(files([{ filename: 'c.mp3' }])).toEqual([{ filename: 'c.mp3' }]);
    expect(files({ session_state_applied: true })).toEqual([]);
  });
});

describe('state answers', () => {
  it('accepts numeric ids and a draft sent as a JSON string', () => {
    const d = parseData(stateSchema, { session_id: 5529798706024415, state: { draft: '{"t":[{"tt":0,"sg":[{"d":1}]}]}', video_infos: null } }, 'state', silentLogger);
    expect(d.session_id).toBe('5529798706024415');
    expect(d.state?.draft).toEqual({ t: [{ tt: 0, sg: [{ d: 1 }] }] });
    expect(d.state?.video_infos).toEqual([]);
  });
});
