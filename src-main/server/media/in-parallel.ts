// Media files are written, flushed and read through libuv's thread pool (four
// threads by default). One file at a time leaves three of them idle and makes
// every flush wait for the one before it; a few at a time lets the disk and the
// file system's journal take them together.

/** How many files are in flight at once: twice the default thread pool, so that no thread waits for its next file. */
export const FILES_IN_FLIGHT = 8;

/**
 * Runs `task` on every item, at most `limit` at a time, and resolves to the
 * results in the items' order. After a failure no new task starts; the ones
 * already running are waited for, then the first failure is thrown.
 */
export async function mapInParallel<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
