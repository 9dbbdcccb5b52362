/**
 * vitest setupFiles: console output of the test file goes into the capture too, and after each file
 * its part of the capture is scanned, so a leak fails the file that caused it.
 */
import { openSync, readSync, statSync, closeSync } from 'node:fs';
import { format } from 'node:util';
import { afterAll, expect } from 'vitest';
import { leakedLines } from './secrets.js';

interface Capture {
  file: string;
  note(kind: string, text: string): void;
}
const capture = (globalThis as { __nemoCapture?: Capture }).__nemoCapture;

if (capture) {
  const from = statSync(capture.file).size;
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const orig = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      capture.note(`console.${level}`, format(...args));
      orig(...args);
    };
  }
  afterAll(() => {
    const size = statSync(capture.file).size;
    const buf = Buffer.alloc(size - from);
    const fd = openSync(capture.file, 'r');
    readSync(fd, buf, 0, buf.length, from);
    closeSync(fd);
    expect(leakedLines(buf.toString('utf8')), 'a fake token reached a log line, an error or a chat message').toEqual([]);
  });
}
