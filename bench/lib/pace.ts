/**
 * Fire `count` calls at `rate` per second, on schedule: call i is due at i / rate seconds after the
 * start; a late timer fires every call that is due at once, so the average rate holds even when the
 * event loop is busy. Calls are not awaited (an open-loop load, like real users); the returned
 * promise resolves once the last one was fired, with the list of their promises.
 */
export async function pace<T>(rate: number, count: number, fire: (i: number) => Promise<T>): Promise<Array<Promise<T>>> {
  const started = performance.now();
  const fired: Array<Promise<T>> = [];
  while (fired.length < count) {
    const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (fired.length < due) fired.push(fire(fired.length));
    if (fired.length < count) {
      const nextAt = started + (fired.length / rate) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, nextAt - performance.now())));
    }
  }
  return fired;
}
