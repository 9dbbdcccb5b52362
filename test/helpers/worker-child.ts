/**
 * A worker process for crash tests: ROLE=worker with the 'test' platform's outbox forwarded to the
 * parent test (OUTBOX_URL). Configured from the environment like `npm start`.
 */
import { loadConfig } from '../../src/platforms/config.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime } from '../../src/runtime.js';
import { ForwardingOutbox } from './remote-outbox.js';

const config = loadConfig();
const runtime = await startRuntime({ config, logger: silentLogger, outboxes: { test: new ForwardingOutbox(process.env.OUTBOX_URL!) }, runWorker: true });
process.send?.('ready');
process.on('SIGTERM', () => void runtime.close().then(() => process.exit(0)));
