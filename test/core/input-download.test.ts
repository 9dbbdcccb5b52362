/**
 * The user's own file cannot be fetched: a server error is retried by the queue (nothing was sent to
 * Nemo yet) and the turn goes through; a link that is gone (404) gets the catalogued message at once,
 * naming the file, not "Something went wrong on my side".
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBench, type Bench } from '../helpers/harness.js';

const JPG = readFileSync(new URL('../fixtures/input.jpg', import.meta.url));

describe("fetching the user's file", () => {
  let b: Bench;
  let server: http.Server;
  let base = '';
  const hits = new Map<string, number>();
  /** Path → status answers in order; the last one repeats. */
  const plan = new Map<string, number[]>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const n = (hits.get(req.url!) ?? 0) + 1;
      hits.set(req.url!, n);
      const answers = plan.get(req.url!) ?? [200];
      const status = answers[Math.min(n, answers.length) - 1]!;
      if (status === 200) res.writeHead(200, { 'content-type': 'image/jpeg' }).end(JPG);
      else res.writeHead(status).end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    b = await startBench('input-dl');
  });
  afterAll(async () => {
    await b?.close();
    server?.close();
  });

  const photo = (name: string) => [{ name, mimeType: 'image/jpeg', sizeBytes: JPG.length, source: { kind: 'url' as const, url: `${base}/${name}` } }];

  it('a 503 from the file host is retried and the turn goes through once', async () => {
    plan.set('/flaky.jpg', [503, 200]);
    await b.send('f1', 'animate this', { attachments: photo('flaky.jpg') });
    await b.outbox.waitFor(() => b.outbox.in('f1').find((m) => m.kind === 'video'), 40_000);
    expect(hits.get('/flaky.jpg')).toBe(2);
    expect(b.sim.requestsTo('run_sse').filter((r) => JSON.stringify(r.body).includes('animate this'))).toHaveLength(1);
    expect(b.outbox.textsIn('f1').join('\n')).not.toMatch(/could not fetch|went wrong/);
  }, 60_000);

  it('a link that is gone (404) tells the user which file to send again, without a retry', async () => {
    plan.set('/gone.jpg', [404]);
    await b.send('f2', 'animate this too', { attachments: photo('gone.jpg') });
    const told = await b.outbox.waitFor(() => b.outbox.in('f2').find((m) => /could not fetch/.test(m.text)), 20_000);
    expect(told.text).toContain('"gone.jpg"');
    expect(told.text).not.toMatch(/went wrong on my side/);
    expect(hits.get('/gone.jpg')).toBe(1);
    expect(b.sim.requestsTo('run_sse').filter((r) => JSON.stringify(r.body).includes('animate this too'))).toHaveLength(0);
  }, 30_000);
});
