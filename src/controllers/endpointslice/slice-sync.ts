// What a controller that writes EndpointSlices needs between its informer and its writes (the
// EndpointSlice and mirroring controllers both): the tracker of its own writes, resyncs when
// someone else changes or deletes one of its slices, a wait (not an error) when the cache is
// behind its writes, and the writes themselves in Kubernetes' order (create, update, delete).
import type { EndpointSlice } from '../../api/core.js';
import { isNotFound, type KubeClient, type WorkQueue } from '../../client/index.js';
import { ENDPOINTSLICES } from '../resources.js';
import { isNamespaceTerminating } from './api-errors.js';
import { managedBy, serviceKeyOfSlice } from './slice-index.js';
import { EndpointSliceTracker } from './tracker.js';

/** endpointSliceChangeMinSyncDelay: others' slice changes are batched for this long. */
export const SLICE_CHANGE_DELAY_MS = 1_000;
/** A sync that found the cache behind our writes runs again when it catches up, or after this. */
const STALE_RETRY_MS = 1_000;

interface SliceEvent {
  slice: EndpointSlice;
  deleted: boolean;
}

export interface SliceWrites {
  create: readonly EndpointSlice[];
  update: readonly EndpointSlice[];
  delete: readonly EndpointSlice[];
}

export class SliceSync {
  readonly tracker = new EndpointSliceTracker(serviceKeyOfSlice);
  /** Keys whose last sync found the cache behind our writes. */
  private readonly waiting = new Set<string>();
  /** Keys whose writes are in flight, with the slice events seen meanwhile. */
  private readonly inflight = new Map<string, SliceEvent[]>();

  constructor(
    private readonly client: KubeClient,
    private readonly queue: WorkQueue<string>,
    /** The managed-by value of this controller's slices. */
    private readonly controller: string,
  ) {}

  /** Feed every slice event of the shared informer here. */
  onSlice(prev: EndpointSlice | undefined, slice: EndpointSlice, deleted: boolean): void {
    if (prev) {
      // The service-name label or managed-by changed: both sides resync.
      const before = serviceKeyOfSlice(prev);
      const after = serviceKeyOfSlice(slice);
      if (before !== after || managedBy(prev, this.controller) !== managedBy(slice, this.controller)) {
        for (const k of [before, after]) if (k !== undefined) this.queue.addAfter(k, SLICE_CHANGE_DELAY_MS);
        return;
      }
    }
    if (!managedBy(slice, this.controller)) return;
    const key = serviceKeyOfSlice(slice);
    if (key === undefined) return;
    // Our own write's event can overtake its response: judge it once the tracker knows the write.
    const pending = this.inflight.get(key);
    if (pending) pending.push({ slice, deleted });
    else this.judge(key, { slice, deleted });
  }

  /**
   * True when the cache is behind our writes for `key` (EndpointSliceTracker.StaleSlices): the
   * key is then synced again as soon as the cache catches up (or after a second at most).
   */
  stale(key: string, slices: readonly EndpointSlice[]): boolean {
    this.waiting.delete(key);
    if (!this.tracker.staleSlices(key, slices)) return false;
    this.waiting.add(key);
    this.queue.addAfter(key, STALE_RETRY_MS);
    return true;
  }

  /** The owner is gone (or no longer mirrored): forget what we wrote for it. */
  forget(key: string): void {
    this.tracker.deleteService(key);
  }

  /**
   * Creates, then updates, then deletes (a deletion of a slice already gone is fine). Creates are
   * skipped when `noCreates` (the owner is being deleted) and dropped when the namespace is.
   */
  async write(key: string, w: SliceWrites, opts: { noCreates?: boolean } = {}): Promise<void> {
    if (w.create.length + w.update.length + w.delete.length === 0) return;
    this.inflight.set(key, []);
    try {
      if (!opts.noCreates) {
        for (const s of w.create) {
          try {
            this.tracker.update(await this.client.create(ENDPOINTSLICES, s));
          } catch (err) {
            if (isNamespaceTerminating(err)) return;
            throw err;
          }
        }
      }
      for (const s of w.update) this.tracker.update(await this.client.update(ENDPOINTSLICES, s));
      for (const s of w.delete) {
        try {
          await this.client.delete(ENDPOINTSLICES, s.metadata.name!, { namespace: s.metadata.namespace });
          this.tracker.expectDeletion(s);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    } finally {
      const seen = this.inflight.get(key) ?? [];
      this.inflight.delete(key);
      for (const ev of seen) this.judge(key, ev);
    }
  }

  /** Someone else's change (or an unexpected deletion) resyncs the key; a waiting sync runs now. */
  private judge(key: string, ev: SliceEvent): void {
    const foreign = ev.deleted ? !this.tracker.handleDeletion(ev.slice) : this.tracker.shouldSync(ev.slice);
    if (foreign) this.queue.addAfter(key, SLICE_CHANGE_DELAY_MS);
    if (this.waiting.delete(key)) this.queue.add(key);
  }
}
