import { describe, expect, it } from 'vitest';
import { AllocationBitmap, staticBandSize } from './bitmap.js';

describe('AllocationBitmap', () => {
  it('hands out the upper band first, then the lower band, then nothing', () => {
    const b = new AllocationBitmap(100, 20);
    const order: number[] = [];
    for (;;) {
      const i = b.allocateNext();
      if (i === undefined) break;
      order.push(i);
    }
    expect(order).toHaveLength(100);
    expect(new Set(order).size).toBe(100);
    expect(order.slice(0, 80).every((i) => i >= 20)).toBe(true);
    expect(order.slice(80).every((i) => i < 20)).toBe(true);
    expect(b.free).toBe(0);
  });

  it('static allocation takes any free item once; release gives it back', () => {
    const b = new AllocationBitmap(40, 16);
    expect(b.allocate(3)).toBe(true);
    expect(b.allocate(3)).toBe(false);
    expect(b.allocate(39)).toBe(true);
    expect(b.allocate(40)).toBe(false);
    expect(b.allocate(-1)).toBe(false);
    expect(b.used).toBe(2);
    expect(b.release(3)).toBe(true);
    expect(b.release(3)).toBe(false);
    expect(b.has(3)).toBe(false);
    expect(b.used).toBe(1);
  });

  it('finds the last free item of a big, nearly full range (word skipping, wrap-around)', () => {
    const max = 1 << 20;
    const b = new AllocationBitmap(max, 256, () => 0.999);
    for (let i = 0; i < max; i++) if (i !== 1234) b.allocate(i);
    expect(b.findNext()).toBe(1234);
    expect(b.allocateNext()).toBe(1234);
    expect(b.allocateNext()).toBeUndefined();
  });

  it('forEach lists what is taken', () => {
    const b = new AllocationBitmap(70, 0);
    for (const i of [0, 31, 32, 63, 64, 69]) b.allocate(i);
    const seen: number[] = [];
    b.forEach((i) => seen.push(i));
    expect(seen).toEqual([0, 31, 32, 63, 64, 69]);
  });

  it.each([
    // [size, min, step, max, band]: Kubernetes' calculateRangeOffset for IPs (16, 16, 256) and ports (16, 32, 128)
    [16, 16, 16, 256, 0],
    [256, 16, 16, 256, 16],
    [1024, 16, 16, 256, 64],
    [1 << 20, 16, 16, 256, 256],
    [10, 16, 32, 128, 0],
    [2768, 16, 32, 128, 86],
    [64000, 16, 32, 128, 128],
  ])('%i items (min %i, step %i, max %i): a band of %i', (size, min, step, max, band) => {
    expect(staticBandSize(size, min, step, max)).toBe(band);
  });
});
