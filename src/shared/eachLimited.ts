// Runs an async step for every item with at most `limit` in flight: the pool-sized fan-out of
// bulk work (a bulk import's rows added one by one, its 409 rows looked up).

/** Calls `step` for each item, `limit` at a time; rejects with the first failure, after which no item is started. */
export async function eachLimited<T>(items: readonly T[], limit: number, step: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await step(items[next++]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
