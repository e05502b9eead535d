import { describe, expect, it } from 'vitest';
import { NodePortAllocator } from './portallocator.js';

describe('NodePortAllocator', () => {
  it('hands out every port of a small range once, then reports it full', () => {
    const a = new NodePortAllocator({ min: 30000, max: 30009 });
    expect(a.staticBand).toBe(0);
    const got = new Set<number>();
    for (let i = 0; i < 10; i++) got.add(a.allocateNext());
    expect([...got].sort()).toEqual([30000, 30001, 30002, 30003, 30004, 30005, 30006, 30007, 30008, 30009]);
    expect(() => a.allocateNext()).toThrow(expect.objectContaining({ reason: 'Full', message: 'range is full' }));
  });

  it('uses Kubernetes’ texts for taken and out-of-range ports', () => {
    const a = new NodePortAllocator({ min: 30000, max: 32767 });
    a.allocate(30080);
    expect(() => a.allocate(30080)).toThrow(expect.objectContaining({ reason: 'Allocated', message: 'provided port is already allocated' }));
    expect(() => a.allocate(80)).toThrow(expect.objectContaining({ reason: 'NotInRange', message: 'provided port is not in the valid range. The range of valid ports is 30000-32767' }));
  });

  it('leaves the lower band (86 ports of the default range) to user-chosen ports', () => {
    const a = new NodePortAllocator({ min: 30000, max: 32767 });
    expect(a.staticBand).toBe(86);
    for (let i = 0; i < 2000; i++) expect(a.allocateNext()).toBeGreaterThanOrEqual(30086);
  });

  it('release makes a port available again', () => {
    const a = new NodePortAllocator({ min: 30000, max: 30000 });
    expect(a.allocateNext()).toBe(30000);
    expect(a.release(30000)).toBe(true);
    expect(a.allocateNext()).toBe(30000);
    expect(() => new NodePortAllocator({ min: 5, max: 4 })).toThrow(/not a port range/);
  });
});
