// The informer's cache: key -> (resourceVersion, value). The resourceVersion is kept beside the
// value because a lean projection may drop metadata, yet a relist must still tell "changed"
// from "the same object listed again".

export interface StoreEntry<P> {
  resourceVersion: string;
  value: P;
}

/** One difference found when a relist replaces the cache. */
export type StoreDelta<P> =
  | { type: 'add'; key: string; value: P }
  | { type: 'update'; key: string; old: P; value: P }
  | { type: 'delete'; key: string; old: P };

export class Store<P> {
  private entries = new Map<string, StoreEntry<P>>();

  get size(): number {
    return this.entries.size;
  }

  get(key: string): P | undefined {
    return this.entries.get(key)?.value;
  }

  entry(key: string): StoreEntry<P> | undefined {
    return this.entries.get(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  values(): P[] {
    return Array.from(this.entries.values(), (e) => e.value);
  }

  /** Insert or replace; returns the previous entry. */
  set(key: string, entry: StoreEntry<P>): StoreEntry<P> | undefined {
    const old = this.entries.get(key);
    this.entries.set(key, entry);
    return old;
  }

  delete(key: string): StoreEntry<P> | undefined {
    const old = this.entries.get(key);
    this.entries.delete(key);
    return old;
  }

  /**
   * Make the cache exactly `next` (a full relist) and return what changed: adds, updates
   * (resourceVersion differs) and deletes, so handlers can catch up with a consistent world.
   * Adds and updates come in `next`'s order, then deletes.
   */
  replace(next: Map<string, StoreEntry<P>>): StoreDelta<P>[] {
    const deltas: StoreDelta<P>[] = [];
    for (const [key, entry] of next) {
      const old = this.entries.get(key);
      if (!old) deltas.push({ type: 'add', key, value: entry.value });
      else if (old.resourceVersion !== entry.resourceVersion) deltas.push({ type: 'update', key, old: old.value, value: entry.value });
    }
    for (const [key, old] of this.entries) {
      if (!next.has(key)) deltas.push({ type: 'delete', key, old: old.value });
    }
    this.entries = next;
    return deltas;
  }
}
