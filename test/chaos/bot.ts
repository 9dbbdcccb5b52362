/**
 * A chaos bot process (ingress only, ROLE=bot): takes normalized messages over IPC, as an adapter
 * would from a platform event, and hands them to the core. The parent kills it mid-accept.
 */
import { loadConfig } from '../../src/platforms/config.js';
import type { IncomingMessage } from '../../src/core/message.js';
import { silentLogger } from '../../src/log.js';
import { startRuntime } from '../../src/runtime.js';
import { ForwardingOutbox } from '../helpers/remote-outbox.js';

const runtime = await startRuntime({ config: loadConfig(), logger: silentLogger, outboxes: { test: new ForwardingOutbox(process.env.OUTBOX_URL!) }, runWorker: false });
process.on('message', (msg: IncomingMessage) => void runtime.ingress.accept(msg).then((r) => process.send?.(r)));
process.send?.('ready');
