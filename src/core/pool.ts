// Bounded concurrency for async work: the one pool every part of the engine uses.
// (For a delay, use `setTimeout` from node:timers/promises.)

/** Run `fn` over `items` with at most `limit` in flight; rejects with the first error (the rest finish first). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let firstError: unknown;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (e) {
        if (!failed) { failed = true; firstError = e; }
      }
    }
  };
  const n = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (failed) throw firstError;
  return results;
}
