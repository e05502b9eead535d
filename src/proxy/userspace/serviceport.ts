// One service port as the proxy runs it: its latest state, the endpoints each traffic class may
// use, the load-balancing position and the ClientIP affinity table shared by all its listeners.
import type { EndpointInfo, ServicePortState } from '../types.js';
import { CounterPair } from './counters.js';
import { usableEndpoints } from '../tracker/index.js';
import { endpointKey, type TrafficClass } from './select.js';

export type BalancingMode = 'random' | 'round-robin';

interface Usable {
  list: EndpointInfo[];
  byKey: Map<string, EndpointInfo>;
}

interface Affinity {
  endpoint: string;
  lastUsedMs: number;
}

export class ServicePortRuntime {
  private usableBy: Record<TrafficClass, Usable> = { internal: emptyUsable(), external: emptyUsable() };
  private readonly next: Record<TrafficClass, number> = { internal: 0, external: 0 };
  /** spec.sessionAffinity ClientIP: client IP -> the endpoint it last used. */
  private readonly affinity = new Map<string, Affinity>();

  constructor(
    readonly key: string,
    public sp: ServicePortState,
    readonly counters: CounterPair,
    readonly mode: BalancingMode,
    private readonly now: () => number = Date.now,
  ) {
    this.update(sp);
  }

  update(sp: ServicePortState): void {
    this.sp = sp;
    this.usableBy = { internal: toUsable(usableEndpoints(sp, 'internal')), external: toUsable(usableEndpoints(sp, 'external')) };
    if (!sp.sessionAffinity.clientIP) this.affinity.clear();
  }

  hasEndpoints(traffic: TrafficClass): boolean {
    return this.usableBy[traffic].list.length > 0;
  }

  /** The endpoints new connections of this traffic class may use. */
  usable(traffic: TrafficClass): readonly EndpointInfo[] {
    return this.usableBy[traffic].list;
  }

  /** How long a client IP sticks to its endpoint; 0 without ClientIP affinity. */
  affinityTimeoutMs(): number {
    return this.sp.sessionAffinity.clientIP ? Math.min(Math.max(1, this.sp.sessionAffinity.timeoutSeconds * 1000), 0xffff_ffff) : 0;
  }

  isUsable(traffic: TrafficClass, key: string): boolean {
    return this.usableBy[traffic].byKey.has(key);
  }

  /**
   * The endpoint for a new connection from `clientIP`, never one in `exclude` (endpoints that
   * already failed for this connection): the affine one if still usable, else the next by mode.
   */
  pick(traffic: TrafficClass, clientIP: string, exclude?: ReadonlySet<string>): EndpointInfo | undefined {
    const usable = this.usableBy[traffic];
    if (this.sp.sessionAffinity.clientIP) {
      const a = this.affinity.get(clientIP);
      if (a) {
        const ep = usable.byKey.get(a.endpoint);
        const fresh = this.now() - a.lastUsedMs <= this.sp.sessionAffinity.timeoutSeconds * 1000;
        if (ep && fresh && !exclude?.has(a.endpoint)) return ep;
        if (!fresh) this.affinity.delete(clientIP);
      }
    }
    const n = usable.list.length;
    if (n === 0) return undefined;
    if (this.mode === 'random') {
      const left = exclude?.size ? usable.list.filter((ep) => !exclude.has(endpointKey(ep))) : usable.list;
      return left.length > 0 ? left[Math.floor(Math.random() * left.length)] : undefined;
    }
    for (let i = 0; i < n; i++) {
      const ep = usable.list[this.next[traffic]++ % n]!;
      if (!exclude?.has(endpointKey(ep))) return ep;
    }
    return undefined;
  }

  /** Records that `clientIP` now uses `ep` (the affinity timeout counts from its last connection). */
  used(clientIP: string, ep: EndpointInfo): void {
    if (!this.sp.sessionAffinity.clientIP) return;
    this.affinity.set(clientIP, { endpoint: endpointKey(ep), lastUsedMs: this.now() });
    if (this.affinity.size > 4096) this.pruneAffinity();
  }

  private pruneAffinity(): void {
    const oldest = this.now() - this.sp.sessionAffinity.timeoutSeconds * 1000;
    for (const [ip, a] of this.affinity) if (a.lastUsedMs < oldest) this.affinity.delete(ip);
  }
}

function emptyUsable(): Usable {
  return { list: [], byKey: new Map() };
}

function toUsable(list: EndpointInfo[]): Usable {
  return { list, byKey: new Map(list.map((ep) => [endpointKey(ep), ep])) };
}
