/**
 * The suite-wide secrets check (test/setup/) can fail: it finds each fake token shape, passes clean
 * lines, and the capture it scans is live in this worker and in the Node children tests spawn.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { leakedLines, scanDir } from '../setup/secrets.js';

const NEMO = 'nmv_usr_anon_0123456789abcdef01234567';
const TELEGRAM = '5550004321:AAE-ops-npm-start-token-abcdefghijkl';
const DISCORD = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.secretDiscordTokenPartThatIsLong_123';

describe('the secrets check', () => {
  it('finds every fake token shape and passes clean lines (redacted ones, ids, URLs)', () => {
    expect(leakedLines(`a ${NEMO} b\nok line\nurl /bot${TELEGRAM}/getMe\nBot ${DISCORD}`)).toHaveLength(3);
    const clean = ['Bearer [redacted]', 'https://api.telegram.org/bot[redacted]/getMe', 'job telegram:7001:12345 done', 'session 5529798706024415232', 'register?bind=anon_abc123def4567890', 'render_1733070000000_ab12'];
    expect(leakedLines(clean.join('\n'))).toEqual([]);
    const dir = mkdtempSync(path.join(tmpdir(), 'scan-'));
    writeFileSync(path.join(dir, '1.log'), `fine\nleak ${NEMO}\n`);
    expect(scanDir(dir)).toMatchObject({ files: 1, leaks: [expect.stringContaining('1.log')] });
  });

  it('captures this worker\'s console and a spawned child\'s stdout', () => {
    const capture = (globalThis as { __nemoCapture?: { file: string } }).__nemoCapture;
    expect(capture, 'the capture is installed in test workers').toBeDefined();
    const marker = `capture-marker-${process.pid}-${Date.now()}`;
    console.log(marker);
    expect(readFileSync(capture!.file, 'utf8')).toContain(marker);
    const childMarker = `${marker}-child`;
    execFileSync(process.execPath, ['-e', `require('fs').writeSync(1, ${JSON.stringify(childMarker)} + '\\n')`], { stdio: 'pipe' });
    const dir = process.env.NEMO_BOT_CAPTURE_DIR!;
    expect(readdirSync(dir).some((f) => readFileSync(path.join(dir, f), 'utf8').includes(childMarker))).toBe(true);
  });
});
