/**
 * A chaos worker: loads everything, then waits as a warm standby until the parent says `go` (so a
 * killed worker is replaced in a moment, not after a cold start), then runs ROLE=worker with the
 * 'test' outbox forwarded to the parent (OUTBOX_URL).
 */
import { loadConfig } from '../../src/platforms/config.js';
import { appendFileSync } from 'node:fs';
import { createLogger, silentLogger } from '../../src/log.js';
import { startRuntime } from '../../src/runtime.js';
import { ForwardingOutbox } from '../helpers/remote-outbox.js';

// CHAOS_LOG=<file>: the workers' warnings go there (debugging a chaos run).
const file = process.env.CHAOS_LOG;
const logger = file ? createLogger({ level: 'warn', destination: { write: (line: string) => appendFileSync(file, line) } }) : silentLogger;

process.on('message', (m) => {
  if (m !== 'go') return;
  void startRuntime({ config: loadConfig(), logger, outboxes: { test: new ForwardingOutbox(process.env.OUTBOX_URL!) }, runWorker: true }).then(() => process.send?.('ready'));
});
process.send?.('loaded');
