/**
 * Bench (c) MP4 relay: a finished video on disk delivered to the chat through our real outboxes, as
 * the worker does after downloading a render.
 *
 *   Telegram: a BENCH_RELAY_TG_MB (45) MB MP4 → sendVideo (multipart) at the fake Bot API.
 *   Discord:  a BENCH_RELAY_DC_MB (9) MB MP4 → a channel message with the attachment at the fake Discord.
 *
 * Baseline, measured in the same run against the same fake endpoint: a raw file read stream piped
 * into a multipart POST with undici (bench/lib/relay-sender.ts, no product code). Every send runs in
 * a fresh child process (so its RSS figures are its own); RSS is sampled every 5 ms during the send.
 * BENCH_RELAY_REPS (3) alternating rounds; throughput is the median, RSS growth the largest seen.
 * Targets: throughput ≥ 0.8× baseline; RSS growth ≤ 64 MiB.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeDiscord } from '../test/fakes/discord/index.js';
import { FakeTelegram, makeUser, privateChat } from '../test/fakes/telegram/index.js';
import { spawnTs } from './lib/children.js';
import { benchMain, newReport, percentile, row, type BenchReport } from './lib/report.js';

export interface RelayOptions {
  telegramMB: number;
  discordMB: number;
  reps: number;
}

const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);

export function optionsFromEnv(env = process.env): RelayOptions {
  return { telegramMB: num(env.BENCH_RELAY_TG_MB, 45), discordMB: num(env.BENCH_RELAY_DC_MB, 9), reps: num(env.BENCH_RELAY_REPS, 3) };
}

const MiB = 1024 * 1024;
const TG_TOKEN = '6660009876:AAE-bench-relay-token-abcdefghijklmn';

interface SendResult {
  mode: string;
  bytes: number;
  seconds: number;
  rssBefore: number;
  rssPeak: number;
}

/** An MP4-shaped file of `bytes` random bytes (an ftyp box first; the content is never decoded). */
function makeVideo(dir: string, name: string, bytes: number): string {
  const file = path.join(dir, name);
  const fd = openSync(file, 'w');
  const ftyp = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex');
  writeSync(fd, ftyp);
  for (let left = bytes - ftyp.length; left > 0; left -= MiB) writeSync(fd, randomBytes(Math.min(MiB, left)));
  closeSync(fd);
  return file;
}

async function sendOnce(env: Record<string, string>): Promise<SendResult> {
  const child = spawnTs('bench/lib/relay-sender.ts', env, { nodeArgs: ['--expose-gc'] });
  const code = await child.exited;
  if (code !== 0) throw new Error(`relay sender ${env.RELAY_MODE} failed (${code}):\n${child.stderrTail()}`);
  return JSON.parse(child.stdout().trim().split('\n').pop()!) as SendResult;
}

/** One send of `file` by `mode` against a fresh fake (fresh, so stored uploads never pile up). */
async function telegramSend(mode: 'telegram-raw' | 'telegram-outbox', file: string): Promise<SendResult> {
  const fake = await FakeTelegram.start({ token: TG_TOKEN });
  const user = makeUser('Relay', { id: 424242 });
  fake.chats.add(privateChat(user));
  try {
    const r = await sendOnce({ RELAY_MODE: mode, RELAY_FILE: file, RELAY_URL: fake.url, RELAY_TOKEN: TG_TOKEN, RELAY_CHAT: String(user.id) });
    if (!fake.sent(user.id).some((m) => m.kind === 'video' && m.file?.bytes.length === r.bytes)) throw new Error(`${mode}: the fake did not receive the whole video`);
    return r;
  } finally {
    await fake.close();
  }
}

async function discordSend(mode: 'discord-raw' | 'discord-outbox' | 'discord-rest-buffer', file: string): Promise<SendResult> {
  const fake = await startFakeDiscord();
  try {
    const channel = fake.channels.general;
    const r = await sendOnce({ RELAY_MODE: mode, RELAY_FILE: file, RELAY_URL: fake.restUrl, RELAY_TOKEN: fake.token, RELAY_CHAT: channel });
    if (!fake.botMessages(channel).some((m) => m.attachments[0]?.bytes.length === r.bytes)) throw new Error(`${mode}: the fake did not receive the whole video`);
    return r;
  } finally {
    await fake.close();
  }
}

const mbps = (r: SendResult) => r.bytes / MiB / r.seconds;
const growthMiB = (r: SendResult) => (r.rssPeak - r.rssBefore) / MiB;

export async function run(partial: Partial<RelayOptions> = {}): Promise<BenchReport> {
  const o = { ...optionsFromEnv(), ...partial };
  const report = newReport('relay', { ...o, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-relay-'));
  try {
    const tgFile = makeVideo(dir, 'tg.mp4', Math.round(o.telegramMB * MiB));
    const dcFile = makeVideo(dir, 'dc.mp4', Math.round(o.discordMB * MiB));
    const results: Record<string, SendResult[]> = { 'telegram-raw': [], 'telegram-outbox': [], 'discord-raw': [], 'discord-outbox': [], 'discord-rest-buffer': [] };
    for (let i = 0; i < o.reps; i++) {
      // Alternate which side goes first, so a warming machine favours neither.
      const tg = i % 2 === 0 ? (['telegram-raw', 'telegram-outbox'] as const) : (['telegram-outbox', 'telegram-raw'] as const);
      for (const m of tg) results[m]!.push(await telegramSend(m, tgFile));
      const dc = i % 2 === 0 ? (['discord-raw', 'discord-outbox'] as const) : (['discord-outbox', 'discord-raw'] as const);
      for (const m of dc) results[m]!.push(await discordSend(m, dcFile));
    }
    // For comparison only: the Discord outbox's previous path (whole file in a Buffer, @discordjs/rest).
    results['discord-rest-buffer']!.push(await discordSend('discord-rest-buffer', dcFile));
    for (const [platform, mb] of [['telegram', o.telegramMB], ['discord', o.discordMB]] as const) {
      const base = results[`${platform}-raw`]!;
      const ours = results[`${platform}-outbox`]!;
      report.rows.push(
        row({ name: `${platform} ${mb} MB: throughput`, baseline: percentile(base.map(mbps), 50), value: percentile(ours.map(mbps), 50), unit: 'MiB/s', target: '≥ 0.8× baseline', minRatio: 0.8 }),
        row({ name: `${platform} ${mb} MB: RSS growth`, baseline: Math.max(...base.map(growthMiB)), value: Math.max(...ours.map(growthMiB)), unit: 'MiB', target: '≤ 64 MiB', max: 64 }),
      );
    }
    const old = results['discord-rest-buffer']!;
    const dcBase = results['discord-raw']!;
    report.rows.push(
      row({ name: `discord ${o.discordMB} MB via @discordjs/rest Buffer (previous path): throughput`, baseline: percentile(dcBase.map(mbps), 50), value: percentile(old.map(mbps), 50), unit: 'MiB/s' }),
      row({ name: `discord ${o.discordMB} MB via @discordjs/rest Buffer (previous path): RSS growth`, baseline: Math.max(...dcBase.map(growthMiB)), value: Math.max(...old.map(growthMiB)), unit: 'MiB' }),
    );
    report.notes.push(
      'each send in a fresh child process (a 4 KiB upload of the same kind and a GC first); RSS sampled every 5 ms; throughput = file bytes / send time (median of reps), RSS growth = peak − before (max of reps)',
      'baseline = file read stream → multipart POST with undici, no product code, same fake endpoint',
      `load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (the machine is shared)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return report;
}

benchMain(import.meta.url, () => run());
