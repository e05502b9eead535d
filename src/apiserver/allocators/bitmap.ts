// The allocation bitmap under both Service allocators (Kubernetes' allocator.AllocationBitmap with
// randomScanStrategyWithOffset): one bit per item of a range, where the lower band of `offset`
// items is kept for user-chosen (static) values and dynamic allocation prefers the upper band.

import { AllocationError } from './errors.js';

const FULL = 0xffffffff;

export class AllocationBitmap {
  private readonly words: Uint32Array;
  private count = 0;

  /**
   * @param max how many items the range has (offsets 0..max-1)
   * @param offset the size of the lower band dynamic allocation takes only when the upper is full
   */
  constructor(
    readonly max: number,
    readonly offset: number,
    private readonly random: () => number = Math.random,
  ) {
    this.words = new Uint32Array(Math.ceil(Math.max(max, 1) / 32));
  }

  has(i: number): boolean {
    return (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** Marks `i`; false when it was already taken. */
  allocate(i: number): boolean {
    if (i < 0 || i >= this.max || this.has(i)) return false;
    this.words[i >>> 5]! |= 1 << (i & 31);
    this.count++;
    return true;
  }

  /** Frees `i`; false when it was not taken. */
  release(i: number): boolean {
    if (i < 0 || i >= this.max || !this.has(i)) return false;
    this.words[i >>> 5]! &= ~(1 << (i & 31));
    this.count--;
    return true;
  }

  /** A free item, not yet marked: a random probe into the upper band, then a scan; the lower band last. */
  findNext(): number | undefined {
    if (this.count >= this.max) return undefined;
    const upper = this.max - this.offset;
    if (upper > 0) {
      const at = this.scan(this.offset + Math.floor(this.random() * upper), this.offset, this.max);
      if (at !== undefined) return at;
    }
    if (this.offset > 0) return this.scan(Math.floor(this.random() * this.offset), 0, this.offset);
    return undefined;
  }

  /** Takes a free item (upper band first); undefined when the range is full. */
  allocateNext(): number | undefined {
    const at = this.findNext();
    if (at !== undefined) this.allocate(at);
    return at;
  }

  get used(): number {
    return this.count;
  }

  get free(): number {
    return this.max - this.count;
  }

  forEach(fn: (i: number) => void): void {
    for (let w = 0; w < this.words.length; w++) {
      let word = this.words[w]!;
      while (word !== 0) {
        const bit = 31 - Math.clz32(word & -word);
        fn(w * 32 + bit);
        word &= word - 1;
      }
    }
  }

  /** The first free item in [start, hi), then in [lo, start): whole taken words are skipped. */
  private scan(start: number, lo: number, hi: number): number | undefined {
    return this.scanRange(start, hi) ?? this.scanRange(lo, start);
  }

  private scanRange(from: number, to: number): number | undefined {
    let i = from;
    while (i < to) {
      if ((i & 31) === 0 && i + 32 <= to && this.words[i >>> 5] === FULL) {
        i += 32;
        continue;
      }
      if (!this.has(i)) return i;
      i++;
    }
    return undefined;
  }
}

/** Kubernetes' band size: min(max(min, size/step), max), and none for ranges of `min` or fewer. */
export function staticBandSize(size: number, min: number, step: number, max: number): number {
  if (size <= min) return 0;
  return Math.min(Math.max(min, Math.floor(size / step)), max);
}

/**
 * A range of values (addresses, ports) over a bitmap: the value <-> offset mapping and the
 * refusals are the subclass's, the bookkeeping is shared.
 */
export abstract class RangeAllocator<T> {
  protected constructor(protected readonly bitmap: AllocationBitmap) {}

  /** The bitmap offset of `v`, or undefined when it is not an allocatable value of the range. */
  abstract offsetOf(v: T): number | undefined;
  protected abstract valueAt(offset: number): T;
  protected abstract notInRange(v: T): AllocationError;
  protected abstract alreadyAllocated(): AllocationError;

  /** Reserves a user-chosen value. */
  allocate(v: T): void {
    const off = this.offsetOf(v);
    if (off === undefined) throw this.notInRange(v);
    if (!this.bitmap.allocate(off)) throw this.alreadyAllocated();
  }

  /** Reserves a free value, from the upper band while it has one. */
  allocateNext(): T {
    const off = this.bitmap.allocateNext();
    if (off === undefined) throw new AllocationError('Full', 'range is full');
    return this.valueAt(off);
  }

  /** Gives a value back; false when it was not held (or is not of this range). */
  release(v: T): boolean {
    const off = this.offsetOf(v);
    return off !== undefined && this.bitmap.release(off);
  }

  has(v: T): boolean {
    const off = this.offsetOf(v);
    return off !== undefined && this.bitmap.has(off);
  }

  get size(): number {
    return this.bitmap.max;
  }

  get free(): number {
    return this.bitmap.free;
  }

  get used(): number {
    return this.bitmap.used;
  }

  /** The size of the lower band kept for user-chosen values. */
  get staticBand(): number {
    return this.bitmap.offset;
  }

  forEach(fn: (v: T) => void): void {
    this.bitmap.forEach((off) => fn(this.valueAt(off)));
  }
}
