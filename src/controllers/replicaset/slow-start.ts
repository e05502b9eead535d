// Slow-start batches (controller.slowStartBatch): run `count` calls in batches of 1, 2, 4, ...
// in parallel within a batch, stopping after the first batch with a failure. A create that
// fails for a systemic reason (quota, admission) then fails once, not `count` times.

export interface SlowStartResult {
  successes: number;
  /** The first failure of the batch that stopped the run. */
  error?: unknown;
}

export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length > 0) return { successes, error: failed[0]!.reason };
    remaining -= batch;
  }
  return { successes };
}
