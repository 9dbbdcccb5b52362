/**
 * A small Dockerfile reader for the container tests: stages with their instructions, line
 * continuations joined, comments dropped, `ARG` defaults substituted into `FROM`, exec-form (JSON)
 * arguments parsed. Enough for the Dockerfile we ship, not a general parser.
 */
export interface Instruction {
  op: string;
  /** The raw argument text (continuations joined). */
  args: string;
  /** Flags such as `--from=build` or `--interval=15s`. */
  flags: Record<string, string>;
  /** The argument text after the flags. */
  rest: string;
  /** Exec form (`["node", "x.js"]`) parsed; undefined for shell form. */
  exec?: string[];
}

export interface Stage {
  name?: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!pending && /^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full) lines.push(full);
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = '', argText = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const flags: Record<string, string> = {};
    let rest = argText;
    for (;;) {
      const m = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest);
      if (!m) break;
      flags[m[1]!] = m[2] ?? 'true';
      rest = rest.slice(m[0].length);
    }
    let exec: string[] | undefined;
    if (rest.startsWith('[')) {
      try {
        exec = JSON.parse(rest) as string[];
      } catch {
        exec = undefined;
      }
    }
    const ins: Instruction = { op: op.toUpperCase(), args: argText, flags, rest, ...(exec ? { exec } : {}) };
    if (ins.op === 'ARG' && !stages.length) {
      const [k, v = ''] = rest.split('=');
      args[k!] = v;
    } else if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => args[(a ?? b)!] ?? ''));
      stages.push({ from: m![1]!, ...(m![2] ? { name: m![2] } : {}), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}

export const instructions = (stage: Stage, op: string): Instruction[] => stage.instructions.filter((i) => i.op === op);
