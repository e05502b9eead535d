// Watch fan-out, modelled on etcd's watchableStore: a new watcher starts "unsynced" and
// catches up from the watch cache (ring) or from the log; once it has seen everything up to
// the newest published revision it turns "synced" and receives events straight from the
// commit path. Both steps run on the main thread between commits, so the hand-over has no gap
// and no duplicate. Watchers are grouped by prefix so each commit filters once per prefix.

import { EventRing } from './event-ring.js';
import type { HistoryPage } from './reader.js';
import { StorageError } from './types.js';
import type { Watch, WatchEvent, WatchOptions } from './types.js';

/** Where watchers that fell behind the ring read history from. */
export interface EventHistory {
  /** Throws StorageError 'Compacted' when history after `afterRevision` is gone. */
  history(prefix: string, afterRevision: number, uptoRevision: number, limit: number): HistoryPage;
  compacted(): number;
}

class Watcher {
  /** Every event with revision <= this has been delivered or did not match. */
  seen: number;
  synced = false;
  done = false;

  constructor(
    readonly prefix: string,
    private readonly opts: WatchOptions,
    private readonly detach: (w: Watcher) => void,
  ) {
    this.seen = Math.max(0, opts.afterRevision);
  }

  deliver(events: WatchEvent[]): void {
    if (this.done || events.length === 0) return;
    try {
      this.opts.onEvents(events);
    } catch (err) {
      this.fail(new StorageError('Internal', `watch on ${this.prefix} ended: its event handler threw: ${(err as Error).message}`));
    }
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.detach(this);
  }

  fail(err: StorageError): void {
    if (this.done) return;
    this.cancel();
    this.opts.onError?.(err);
  }
}

export class WatchHub {
  private readonly ring: EventRing;
  private readonly groups = new Map<string, Set<Watcher>>();
  private closedWith: StorageError | undefined;

  constructor(
    private readonly source: EventHistory,
    revision: number,
    ringCapacity: number,
    /** Most events read from the log per catch-up step (a step is one turn of the event loop). */
    private readonly pageSize = 1000,
  ) {
    this.ring = new EventRing(ringCapacity, revision);
  }

  /** Number of active watches. */
  get size(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group.size;
    return n;
  }

  /** Called from the commit path with each committed transaction's events, in revision order. */
  publish(events: WatchEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) this.ring.push(e);
    for (const [prefix, group] of this.groups) {
      let matched: WatchEvent[] | undefined;
      for (const w of group) {
        if (!w.synced || w.done) continue;
        matched ??= prefix === '' ? events : events.filter((e) => e.kv.key.startsWith(prefix));
        if (matched.length === 0) break;
        // A watcher that asked for a revision beyond what had been published skips up to it.
        const fresh = matched[0]!.revision > w.seen ? matched : matched.filter((e) => e.revision > w.seen);
        w.seen = Math.max(w.seen, this.ring.newest);
        w.deliver(fresh);
      }
    }
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    const w = new Watcher(prefix, opts, (gone) => {
      const group = this.groups.get(gone.prefix);
      if (group?.delete(gone) && group.size === 0) this.groups.delete(gone.prefix);
    });
    // A synced watcher receives every publish synchronously, so it has seen all that was published.
    const handle: Watch = { cancel: () => w.cancel(), progress: () => (w.synced ? Math.max(w.seen, this.ring.newest) : w.seen) };
    if (this.closedWith !== undefined) {
      const err = this.closedWith;
      setImmediate(() => w.fail(err));
      return handle;
    }
    let group = this.groups.get(prefix);
    if (group === undefined) this.groups.set(prefix, (group = new Set()));
    group.add(w);
    // Deliver asynchronously: the caller gets its Watch handle before the first callback.
    setImmediate(() => this.catchUp(w));
    return handle;
  }

  /** Ends every watch with `err` (store closing). */
  closeAll(err: StorageError): void {
    this.closedWith = err;
    const all = [...this.groups.values()].flatMap((g) => [...g]);
    this.groups.clear();
    for (const w of all) w.fail(err);
  }

  private catchUp(w: Watcher): void {
    for (;;) {
      if (w.done) return;
      const newest = this.ring.newest;
      if (w.seen >= newest) {
        w.synced = true;
        return;
      }
      const recent = this.ring.after(w.seen);
      if (recent !== undefined) {
        const compacted = this.source.compacted();
        if (w.seen < compacted) {
          w.fail(new StorageError('Compacted', `watch from revision ${w.seen} has been compacted; the oldest available is ${compacted}`, compacted));
          return;
        }
        w.seen = newest;
        w.synced = true;
        w.deliver(w.prefix === '' ? recent : recent.filter((e) => e.kv.key.startsWith(w.prefix)));
        return;
      }
      let page: HistoryPage;
      try {
        page = this.source.history(w.prefix, w.seen, newest, this.pageSize);
      } catch (err) {
        w.fail(err instanceof StorageError ? err : new StorageError('Internal', `watch on ${w.prefix}: reading history failed: ${(err as Error).message}`));
        return;
      }
      w.seen = page.scannedTo;
      w.deliver(page.events);
      if (page.events.length > 0) {
        // Yield between pages so a long replay does not hold up the event loop.
        setImmediate(() => this.catchUp(w));
        return;
      }
    }
  }
}
