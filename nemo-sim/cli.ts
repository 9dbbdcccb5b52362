/**
 * `npm run sim`: the simulator on its own, with realistic timings, for the demo and manual testing.
 *
 *   SIM_PORT (4010)   SIM_HOST (127.0.0.1)
 *   SIM_TURN_MS       fixed generation time; unset → random 30-90 s per turn
 *   SIM_EDIT_TURN_MS  (8000)   SIM_RENDER_STEP_MS (10000)   SIM_HEARTBEAT_MS (15000)
 *   SIM_RENDER_SHAPE  top-level | data      SIM_ERROR_STYLE http | code200
 *   SIM_STATIC_TOKENS comma-separated tokens accepted as registered users with 10000 credits
 *   SIM_TOKENS_PER_ADDRESS (10) anonymous tokens one address may get per 7 days (the skill's per-IP quota)
 * Drive it over HTTP with the /__sim/* control API (see control.ts).
 */
import { startNemoSim } from './server.js';
import type { SimOptions } from './types.js';

const env = process.env;
const num = (v: string | undefined, d: number): number => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : d);

const opts: Partial<SimOptions> = {
  host: env['SIM_HOST'] ?? '127.0.0.1',
  port: num(env['SIM_PORT'], 4010),
  editTurnMs: num(env['SIM_EDIT_TURN_MS'], 8000),
  renderStepMs: num(env['SIM_RENDER_STEP_MS'], 10_000),
  heartbeatMs: num(env['SIM_HEARTBEAT_MS'], 15_000),
  renderShape: env['SIM_RENDER_SHAPE'] === 'data' ? 'data' : 'top-level',
  errorStyle: env['SIM_ERROR_STYLE'] === 'code200' ? 'code200' : 'http',
  anonymousTokensPerAddress: num(env['SIM_TOKENS_PER_ADDRESS'], 10),
  staticTokens: Object.fromEntries(
    (env['SIM_STATIC_TOKENS'] ?? '').split(',').map((t) => t.trim()).filter(Boolean).map((t) => [t, { credits: 10_000 }]),
  ),
};
if (env['SIM_TURN_MS']) opts.turnMs = num(env['SIM_TURN_MS'], 400);
else Object.assign(opts, { turnMs: 30_000, turnMsMax: 90_000 });

/** A tiny JSON-lines logger (the simulator imports nothing from the product but types). */
const debug = /^(debug|trace)$/i.test(env['LOG_LEVEL'] ?? '');
const line = (level: string, fields: Record<string, unknown>, msg: string): void =>
  void process.stdout.write(`${JSON.stringify({ level, time: Date.now(), name: 'nemo-sim', ...fields, msg })}\n`);
const log = {
  info: (fields: Record<string, unknown>, msg: string) => line('info', fields, msg),
  debug: (fields: Record<string, unknown>, msg: string) => (debug ? line('debug', fields, msg) : undefined),
};
const sim = await startNemoSim(opts, {
  onRequest: (r) => log.debug({ seq: r.seq, endpoint: r.endpoint, method: r.method, path: r.path }, 'request done'),
});
log.info({ url: sim.url, turnMs: sim.options.turnMs, turnMsMax: sim.options.turnMsMax }, `Nemo simulator listening on ${sim.url}`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'Nemo simulator stopping');
  void sim.close().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
