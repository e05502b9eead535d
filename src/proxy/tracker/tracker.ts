// kube-proxy's change trackers (pkg/proxy/servicechangetracker.go, endpointschangetracker.go,
// endpointslicecache.go) folded into one: informer events go in as lean projections, and
// state() gives the desired ServicePortState per service port, rebuilt only for the Services
// that changed since the previous call.
import type { EndpointSlice, Service } from '../../api/core.js';
import type { ProxyState, ServicePortState } from '../types.js';
import { endpointsFor, lastChangeTriggerTime, sliceInfoOf, sliceKeyOf, type SliceInfo } from './endpointslice.js';
import { servicePortsOf, type ServicePortInfo } from './serviceport.js';

export interface TrackerOptions {
  /** This proxy's node: endpoints whose nodeName equals it are `local`. */
  nodeName: string;
  /** Keep headless Services' ports (no cluster IPs), which kube-proxy skips; the ingress controller routes to them. */
  headless?: boolean;
}

function serviceKeyOf(svc: Service): string {
  return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
}

export class ChangeTracker {
  private readonly nodeName: string;
  private readonly headless: boolean;
  /** Services by "namespace/name", as their service ports (empty for skipped Services). */
  private readonly services = new Map<string, Map<string, ServicePortInfo>>();
  /** Slices by "namespace/name" of the slice. */
  private readonly slices = new Map<string, SliceInfo>();
  /** Slice keys by the Service they belong to. */
  private readonly slicesByService = new Map<string, Set<string>>();
  /** Services whose ports or endpoints may have changed since the last rebuild. */
  private readonly dirty = new Set<string>();
  /** The state handed out last; never mutated once handed out (backends diff successive states). */
  private current = new Map<string, ServicePortState>();
  /** Service port keys of each Service in `current`. */
  private readonly keysByService = new Map<string, string[]>();
  /** Serialized form of each state in `current`, to tell a real change from a no-op rebuild. */
  private readonly fingerprints = new Map<string, string>();
  /** Changed service port keys not yet taken. */
  private changed = new Set<string>();
  /** Trigger times (ms) of pending slice changes, by Service (lastChangeTriggerTimes). */
  private triggerTimes = new Map<string, number[]>();
  /** Changes triggered before the tracker existed are not measured (trackerStartTime). */
  private readonly startTime = Date.now();

  constructor(opts: TrackerOptions) {
    this.nodeName = opts.nodeName;
    this.headless = opts.headless === true;
  }

  onServiceUpsert(svc: Service): void {
    const key = serviceKeyOf(svc);
    const ports = servicePortsOf(svc, { headless: this.headless });
    const prev = this.services.get(key);
    if (prev && sameJSON([...prev], [...ports])) return; // a resync or a change kube-proxy does not render
    this.services.set(key, ports);
    this.dirty.add(key);
  }

  onServiceDelete(svc: Service): void {
    const key = serviceKeyOf(svc);
    if (this.services.delete(key)) this.dirty.add(key);
  }

  onEndpointSliceUpsert(slice: EndpointSlice): void {
    const sliceKey = sliceKeyOf(slice);
    const info = sliceInfoOf(slice);
    const prev = this.slices.get(sliceKey);
    if (!info) {
      // Now of no Service or not IPv4: whatever it contributed before goes.
      if (prev) this.removeSlice(sliceKey, prev);
      return;
    }
    if (prev && sameJSON(prev, info)) return; // esInfoChanged: nothing kube-proxy keeps changed
    if (prev && prev.service !== info.service) this.removeSlice(sliceKey, prev); // relabelled to another Service
    this.slices.set(sliceKey, info);
    let set = this.slicesByService.get(info.service);
    if (!set) this.slicesByService.set(info.service, (set = new Set()));
    set.add(sliceKey);
    this.dirty.add(info.service);
    const t = lastChangeTriggerTime(slice);
    if (t !== undefined && t > this.startTime) {
      const times = this.triggerTimes.get(info.service) ?? [];
      times.push(t);
      this.triggerTimes.set(info.service, times);
    }
  }

  onEndpointSliceDelete(slice: EndpointSlice): void {
    const sliceKey = sliceKeyOf(slice);
    const prev = this.slices.get(sliceKey);
    if (prev) this.removeSlice(sliceKey, prev);
  }

  /** The desired state now: a new map when something changed, the same map otherwise. */
  state(): ProxyState {
    this.flush();
    return this.current;
  }

  /**
   * The service port keys whose state changed since the previous call (added, updated or
   * removed), and the trigger times (ms since the epoch, ascending) of the slice changes folded
   * in, for the network programming latency metric: observe now - t for each after a successful
   * sync.
   */
  takeChanges(): { changed: Set<string>; triggerTimes: number[] } {
    this.flush();
    const changed = this.changed;
    const triggerTimes = [...this.triggerTimes.values()].flat().sort((a, b) => a - b);
    this.changed = new Set();
    this.triggerTimes = new Map();
    return { changed, triggerTimes };
  }

  private removeSlice(sliceKey: string, info: SliceInfo): void {
    this.slices.delete(sliceKey);
    const set = this.slicesByService.get(info.service);
    set?.delete(sliceKey);
    if (set?.size === 0) this.slicesByService.delete(info.service);
    this.dirty.add(info.service);
    // A deletion's annotation is the time of the slice's last update, not of this change.
    this.triggerTimes.delete(info.service);
  }

  /** Rebuild the dirty Services into a copy of the current state. */
  private flush(): void {
    if (this.dirty.size === 0) return;
    const next = new Map(this.current);
    for (const svcKey of this.dirty) {
      const oldKeys = this.keysByService.get(svcKey) ?? [];
      const fresh = this.build(svcKey);
      for (const k of oldKeys) {
        if (fresh.has(k)) continue;
        next.delete(k);
        this.fingerprints.delete(k);
        this.changed.add(k);
      }
      for (const [k, sp] of fresh) {
        const fp = JSON.stringify(sp);
        if (this.fingerprints.get(k) === fp) continue; // keep the old object: unchanged
        next.set(k, sp);
        this.fingerprints.set(k, fp);
        this.changed.add(k);
      }
      if (fresh.size > 0) this.keysByService.set(svcKey, [...fresh.keys()]);
      else this.keysByService.delete(svcKey);
    }
    this.dirty.clear();
    this.current = next;
  }

  private build(svcKey: string): Map<string, ServicePortState> {
    const out = new Map<string, ServicePortState>();
    const ports = this.services.get(svcKey);
    if (!ports) return out;
    const slices = [...(this.slicesByService.get(svcKey) ?? [])].map((k) => this.slices.get(k)!);
    for (const [key, info] of ports) {
      out.set(key, { ...info, endpoints: endpointsFor(info.name.port, info.name.protocol, slices, this.nodeName) });
    }
    return out;
  }
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
