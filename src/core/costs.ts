/**
 * What a job cost, and whether a failed one was charged.
 *
 * The backend reports only a balance (`total = available + frozen`), so the cost is the drop of the
 * total between just before the turn was sent and the end of the job. A turn never sent, and an
 * export (free), cost nothing without asking. On a token shared by several conversations another
 * job's charge can fall into the window; the figure is then an upper bound.
 */
import type { CredentialHandle } from '../nemo/types.js';
import { t } from './i18n.js';
import type { JobContext } from './job-context.js';
import type { CoreServices } from './services.js';

/** Remember the balance before the turn is sent (once; a resumed job keeps the first reading). */
export async function noteBalanceBefore(svc: CoreServices, ctx: JobContext, auth: CredentialHandle): Promise<void> {
  if (ctx.data.creditsBefore !== undefined) return;
  const c = await svc.nemo.getCredits(auth).catch((err) => void ctx.log.debug({ err }, 'could not read the balance before the turn'));
  if (c) await ctx.save({ creditsBefore: c.total });
}

/**
 * Read the balance after the job and keep the cost; returns the result's cost line (with a low-balance
 * warning under LOW_BALANCE_WARNING), or '' when the balance cannot be read.
 */
export async function settleCost(svc: CoreServices, ctx: JobContext, auth: CredentialHandle): Promise<string> {
  if (ctx.data.cost === undefined || ctx.data.balance === undefined) {
    const c = await svc.nemo.getCredits(auth).catch((err) => void ctx.log.debug({ err }, 'could not read the balance after the job'));
    if (!c) return '';
    const before = ctx.data.creditsBefore;
    await ctx.save({ cost: before === undefined ? 0 : Math.max(0, before - c.total), balance: c.available });
  }
  return costText(ctx.data.target.lang, ctx.data.cost ?? 0, ctx.data.balance ?? 0, svc.config.LOW_BALANCE_WARNING);
}

export function costText(lang: string, cost: number, balance: number, lowBelow: number): string {
  const line = t(lang, 'cost.line', { cost, balance });
  return lowBelow > 0 && balance < lowBelow ? `${line}\n${t(lang, 'cost.low', { balance })}` : line;
}

/**
 * The line under a failure: "you were not charged" when nothing billable reached the backend (an
 * export, a turn never sent, or a balance back where it was), the amount when it dropped, and a
 * pointer to /credits when the backend still holds credits for running work.
 */
export async function chargeNotice(svc: CoreServices, ctx: JobContext, auth: CredentialHandle | undefined): Promise<string> {
  const { lang } = ctx.data.target;
  if (ctx.data.kind !== 'turn' || !ctx.data.turnSentAt) return t(lang, 'charge.none');
  const before = ctx.data.creditsBefore;
  const c = auth && (await svc.nemo.getCredits(auth).catch(() => undefined));
  if (!c || before === undefined) return t(lang, 'charge.unknown');
  await ctx.save({ cost: Math.max(0, before - c.total), balance: c.available });
  if (c.total < before) return t(lang, 'charge.some', { cost: before - c.total });
  return c.frozen > 0 ? t(lang, 'charge.unknown') : t(lang, 'charge.none');
}
