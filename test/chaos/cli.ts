/**
 * `npm run chaos -- --runs N [--bot-kills M] [--conversations C]`: a long crash chaos run (N worker
 * kills) that prints its figures; exits 1 when a job was lost, delivered twice, a message was sent
 * to /run_sse twice or a render was left unpolled.
 */
import { parseArgs } from 'node:util';
import { runChaos } from './run.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '50' }, 'bot-kills': { type: 'string', default: '5' }, conversations: { type: 'string', default: '6' } } });
const f = await runChaos({ kills: Number(values.runs), botKills: Number(values['bot-kills']), conversations: Number(values.conversations), log: (l) => console.log(l) });
process.exit(f.lost + f.duplicates + f.resent + f.orphaned === 0 ? 0 : 1);
