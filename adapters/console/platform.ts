/**
 * The console as a registered platform (src/platforms/registry.ts): the demo's chat in a terminal.
 * It is never enabled by `npm start` (`npm run demo` drives it); it is registered so the platform
 * id is known like any other.
 */
import type { PlatformAdapter } from '../../src/platforms/port.js';
import { ConsoleOutbox } from './outbox.js';
import { runRepl } from './repl.js';

export const consolePlatform: PlatformAdapter = {
  id: 'console',
  enabled: () => false,
  secrets: () => [],
  createOutbox: () => new ConsoleOutbox(process.stdout),
  async start({ ingress }) {
    const outbox = new ConsoleOutbox(process.stdout);
    const done = runRepl(ingress, outbox, process.stdin, process.stdout);
    return {
      async stop() {
        process.stdin.pause();
        await Promise.race([done, new Promise((r) => setTimeout(r, 100))]);
      },
    };
  },
};
