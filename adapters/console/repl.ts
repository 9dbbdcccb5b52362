/**
 * A terminal chat with the bot. Each line is a message; `/file <path> [caption]` sends a file,
 * `/sample [caption]` sends the bundled sample image, `/b <n>` presses a button, `/quit` leaves.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { conversationKey, type Attachment, type ConversationIngress, type IncomingMessage } from '../../src/core/message.js';
import type { ConsoleOutbox } from './outbox.js';

export const SAMPLE_IMAGE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../test/fixtures/input.png');

/** Turn one typed line into a message (or undefined for local commands). */
export function parseLine(line: string, seq: number, outbox: ConsoleOutbox): IncomingMessage | { error: string } | undefined {
  const text = line.trim();
  if (!text) return undefined;
  const base: IncomingMessage = {
    platform: 'console',
    conversationKey: conversationKey('console', 'local'),
    chatId: 'local',
    userId: 'you',
    userName: 'you',
    messageId: `line-${Date.now()}-${seq}`,
    text,
    attachments: [],
    isDirect: true,
    mentionsBot: true,
    receivedAt: Date.now(),
  };
  const file = (p: string): Attachment | { error: string } => {
    try {
      const full = path.resolve(p);
      return { name: path.basename(full), sizeBytes: statSync(full).size, source: { kind: 'path', path: full } };
    } catch {
      return { error: `No such file: ${p}` };
    }
  };
  let m = /^\/file\s+(\S+)\s*(.*)$/s.exec(text);
  if (m) {
    const att = file(m[1]!);
    return 'error' in att ? att : { ...base, text: m[2] ?? '', attachments: [att] };
  }
  m = /^\/sample\s*(.*)$/s.exec(text);
  if (m) {
    const att = file(SAMPLE_IMAGE);
    return 'error' in att ? att : { ...base, text: m[1] || 'turn this image into a 5-second animated video clip', attachments: [att] };
  }
  m = /^\/b\s+(\d+)$/.exec(text);
  if (m) {
    const id = outbox.buttons.get(Number(m[1]));
    return id ? { ...base, text: '', button: { id } } : { error: `No button ${m[1]}` };
  }
  m = /^\/(\w+)(?:\s+(.*))?$/s.exec(text);
  if (m) return { ...base, text: m[2] ?? '', command: { name: m[1]!.toLowerCase(), args: m[2] ?? '' } };
  return base;
}

/** Read lines until EOF or /quit; resolves when input ends. */
export function runRepl(ingress: ConversationIngress, outbox: ConsoleOutbox, input: Readable, output: Writable): Promise<void> {
  const rl = readline.createInterface({ input, output, terminal: (input as { isTTY?: boolean }).isTTY === true, prompt: 'you › ' });
  let seq = 0;
  rl.prompt();
  return new Promise((resolve) => {
    let chain = Promise.resolve();
    rl.on('line', (line) => {
      chain = chain.then(async () => {
        if (line.trim() === '/quit') return rl.close();
        const msg = parseLine(line, ++seq, outbox);
        if (msg && 'error' in msg) output.write(`   ${msg.error}\n`);
        else if (msg) await ingress.accept(msg).catch((err: Error) => output.write(`   error: ${err.message}\n`));
        rl.prompt();
      });
    });
    rl.on('close', () => void chain.then(resolve));
  });
}
