/**
 * Runs at most `concurrency` of the given tasks at a time. Waits for every started task to
 * settle; the first error (if any) is rethrown after that, and no new task starts once one
 * has failed, so nothing keeps running behind the caller's back.
 */
export async function runLimited<T>(concurrency: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < tasks.length && !failure) {
      const i = next++;
      try {
        results[i] = await tasks[i]!();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const n = Math.max(1, Math.min(concurrency, tasks.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (failure) throw failure.error;
  return results;
}
