/**
 * The Nemo simulator: a real `node:http` stand-in for the NemoVideo backend (see
 * ../shared/reference/nemo-api.md). Import `startNemoSim` in tests, or run `npm run sim`.
 */
export { startNemoSim, validateFault, type SimHooks } from './server.js';
export { DEFAULT_OPTIONS, ENDPOINT_NAMES, FAULT_KINDS, TURN_KINDS } from './types.js';
export type {
  EndpointName, Fault, FaultKind, HeartbeatForm, NemoSim, RenderStatusName, SimOptions, SimRender, SimRequest, SimSession,
  TurnKind, UploadRecord,
} from './types.js';
export {
  AGENT_AUTHOR, EDIT_TOOL, GENERATE_DONE_TEXT, GUI_TEXT, GENERATE_START_TEXT, GENERATE_TOOL, QUESTION_ARGS, QUESTION_TOOL, TRAILING_NOISE,
} from './turns.js';
export { FIXTURE_PATH } from './fixture.js';
export { isDraftReady } from './draft.js';
