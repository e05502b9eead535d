// The controller work queue (client-go's rate-limited workqueue semantics): keys, not events,
// so a burst of changes to one object collapses into one reconcile. Guarantees:
//   - a key waiting in the queue is there once, however often it is added;
//   - a key is handled by one worker at a time; added while in flight, it is queued again
//     when that worker is done (so the latest state is always reconciled);
//   - a failing key comes back after a per-key exponential delay, reset by forget().

export interface RateLimiterOptions {
  /** Delay after the first failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Ceiling of the per-key delay. Default 300 s. */
  maxDelayMs?: number;
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  /** Keys waiting to be handed out (in `queue`, or re-queued on done). */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly timers = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private shuttingDown = false;

  constructor(opts: RateLimiterOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 300_000;
  }

  /** Keys waiting (not counting delayed or in-flight ones). */
  get length(): number {
    return this.queue.length;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // done() will queue it
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Add after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { at, timer });
  }

  /** Add after this key's backoff: base * 2^failures, capped. */
  addRateLimited(key: K): void {
    this.addAfter(key, this.nextDelay(key));
  }

  /** The key succeeded: its next failure starts from the base delay again. */
  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to work on; undefined once the queue is shut down and drained. Pair with done(). */
  get(): Promise<K | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** The worker finished with this key; if it was added meanwhile, it is queued again now. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Stop accepting keys, drop delayed ones, and release idle workers. Queued keys still drain. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private nextDelay(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
  }
}

export interface WorkerOptions {
  /** Parallel workers (distinct keys in parallel; one key never twice at once). Default 1. */
  workers?: number;
  /** A reconcile failure, before its key is retried with backoff. Default: one line on stderr. */
  onError?: (err: unknown, key: string) => void;
}

/**
 * Run `reconcile(key)` workers until the queue shuts down: success forgets the key's failures,
 * a throw (or rejection) requeues it rate-limited. Resolves when every worker has exited.
 */
export async function runWorkers(queue: WorkQueue<string>, reconcile: (key: string) => Promise<void> | void, opts: WorkerOptions = {}): Promise<void> {
  const onError = opts.onError ?? ((err: unknown, key: string) => console.error(`reconcile ${key}: ${err instanceof Error ? err.message : String(err)}`));
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcile(key);
        queue.forget(key);
      } catch (err) {
        onError(err, key);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.workers ?? 1 }, worker));
}
