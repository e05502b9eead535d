import { afterEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from './backoff.js';
import { WorkQueue, runWorkers } from './workqueue.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('WorkQueue', () => {
  it('keeps a queued key once however often it is added, in first-add order', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'a', 'c', 'b', 'a']) q.add(k);
    expect(q.length).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['a', 'b', 'c']);
  });

  it('never hands one key to two workers; re-adds during processing come back after done()', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    q.add('a');
    expect(q.length).toBe(0); // in flight: held back, not queued
    const second = q.get();
    let got: string | undefined;
    void second.then((k) => (got = k));
    await Promise.resolve();
    expect(got).toBeUndefined();
    q.done(key as string);
    expect(await second).toBe('a'); // exactly once more
    q.done('a');
    expect(q.length).toBe(0);
  });

  it('wakes a waiting worker on add', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    expect(await waiting).toBe('x');
  });

  it('backs off per key exponentially, and forget() resets it', () => {
    vi.useFakeTimers();
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = Date.now();
      q.addRateLimited('k');
      for (let t = 0; t < 1000 && q.length === 0; t++) vi.advanceTimersByTime(1);
      delays.push(Date.now() - start);
      void q.get(); // hands out 'k' synchronously
      q.done('k');
      expect(q.numRequeues('k')).toBe(i + 1);
    }
    expect(delays).toEqual([10, 20, 40, 50, 50]);
    expect(q.numRequeues('other')).toBe(0);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
  });

  it('addAfter keeps the earliest pending time for a key', () => {
    vi.useFakeTimers();
    const q = new WorkQueue();
    q.addAfter('k', 100);
    q.addAfter('k', 500);
    q.addAfter('k', 50);
    vi.advanceTimersByTime(49);
    expect(q.length).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.length).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(q.length).toBe(1);
  });

  it('shutDown releases idle workers and drops delayed keys', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.addAfter('later', 10_000);
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add('ignored');
    expect(await q.get()).toBeUndefined();
  });
});

describe('runWorkers', () => {
  it('reconciles each key, retries failures with backoff, and exits on shutDown', async () => {
    const q = new WorkQueue({ baseDelayMs: 1 });
    const seen: string[] = [];
    let failuresLeft = 2;
    const errors: string[] = [];
    const done = runWorkers(
      q,
      async (key) => {
        seen.push(key);
        if (key === 'flaky' && failuresLeft-- > 0) throw new Error('not yet');
      },
      { workers: 3, onError: (err, key) => errors.push(`${key}: ${(err as Error).message}`) },
    );
    q.add('ok');
    q.add('flaky');
    await vi.waitFor(() => expect(seen.filter((k) => k === 'flaky')).toHaveLength(3));
    expect(errors).toEqual(['flaky: not yet', 'flaky: not yet']);
    expect(q.numRequeues('flaky')).toBe(0); // forgotten after the success
    q.shutDown();
    await done;
  });

  it('runs distinct keys in parallel but one key at a time', async () => {
    const q = new WorkQueue();
    let running = 0;
    let maxParallel = 0;
    const perKey = new Map<string, number>();
    let violations = 0;
    const done = runWorkers(
      q,
      async (key) => {
        running++;
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        if ((perKey.get(key) ?? 0) > 1) violations++;
        maxParallel = Math.max(maxParallel, running);
        await new Promise((r) => setTimeout(r, 5));
        if (key === 'a') q.add('a'.repeat(2)); // enqueue more work while busy
        q.add(key); // and re-add itself once: must wait until done
        perKey.set(key, (perKey.get(key) ?? 1) - 1);
        running--;
      },
      { workers: 4 },
    );
    for (const k of ['a', 'b', 'c', 'd']) q.add(k);
    await new Promise((r) => setTimeout(r, 60));
    q.shutDown();
    await done;
    expect(violations).toBe(0);
    expect(maxParallel).toBeGreaterThan(1);
    expect(maxParallel).toBeLessThanOrEqual(4);
  });
});

describe('Backoff', () => {
  it('doubles from the initial delay up to the ceiling, jitter shaving at most its fraction', () => {
    const noJitter = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    expect(Array.from({ length: 6 }, () => noJitter.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    noJitter.reset();
    expect(noJitter.next()).toBe(100);
    const fullJitter = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0.999999 });
    expect(fullJitter.next()).toBe(50);
    const real = new Backoff();
    for (let i = 0; i < 50; i++) {
      const d = real.next();
      expect(d).toBeGreaterThanOrEqual(50);
      expect(d).toBeLessThanOrEqual(10_000);
    }
  });
});
