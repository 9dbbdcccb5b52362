/**
 * The doctor's checklist: one line per check (✔ passed, ! works but risky, ✖ will fail, · for your
 * information), each problem followed by its fix. Printing is plain text with no colours, so it reads
 * the same in a terminal, a CI log and a support ticket. Nothing printed may contain a secret.
 */
import { scrub } from '../../log.js';

export type Status = 'ok' | 'warn' | 'fail' | 'info';

export interface Item {
  status: Status;
  /** What was checked and what was found, in one line. */
  title: string;
  /** How to fix it (problems and warnings). */
  fix?: string;
}

const MARK: Record<Status, string> = { ok: '✔', warn: '!', fail: '✖', info: '·' };

export const ok = (title: string): Item => ({ status: 'ok', title });
export const info = (title: string): Item => ({ status: 'info', title });
export const warn = (title: string, fix: string): Item => ({ status: 'warn', title, fix });
export const fail = (title: string, fix: string): Item => ({ status: 'fail', title, fix });

export interface Section {
  name: string;
  items: Item[];
}

export function formatChecklist(sections: readonly Section[]): string {
  const lines: string[] = [];
  for (const s of sections) {
    lines.push(s.name);
    for (const item of s.items) {
      lines.push(`  ${MARK[item.status]} ${item.title}`);
      if (item.fix) lines.push(`      fix: ${item.fix}`);
    }
    lines.push('');
  }
  const all = sections.flatMap((s) => s.items);
  const failed = all.filter((i) => i.status === 'fail').length;
  const warned = all.filter((i) => i.status === 'warn').length;
  lines.push(
    failed
      ? `${failed} problem${failed === 1 ? '' : 's'} to fix${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}: this deployment will not work as configured.`
      : warned
        ? `Ready, with ${warned} warning${warned === 1 ? '' : 's'}.`
        : 'Ready: everything this deployment needs is in place.',
  );
  return scrub(lines.join('\n'));
}

export const hasFailures = (sections: readonly Section[]): boolean => sections.some((s) => s.items.some((i) => i.status === 'fail'));
