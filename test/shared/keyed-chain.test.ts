/**
 * KeyedChain: one key's tasks run in order, other keys' tasks run meanwhile, a failure does not stop
 * the queue behind it, and finished keys are forgotten.
 */
import { describe, expect, it } from 'vitest';
import { KeyedChain } from '../../adapters/shared/keyed-chain.js';

function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('KeyedChain', () => {
  it('runs tasks of one key in order and tasks of other keys meanwhile', async () => {
    const chain = new KeyedChain();
    const log: string[] = [];
    const a1 = gate();
    const p1 = chain.run('a', async () => {
      log.push('a1 start');
      await a1.wait;
      log.push('a1 end');
    });
    const p2 = chain.run('a', async () => void log.push('a2'));
    await chain.run('b', async () => void log.push('b1'));
    expect(log).toEqual(['a1 start', 'b1']);
    expect(chain.activeKeys).toBe(1);
    expect(chain.pending).toBe(2);
    a1.open();
    await Promise.all([p1, p2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    await chain.idle();
    expect(chain.activeKeys).toBe(0);
    expect(chain.pending).toBe(0);
  });

  it('a failing task rejects its own promise and the next one of the key still runs', async () => {
    const chain = new KeyedChain();
    const failed = chain.run('k', async () => {
      throw new Error('boom');
    });
    const next = chain.run('k', async () => 42);
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe(42);
  });

  it('idle() waits for everything queued', async () => {
    const chain = new KeyedChain();
    const g = gate();
    let done = false;
    void chain.run('x', () => g.wait);
    void chain.run('x', async () => {
      done = true;
    });
    const idle = chain.idle().then(() => done);
    g.open();
    expect(await idle).toBe(true);
  });
});
