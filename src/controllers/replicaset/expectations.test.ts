import { describe, expect, it } from 'vitest';
import { Expectations, EXPECTATIONS_TTL_MS } from './expectations.js';
import { slowStartBatch } from './slow-start.js';

describe('expectations', () => {
  it('hold a ReplicaSet back until its creations are seen', () => {
    const e = new Expectations();
    expect(e.satisfied('ns/rs')).toBe(true);
    e.expectCreations('ns/rs', 2);
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('count only the deletions of the pods asked for, once each', () => {
    const e = new Expectations();
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/other');
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a');
    expect(e.pending('ns/rs')).toEqual({ add: 0, del: 1 });
    e.deletionObserved('ns/rs', 'ns/b');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('expire, so a lost event cannot wedge a ReplicaSet', () => {
    let now = 1_000;
    const e = new Expectations(() => now);
    e.expectCreations('ns/rs', 1);
    now += EXPECTATIONS_TTL_MS;
    expect(e.satisfied('ns/rs')).toBe(false);
    now += 1;
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('are forgotten with their ReplicaSet', () => {
    const e = new Expectations();
    e.expectCreations('ns/rs', 3);
    e.delete('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
  });
});

describe('slow-start batches', () => {
  it.each<[number, number, number[]]>([
    [0, 1, []],
    [1, 1, [1]],
    [5, 1, [1, 2, 2]],
    [10, 1, [1, 2, 4, 3]],
    [10, 4, [4, 6]],
  ])('%i calls from batch size %i run as %j', async (count, initial, want) => {
    const batches: number[] = [];
    let inFlight = 0;
    let batch = 0;
    const r = await slowStartBatch(count, initial, async () => {
      inFlight++;
      batch++;
      await new Promise((res) => setTimeout(res, 1));
      if (inFlight === batch) batches.push(batch);
      inFlight--;
      if (inFlight === 0) batch = 0;
    });
    expect(r).toEqual({ successes: count });
    expect(batches).toEqual(want);
  });

  it('stops after the first batch with a failure', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      calls++;
      if (calls >= 3) throw new Error('quota exceeded');
    });
    // Batches 1 (ok) and 2 (one ok, one failed); the rest never run.
    expect(calls).toBe(3);
    expect(r.successes).toBe(2);
    expect(r.error).toBeInstanceOf(Error);
  });
});
