/**
 * The user's own files on their way to Nemo: a file whose name lies about its content, an empty
 * file, hostile names, a fetch that fails for good, one that fails on every attempt, and one over
 * the size limit. Each gets a catalogued answer, nothing odd reaches Nemo, and the next request works.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/core/i18n.js';
import { SUPPORTED_LIST } from '../../src/core/attachments.js';
import type { Attachment } from '../../src/core/message.js';
import { startBench, type Bench } from '../helpers/harness.js';

const PNG = readFileSync(new URL('../fixtures/input.png', import.meta.url));
const PNG_PATH = new URL('../fixtures/input.png', import.meta.url).pathname;
const hits: Record<string, number> = {};
let files: Server;
let base = '';
let dir = '';
let b: Bench;

const done = (chat: string, n = 1) => b.outbox.waitFor(() => b.outbox.in(chat).filter((m) => /✅ Done|❌ Stopped/.test(m.edits.at(-1) ?? '')).length >= n, 40_000);
const saw = (chat: string, text: string) => b.outbox.waitFor(() => b.outbox.textsIn(chat).find((x) => x.includes(text)), 40_000);
const uploads = () => [...b.sim.sessions.values()].flatMap((s) => s.uploads);
const att = (name: string, source: Attachment['source']): Attachment => ({ name, source });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nemo-inputs-'));
  files = createServer((req, res) => {
    const p = req.url ?? '/';
    hits[p] = (hits[p] ?? 0) + 1;
    if (p === '/ok.png') return void res.end(PNG);
    if (p === '/big.png') return void res.end(Buffer.concat([PNG, Buffer.alloc(1_200_000)]));
    if (p === '/broken.png') return void res.writeHead(503).end('busy');
    res.writeHead(404).end('gone');
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  b = await startBench('inputs', { env: { NEMO_UPLOAD_MAX_MB: '1' } });
});
afterAll(async () => {
  await b?.close();
  await new Promise((r) => files?.close(r));
});

describe("the user's files", () => {
  it('a file whose extension lies, an empty file and a text file are refused by their bytes; nothing reaches Nemo', async () => {
    const exe = path.join(dir, 'holiday.mp4');
    await writeFile(exe, PNG); // a PNG that says it is an MP4
    const empty = path.join(dir, 'empty.png');
    await writeFile(empty, '');
    const text = path.join(dir, 'notes.jpg');
    await writeFile(text, 'just some text, not a picture\n');
    const before = uploads().length;
    await b.send('lie1', 'animate this', { attachments: [att('holiday.mp4', { kind: 'path', path: exe })] });
    await b.send('lie2', 'animate this', { attachments: [att('empty.png', { kind: 'path', path: empty })] });
    await b.send('lie3', 'animate this', { attachments: [att('notes.jpg', { kind: 'path', path: text })] });
    await saw('lie1', t('en', 'error.file_mismatch', { fileName: 'holiday.mp4', actual: 'png', types: SUPPORTED_LIST }));
    await saw('lie2', t('en', 'error.unsupported_file', { fileName: 'empty.png', types: SUPPORTED_LIST }));
    await saw('lie3', t('en', 'error.unsupported_file', { fileName: 'notes.jpg', types: SUPPORTED_LIST }));
    expect(uploads().length).toBe(before);
    // The same conversation goes on with a real picture.
    await b.send('lie1', 'animate this', { attachments: [att('real.png', { kind: 'path', path: PNG_PATH })] });
    await b.outbox.waitFor(() => b.outbox.in('lie1').find((m) => m.kind === 'video'), 40_000);
    expect(uploads().at(-1)!.filename).toBe('real.png');
  });

  it('hostile file names are cleaned before anything shows or uses them', async () => {
    const name = '../../etc/\u202Egnp.\u0000evil\u200B\r\n.png';
    await b.send('name1', 'animate this', { attachments: [att(name, { kind: 'path', path: PNG_PATH })] });
    await b.outbox.waitFor(() => b.outbox.in('name1').find((m) => m.kind === 'video'), 40_000);
    const line = b.outbox.in('name1')[0]!.text.split('\n').find((l) => l.includes('.png'))!;
    expect(line).toContain('gnp.evil.png');
    expect(line).not.toMatch(/[\u0000-\u001f\u202e\u200b]|\.\.\/|etc/u);
    const sent = uploads().at(-1)!.filename;
    expect(sent).toBe('gnp.evil.png');
  });

  it("a file the platform no longer has: one try, then a catalogued answer; the next request works", async () => {
    await b.send('f1', 'animate this', { attachments: [att('gone.png', { kind: 'url', url: `${base}/gone.png` })] });
    await saw('f1', t('en', 'error.input_fetch', { fileName: 'gone.png' }));
    expect(hits['/gone.png']).toBe(1);
    await b.send('f1', 'animate this', { attachments: [att('ok.png', { kind: 'url', url: `${base}/ok.png` })] });
    await b.outbox.waitFor(() => b.outbox.in('f1').find((m) => m.kind === 'video'), 40_000);
  });

  it('a platform that cannot resolve the file is answered the same way', async () => {
    await b.send('f2', 'animate this', { attachments: [att('photo.jpg', { kind: 'platform', ref: 'abc' })] });
    await saw('f2', t('en', 'error.input_fetch', { fileName: 'photo.jpg' }));
    expect(b.outbox.textsIn('f2').some((x) => x.includes(t('en', 'error.internal')))).toBe(false);
  });

  it('a download that fails on every attempt is retried by the queue, then answered once', async () => {
    await b.send('f3', 'animate this', { attachments: [att('busy.png', { kind: 'url', url: `${base}/broken.png` })] });
    await saw('f3', t('en', 'error.input_fetch', { fileName: 'busy.png' }));
    expect(hits['/broken.png']).toBe(3); // JOB_ATTEMPTS
    expect(b.outbox.textsIn('f3').filter((x) => x.includes(t('en', 'error.input_fetch', { fileName: 'busy.png' })))).toHaveLength(1);
  }, 60_000);

  it('a file over the upload limit is cut off while downloading and answered', async () => {
    await b.send('f4', 'animate this', { attachments: [att('big.png', { kind: 'url', url: `${base}/big.png` })] });
    await saw('f4', t('en', 'error.file_too_large', { maxMb: 200 }).slice(0, 20));
    await done('f4');
    expect(uploads().some((u) => u.filename === 'big.png')).toBe(false);
  });
});
