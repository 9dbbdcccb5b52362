/** Uploads: local refusals before any byte is sent, streamed multipart (repeatable `files`), URL uploads. */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_EXTENSIONS, type CredentialHandle, type NemoSession } from '../../src/nemo/types.js';
import { FIXTURE_PATH } from '../../nemo-sim/index.js';
import { handle, nemoError, rig, type Rig } from './helpers.js';

const PNG = fileURLToPath(new URL('../fixtures/input.png', import.meta.url));

describe('uploads', () => {
  let r: Rig;
  let dir: string;
  let auth: CredentialHandle;
  let session: NemoSession;
  beforeAll(async () => {
    r = await rig();
    dir = await mkdtemp(join(tmpdir(), 'nemo-upload-'));
    auth = handle({ token: 'fixed-upload', anonymous: false });
    r.sim.addToken('fixed-upload', { credits: 100 });
    session = await r.client.createSession(auth);
  });
  afterAll(async () => {
    await r.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a 201 MB (sparse) file before sending anything', async () => {
    const big = join(dir, 'big.mp4');
    await writeFile(big, '');
    await truncate(big, 201 * 1024 * 1024);
    r.sim.clearRequests();
    const e = await nemoError(r.client.uploadFiles(auth, session.sessionId, [{ path: big, name: 'holiday.mp4' }]));
    expect(e).toMatchObject({ kind: 'file_too_large', details: { maxUploadMb: 200, fileName: 'holiday.mp4' } });
    expect(r.sim.requestsTo('upload')).toHaveLength(0);
  });

  it('refuses a .exe (with the supported list) before sending anything, even next to a good file', async () => {
    const exe = join(dir, 'setup.exe');
    await writeFile(exe, 'MZ');
    r.sim.clearRequests();
    const e = await nemoError(r.client.uploadFiles(auth, session.sessionId, [{ path: PNG, name: 'a.png' }, { path: exe, name: 'setup.exe' }]));
    expect(e).toMatchObject({ kind: 'unsupported_file', details: { fileName: 'setup.exe', supportedTypes: SUPPORTED_EXTENSIONS } });
    expect(r.sim.requestsTo('upload')).toHaveLength(0);
  });

  it('streams several files as repeated multipart `files` parts', async () => {
    r.sim.clearRequests();
    const out = await r.client.uploadFiles(auth, session.sessionId, [
      { path: FIXTURE_PATH, name: 'clip "one".mp4' },
      { path: PNG, name: '图片.png', mimeType: 'image/png' },
    ]);
    const [req] = r.sim.requestsTo('upload');
    expect(req!.path).toBe(`/api/upload-video/nemo_agent/me/${session.sessionId}`);
    expect(req!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req!.body).toEqual({
      files: [
        { field: 'files', filename: 'clip %22one%22.mp4', size: r.sim.fixture.bytes.length },
        { field: 'files', filename: expect.any(String), size: expect.any(Number) },
      ],
    });
    // Names go as raw UTF-8 (RFC 7578 §4.2, what browsers send) and the sim reads them as UTF-8.
    const sent = (req!.body as { files: Array<{ filename: string }> }).files[1]!.filename;
    expect(sent).toBe('图片.png');
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ fileType: 'video', url: expect.stringMatching(/^http/), durationS: r.sim.fixture.durationS, width: r.sim.fixture.width });
    expect(out[1]).toMatchObject({ fileType: 'image', width: expect.any(Number), height: expect.any(Number) });
    expect(r.sim.sessions.get(session.sessionId)!.uploads).toHaveLength(2);
  });

  it('streams a large file from disk (128 MB sparse) with an exact Content-Length', async () => {
    const large = join(dir, 'large.mov');
    await writeFile(large, '');
    await truncate(large, 128 * 1024 * 1024);
    r.sim.clearRequests();
    // Buffers live outside the V8 heap: sample arrayBuffers while the upload runs. The sim shares this
    // process, so transient chunks of both sides count until GC; a buffered body would need ≥ 128 MB.
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 5);
    try {
      await r.client.uploadFiles(auth, session.sessionId, [{ path: large, name: 'large.mov' }]);
    } finally {
      clearInterval(sampler);
    }
    expect(peak).toBeLessThan(80 * 1024 * 1024);
    const [req] = r.sim.requestsTo('upload');
    expect((req!.body as { files: Array<{ size: number }> }).files[0]!.size).toBe(128 * 1024 * 1024);
    expect(Number(req!.headers['content-length'])).toBeGreaterThan(128 * 1024 * 1024);
  });

  it('uploads by URL as {urls, source_type:"url"}', async () => {
    r.sim.clearRequests();
    const out = await r.client.uploadUrls(auth, session.sessionId, ['https://cdn.example.com/media/cat.jpg']);
    expect(r.sim.requestsTo('upload')[0]!.body).toEqual({ urls: ['https://cdn.example.com/media/cat.jpg'], source_type: 'url' });
    expect(out).toEqual([{ filename: 'cat.jpg', fileType: 'image', url: expect.stringMatching(/^http/) }]);
    expect(await r.client.uploadUrls(auth, session.sessionId, [])).toEqual([]);
  });

  it('re-sends the multipart body after a 1001 re-auth (the stream is re-opened)', async () => {
    const anon = handle(await r.client.acquireAnonymousToken('cid-upload-1001'));
    const s = await r.client.createSession(anon);
    r.sim.expireToken(anon.credential.token);
    r.sim.clearRequests();
    const out = await r.client.uploadFiles(anon, s.sessionId, [{ path: PNG, name: 'again.png' }]);
    expect(out).toHaveLength(1);
    expect(r.sim.requests.map((q) => q.endpoint)).toEqual(['upload', 'anonymous_token', 'upload']);
  });
});
