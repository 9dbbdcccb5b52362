/**
 * The community at once: N Telegram DMs, each with a photo, pushed at the same moment into `npm start`
 * run with default settings (only the deployment settings are set), against the Nemo simulator with
 * long turns and the fake Telegram Bot API.
 *
 * Measures what a user sees: the acknowledgement latency (update pushed → first message in the chat),
 * the video latency (pushed → MP4 in the chat), the peak of turns open at Nemo at once, duplicates,
 * and whether any Nemo request crossed from one conversation to another. The baseline is the turn
 * time itself: a video cannot arrive sooner.
 *
 *   BURST_N (1000)  BURST_TURN_MS (60000)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeTelegram, makeUser, privateChat } from '../test/fakes/telegram/index.js';
import { startNemoSim } from '../nemo-sim/index.js';
import { dropPrefix } from '../test/helpers/common.js';
import { benchMain, newReport, percentile, row, type BenchReport } from './lib/report.js';
import { sleep, startBot, stopChild, waitUntil } from './lib/processes.js';

const JPG = readFileSync(fileURLToPath(new URL('../test/fixtures/input.jpg', import.meta.url)));

export interface BurstOptions {
  n: number;
  turnMs: number;
  redisUrl?: string;
}

export interface BurstFigures {
  n: number;
  turnMs: number;
  acks: number[];
  videoLatencies: number[];
  peakOpenTurns: number;
  delivered: number;
  duplicateVideos: number;
  runSsePerSessionMax: number;
  crossings: string[];
  /** Where the time went, per conversation (ms after the push): turn sent, render started. */
  turnStarts: number[];
  renderStarts: number[];
  /** Requests the simulator refused as contract violations. */
  violations: number;
}

const TOKEN = '5550009999:AAE-burst-bench-token-abcdefghijklmno';
const NEMO_TOKEN = 'nmv_usr_burst_bench_shared_token';
const promptOf = (body: unknown) => (body as { new_message?: { parts?: { text?: string }[] } }).new_message?.parts?.[0]?.text ?? '';

export async function measureBurst(o: BurstOptions): Promise<BurstFigures> {
  const sim = await startNemoSim({ turnMs: o.turnMs, heartbeatMs: 5_000, renderStepMs: 1_000, staticTokens: { [NEMO_TOKEN]: { credits: 1e9 } } });
  const fake = await FakeTelegram.start({ token: TOKEN });
  const prefix = `burst-${randomBytes(3).toString('hex')}`;
  const bot = startBot({
    REDIS_URL: o.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    NEMO_API_URL: sim.url,
    NEMO_TOKEN,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: fake.url,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  });
  try {
    await waitUntil(() => fake.callsTo('getUpdates').length > 0, 60_000, 'the bot to poll');
    const users = Array.from({ length: o.n }, (_, i) => makeUser(`User${i}`, { id: 7_000_000 + i }));
    const pushedAt = new Map<number, number>();
    for (const [i, u] of users.entries()) {
      pushedAt.set(u.id, Date.now());
      fake.userPhoto({ chat: privateChat(u), from: u, caption: `turn this image into a 5-second animated video clip, scene s${u.id}x`, bytes: JPG });
      if (i % 100 === 99) await sleep(0);
    }
    let peak = 0;
    const sampler = setInterval(() => {
      let open = 0;
      for (const s of sim.sessions.values()) open += s.activeTurns;
      peak = Math.max(peak, open);
    }, 100);
    const videosIn = (id: number) => fake.sent(id).filter((m) => m.kind === 'video' || m.kind === 'document');
    try {
      await waitUntil(() => users.every((u) => videosIn(u.id).length > 0), o.turnMs + 120_000, 'every video', 500);
    } catch {
      // Report what arrived; the caller judges.
    } finally {
      clearInterval(sampler);
    }
    await sleep(1_000); // a late duplicate would show up now

    const acks: number[] = [];
    const videoLatencies: number[] = [];
    let delivered = 0;
    let duplicateVideos = 0;
    for (const u of users) {
      const sent = fake.sent(u.id);
      const t0 = pushedAt.get(u.id)!;
      if (sent[0]) acks.push(sent[0].at - t0);
      const v = videosIn(u.id);
      if (v.length) {
        delivered++;
        videoLatencies.push(v[0]!.at - t0);
      }
      if (v.length > 1) duplicateVideos += v.length - 1;
    }
    // Isolation: each prompt's tag names one chat; that chat's session and token are used for nothing else.
    const crossings: string[] = [];
    const sessionOfTag = new Map<string, string>();
    const perSession = new Map<string, number>();
    for (const r of sim.requestsTo('run_sse')) {
      const tag = /scene (s\d+x)/.exec(promptOf(r.body))?.[1] ?? '?';
      const sid = r.sessionId ?? '?';
      perSession.set(sid, (perSession.get(sid) ?? 0) + 1);
      const known = sessionOfTag.get(tag);
      if (known && known !== sid) crossings.push(`${tag} used sessions ${known} and ${sid}`);
      sessionOfTag.set(tag, sid);
    }
    const tagOfSession = new Map([...sessionOfTag].map(([tag, sid]) => [sid, tag]));
    const pushedAtOfTag = (tag: string) => pushedAt.get(Number(tag.slice(1, -1)));
    const turnStarts = sim.requestsTo('run_sse').map((r) => r.at - (pushedAtOfTag(/scene (s\d+x)/.exec(promptOf(r.body))?.[1] ?? '') ?? r.at));
    const renderStarts = [...sim.renders.values()].map((r) => r.createdAt - (pushedAtOfTag(tagOfSession.get(r.sessionId) ?? '') ?? r.createdAt));
    if (tagOfSession.size !== sessionOfTag.size) crossings.push('two chats shared one session');
    for (const u of users) {
      const v = videosIn(u.id)[0];
      if (v && !(v.caption ?? '').includes(`s${u.id}x`)) crossings.push(`chat ${u.id} got a video captioned "${v.caption}"`);
    }
    return {
      n: o.n,
      turnMs: o.turnMs,
      acks,
      videoLatencies,
      peakOpenTurns: peak,
      delivered,
      duplicateVideos,
      runSsePerSessionMax: Math.max(0, ...perSession.values()),
      crossings,
      violations: sim.violations.length,
      turnStarts,
      renderStarts,
    };
  } finally {
    await stopChild(bot);
    await fake.close();
    await sim.close();
    await dropPrefix(prefix);
  }
}

export async function run(o: Partial<BurstOptions> = {}): Promise<BenchReport> {
  const opts: BurstOptions = { n: o.n ?? Number(process.env.BURST_N ?? 1000), turnMs: o.turnMs ?? Number(process.env.BURST_TURN_MS ?? 60_000), redisUrl: o.redisUrl };
  const f = await measureBurst(opts);
  const rep = newReport('burst', { n: opts.n, turnMs: opts.turnMs, settings: 'defaults (ROLE=all)' });
  rep.rows.push(
    row({ name: 'peak turns open at Nemo', value: f.peakOpenTurns, baseline: f.n, unit: 'turns', target: '≥ 0.99 × N', minRatio: 0.99 }),
    row({ name: 'videos delivered', value: f.delivered, baseline: f.n, unit: 'videos', target: '= N', minRatio: 1 }),
    row({ name: 'video latency p50', value: percentile(f.videoLatencies, 50) / 1000, baseline: f.turnMs / 1000, unit: 's' }),
    row({ name: 'video latency max', value: Math.max(...f.videoLatencies) / 1000, baseline: f.turnMs / 1000, unit: 's', target: '≤ turn + 30 s', max: f.turnMs / 1000 + 30 }),
    row({ name: 'turn sent to Nemo, p50 after push', value: percentile(f.turnStarts, 50) / 1000, unit: 's' }),
    row({ name: 'turn sent to Nemo, max after push', value: Math.max(...f.turnStarts) / 1000, unit: 's' }),
    row({ name: 'render started, p50 after push', value: percentile(f.renderStarts, 50) / 1000, baseline: f.turnMs / 1000, unit: 's' }),
    row({ name: 'render started, max after push', value: Math.max(...f.renderStarts) / 1000, baseline: f.turnMs / 1000, unit: 's' }),
    row({ name: 'ack latency p50', value: percentile(f.acks, 50), unit: 'ms' }),
    row({ name: 'ack latency p99', value: percentile(f.acks, 99), unit: 'ms' }),
    row({ name: 'ack latency max', value: Math.max(...f.acks), unit: 'ms', target: '≤ 2000 ms', max: 2000 }),
    row({ name: 'duplicate videos', value: f.duplicateVideos, unit: '', target: '0', max: 0 }),
    row({ name: 'Nemo contract violations', value: f.violations, unit: '', target: '0', max: 0 }),
    row({ name: 'requests crossing conversations', value: f.crossings.length, unit: '', target: '0', max: 0 }),
  );
  rep.notes.push('Baseline for latencies is the backend turn time: no video can arrive sooner.');
  return rep;
}

benchMain(import.meta.url, () => run());
