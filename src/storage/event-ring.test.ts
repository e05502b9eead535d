import { describe, expect, it } from 'vitest';
import { EventRing } from './event-ring.js';
import type { WatchEvent } from './types.js';

const ev = (revision: number): WatchEvent => ({
  type: 'put',
  kv: { key: `/k${revision}`, value: '{}', createRevision: revision, modRevision: revision },
  revision,
});

describe('EventRing (watch cache)', () => {
  it('returns the events after a revision while they are still held', () => {
    const ring = new EventRing(3, 10);
    expect(ring.after(10)).toEqual([]);
    expect(ring.after(9)).toBeUndefined();
    for (let r = 11; r <= 15; r++) ring.push(ev(r));
    expect(ring.newest).toBe(15);
    expect(ring.after(12)?.map((e) => e.revision)).toEqual([13, 14, 15]);
    expect(ring.after(14)?.map((e) => e.revision)).toEqual([15]);
    expect(ring.after(15)).toEqual([]);
    expect(ring.after(11)).toBeUndefined();
  });

  it('starts over rather than hold a gap', () => {
    const ring = new EventRing(4, 0);
    ring.push(ev(1));
    ring.push(ev(5));
    expect(ring.after(0)).toBeUndefined();
    expect(ring.after(4)?.map((e) => e.revision)).toEqual([5]);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new EventRing(0, 0)).toThrow(RangeError);
  });
});
