// The watch cache: the most recent events in a bounded ring, like the apiserver's watchCache /
// etcd's in-memory unsynced-watcher window. A watch from a recent revision replays from here
// with no database read. Every revision is exactly one event, so the ring holds the contiguous
// revisions (floor, newest] and finding a revision is an index computation.

import type { WatchEvent } from './types.js';

export class EventRing {
  private readonly slots: (WatchEvent | undefined)[];
  private start = 0;
  private size = 0;
  /** The ring holds every event with floor < revision <= newest. */
  private floor: number;

  constructor(
    readonly capacity: number,
    /** The revision the store is at when the ring starts empty. */
    revision: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`watch cache capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<WatchEvent | undefined>(capacity);
    this.floor = revision;
  }

  /** The newest revision seen. */
  get newest(): number {
    return this.floor + this.size;
  }

  push(event: WatchEvent): void {
    if (event.revision !== this.newest + 1) {
      // Not contiguous (cannot happen with one writer); start over rather than serve a gap.
      this.start = 0;
      this.size = 0;
      this.floor = event.revision - 1;
    }
    if (this.size === this.capacity) {
      this.slots[this.start] = undefined;
      this.start = (this.start + 1) % this.capacity;
      this.size--;
      this.floor++;
    }
    this.slots[(this.start + this.size) % this.capacity] = event;
    this.size++;
  }

  /** Events with revision > afterRevision, or undefined when some of them fell out of the ring. */
  after(afterRevision: number): WatchEvent[] | undefined {
    if (afterRevision < this.floor) return undefined;
    const out: WatchEvent[] = [];
    for (let i = afterRevision - this.floor; i < this.size; i++) out.push(this.slots[(this.start + i) % this.capacity]!);
    return out;
  }
}
