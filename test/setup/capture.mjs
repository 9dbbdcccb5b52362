/**
 * Output capture for the secrets check (plain JS: test workers and every Node child a test spawns
 * load it through NODE_OPTIONS=--import, set by test/setup/secrets-global.ts). Whatever a process
 * writes to stdout or stderr (pino's direct fd writes included) and every chat message a fake
 * platform or the recording outbox records is also appended to a file of its own in
 * NEMO_BOT_CAPTURE_DIR; the original output is untouched. Nothing happens without that variable.
 */
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.NEMO_BOT_CAPTURE_DIR;
if (dir && !globalThis.__nemoCapture) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}.log`);
  const out = fs.openSync(file, 'a');
  const writeSync = fs.writeSync;
  const write = fs.write;
  const append = (data) => {
    try {
      if (typeof data === 'string' || Buffer.isBuffer(data)) writeSync.call(fs, out, data);
      else if (data instanceof Uint8Array) writeSync.call(fs, out, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    } catch {
      // capture is best effort; the output itself must never fail because of it
    }
  };
  fs.writeSync = function (fd, data, ...rest) {
    if (fd === 1 || fd === 2) append(data);
    return writeSync.call(this, fd, data, ...rest);
  };
  fs.write = function (fd, data, ...rest) {
    if (fd === 1 || fd === 2) append(data);
    return write.call(this, fd, data, ...rest);
  };
  for (const stream of [process.stdout, process.stderr]) {
    const orig = stream.write;
    stream.write = function (chunk, ...rest) {
      append(chunk);
      return orig.call(this, chunk, ...rest);
    };
  }
  globalThis.__nemoCapture = {
    file,
    /** A chat message (or an error text) a test recorded: scanned like a log line. */
    note(kind, text) {
      append(`[${kind}] ${String(text).replace(/\n/g, ' ')}\n`);
    },
  };
}
