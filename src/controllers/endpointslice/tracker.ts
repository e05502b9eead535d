// EndpointSliceTracker (k8s.io/endpointslice/util): the generation of every slice this controller
// wrote, per Service, and the slices it deleted. It answers two questions:
//   - is the informer cache behind our own writes (stale)? Then reconciling now would create a
//     duplicate or update from an old version; wait for the cache instead;
//   - is a slice event someone else's change (shouldSync)? Only those need a resync.

export interface TrackedSlice {
  metadata: { namespace?: string; uid?: string; generation?: number; labels?: Record<string, string> };
}

const DELETION_EXPECTED = -1;

export class EndpointSliceTracker {
  /** Service key -> slice uid -> generation written (or DELETION_EXPECTED). */
  private readonly byService = new Map<string, Map<string, number>>();

  constructor(private readonly keyOf: (slice: TrackedSlice) => string | undefined) {}

  /** The controller knows this slice (wrote or deleted it). */
  has(slice: TrackedSlice): boolean {
    const key = this.keyOf(slice);
    return key !== undefined && (this.byService.get(key)?.has(slice.metadata.uid ?? '') ?? false);
  }

  /** A newer generation than the one we wrote, or a slice we never wrote: someone else's change. */
  shouldSync(slice: TrackedSlice): boolean {
    const key = this.keyOf(slice);
    const gens = key === undefined ? undefined : this.byService.get(key);
    if (!gens) return true;
    const g = gens.get(slice.metadata.uid ?? '');
    return g === undefined || (slice.metadata.generation ?? 0) > g;
  }

  /**
   * The cache is behind our writes for this Service: a slice we deleted is still there, one we
   * wrote is older than what we wrote, or one we created is missing.
   */
  staleSlices(serviceKey: string, slices: readonly TrackedSlice[]): boolean {
    const gens = this.byService.get(serviceKey);
    if (!gens) return false;
    const seen = new Set<string>();
    for (const s of slices) {
      const uid = s.metadata.uid ?? '';
      seen.add(uid);
      const g = gens.get(uid);
      if (g !== undefined && (g === DELETION_EXPECTED || g > (s.metadata.generation ?? 0))) return true;
    }
    for (const [uid, g] of gens) if (g !== DELETION_EXPECTED && !seen.has(uid)) return true;
    return false;
  }

  /** We wrote this version (a create or update response). */
  update(slice: TrackedSlice): void {
    const key = this.keyOf(slice);
    if (key === undefined || !slice.metadata.uid) return;
    let gens = this.byService.get(key);
    if (!gens) this.byService.set(key, (gens = new Map()));
    gens.set(slice.metadata.uid, slice.metadata.generation ?? 0);
  }

  /** We deleted this slice; its DELETED event is expected. */
  expectDeletion(slice: TrackedSlice): void {
    const key = this.keyOf(slice);
    if (key === undefined || !slice.metadata.uid) return;
    let gens = this.byService.get(key);
    if (!gens) this.byService.set(key, (gens = new Map()));
    gens.set(slice.metadata.uid, DELETION_EXPECTED);
  }

  /** A slice's DELETED event: forgets it; true when we deleted it ourselves. */
  handleDeletion(slice: TrackedSlice): boolean {
    const key = this.keyOf(slice);
    const gens = key === undefined ? undefined : this.byService.get(key);
    if (!gens) return false;
    const uid = slice.metadata.uid ?? '';
    const expected = gens.get(uid) === DELETION_EXPECTED;
    gens.delete(uid);
    if (gens.size === 0) this.byService.delete(key!);
    return expected;
  }

  deleteService(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }
}
