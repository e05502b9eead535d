// Controller expectations (controller.UIDTrackingControllerExpectations): after asking for N pod
// creations or deletions, a ReplicaSet does not act again until its informer has shown them,
// so a reconcile reading a cache that lags its own writes never creates or deletes twice.
// Expectations expire after 5 minutes, so a lost watch event cannot wedge a ReplicaSet.

export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  /** Keys (namespace/name) of the pods whose deletion is awaited. */
  deleting: Set<string>;
  at: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when nothing is awaited for this controller (or the wait expired): it may act. */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.at > EXPECTATIONS_TTL_MS;
  }

  expectCreations(key: string, count: number): void {
    this.byKey.set(key, { add: count, del: 0, deleting: new Set(), at: this.now() });
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.byKey.set(key, { add: 0, del: podKeys.length, deleting: new Set(podKeys), at: this.now() });
  }

  /** The informer showed a pod this controller created (or a create failed, so none will show). */
  creationObserved(key: string, count = 1): void {
    const e = this.byKey.get(key);
    if (e) e.add -= count;
  }

  /** The informer showed this pod going away (or its delete failed). Only awaited pods count. */
  deletionObserved(key: string, podKey: string): void {
    const e = this.byKey.get(key);
    if (e?.deleting.delete(podKey)) e.del--;
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }

  /** What is still awaited, for tests and logs. */
  pending(key: string): { add: number; del: number } | undefined {
    const e = this.byKey.get(key);
    return e ? { add: e.add, del: e.del } : undefined;
  }
}
