/**
 * A bare Bot API client for baselines, run as its own process: `ECHO_COUNT` sendMessage calls at
 * `ECHO_RATE` per second to `ECHO_URL` (a fake Bot API root + token), chat ids `ECHO_CHAT_BASE + i`.
 * Prints one JSON line: the round-trip time of every call in ms (NaN for a failed one).
 */
import { Agent, request } from 'undici';
import { pace } from './pace.js';

const url = process.env.ECHO_URL ?? '';
const rate = Number(process.env.ECHO_RATE ?? 200);
const count = Number(process.env.ECHO_COUNT ?? 100);
const chatBase = Number(process.env.ECHO_CHAT_BASE ?? 1);
const dispatcher = new Agent({ keepAliveTimeout: 10_000 });

const latencies: number[] = new Array<number>(count).fill(NaN);
const calls = await pace(rate, count, async (i) => {
  const t0 = performance.now();
  const res = await request(`${url}/sendMessage`, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ chat_id: chatBase + i, text: `echo ${i}` }),
  });
  const body = (await res.body.json()) as { ok?: boolean };
  if (res.statusCode === 200 && body.ok) latencies[i] = performance.now() - t0;
});
await Promise.allSettled(calls);
process.stdout.write(`${JSON.stringify({ latencies })}\n`);
await dispatcher.close();
