/** Shared set-up for the Nemo client tests: a sim, a client with test-sized timeouts, credential handles. */
import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '../../src/log.js';
import { NemoClient, type NemoClientExtras } from '../../src/nemo/client.js';
import { NemoError } from '../../src/nemo/errors.js';
import type { CredentialHandle, NemoClientOptions, NemoCredential } from '../../src/nemo/types.js';
import { startNemoSim, type NemoSim, type SimOptions } from '../../nemo-sim/index.js';

export const WEB_URL = 'https://web.nemo.test';

export function clientOptions(sim: NemoSim, o: Partial<NemoClientOptions> & NemoClientExtras = {}): NemoClientOptions & NemoClientExtras {
  return {
    apiUrl: sim.url,
    webUrl: WEB_URL,
    skill: { source: 'nemo-bot-test', version: '1.9', platform: 'test' },
    defaultLanguage: 'en',
    requestTimeoutMs: 2_000,
    rateLimitRetryMs: 50,
    sseTimeoutMs: 10_000,
    sseIdleTimeoutMs: 5_000,
    sseStallTimeoutMs: 3_000,
    sseMaxEventBytes: 256 * 1024,
    uploadMaxBytes: 200 * 1024 * 1024,
    ...o,
  };
}

export interface Rig {
  sim: NemoSim;
  client: NemoClient;
  close(): Promise<void>;
}

export async function rig(simOpts: Partial<SimOptions> = {}, clientOpts: Partial<NemoClientOptions> & NemoClientExtras = {}): Promise<Rig> {
  // These client tests read the user id from the token/session answers (the older documented variant;
  // the sim's default follows the current examples and sends it only with the state), and get many
  // anonymous tokens from one loopback address.
  const sim = await startNemoSim({ turnMs: 300, heartbeatMs: 50, editTurnMs: 30, renderStepMs: 60, returnUserId: true, anonymousTokensPerAddress: 1000, ...simOpts });
  const client = new NemoClient(clientOptions(sim, clientOpts));
  return {
    sim,
    client,
    // The client kept the Nemo contract in every call of the test (the sim fails and records any breach).
    close: async () => {
      await Promise.all([client.close(), sim.close()]);
      sim.assertNoViolations();
    },
  };
}

/** A handle whose `save` calls are recorded. */
export function handle(credential: NemoCredential): CredentialHandle & { saved: NemoCredential[] } {
  const saved: NemoCredential[] = [];
  return {
    credential,
    saved,
    async save(renewed) {
      saved.push(renewed);
    },
  };
}

/** An anonymous credential from the sim, in a recording handle. */
export async function anonHandle(client: NemoClient, clientId: string = randomUUID()) {
  return handle(await client.acquireAnonymousToken(clientId));
}

/** Await a rejection and return it as a NemoError (fails the test on anything else). */
export async function nemoError(p: Promise<unknown>): Promise<NemoError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof NemoError) return err;
    throw err;
  }
  throw new Error('expected a NemoError, but the call succeeded');
}

/** A pino logger at debug level writing every line (synchronously) into `lines`. */
export function captureLogger(): { logger: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, text: () => lines.join('') };
}
