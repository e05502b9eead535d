// Where an Ingress backend's traffic goes: straight to the ready endpoints of the Service port it
// names (as ingress-nginx does, bypassing the cluster IP), from the service proxy's change tracker
// (the shared endpoint tracking). An upstream is kept per "namespace/service:port" across syncs, so
// its round-robin position survives endpoint changes.
import type { ProxyState, ServicePortState } from '../proxy/index.js';
import { backendKey, type BackendRef } from './routes.js';

export interface Endpoint {
  ip: string;
  port: number;
}

export class Upstream {
  /** The ready endpoints now; replaced (never mutated) at each sync. */
  endpoints: readonly Endpoint[] = [];
  /** Why there are none, for the 503 log line: no such Service, no such port, no ready endpoint. */
  why = 'no ready endpoints';
  private next = 0;

  constructor(readonly key: string) {}

  /** The next endpoint round-robin, skipping the ones in `tried`. */
  pick(tried?: ReadonlySet<Endpoint>): Endpoint | undefined {
    const eps = this.endpoints;
    for (let i = 0; i < eps.length; i++) {
      const ep = eps[this.next++ % eps.length]!;
      if (this.next >= 1 << 30) this.next = 0;
      if (!tried?.has(ep)) return ep;
    }
    return undefined;
  }
}

export class Upstreams {
  private byKey = new Map<string, Upstream>();

  /** The upstream of a backend; created on first use. */
  get(b: BackendRef): Upstream {
    const key = backendKey(b);
    let u = this.byKey.get(key);
    if (!u) this.byKey.set(key, (u = new Upstream(key)));
    return u;
  }

  /** Keeps only the upstreams of `used` backends and points each at its endpoints in `state`. */
  sync(used: readonly BackendRef[], state: ProxyState): void {
    const index = indexByService(state);
    const next = new Map<string, Upstream>();
    for (const b of used) {
      const u = this.get(b);
      if (next.has(u.key)) continue;
      next.set(u.key, u);
      resolve(u, b, index);
    }
    this.byKey = next;
  }

  get size(): number {
    return this.byKey.size;
  }
}

function indexByService(state: ProxyState): Map<string, ServicePortState[]> {
  const out = new Map<string, ServicePortState[]>();
  for (const sp of state.values()) {
    if (sp.name.protocol !== 'TCP') continue;
    const k = `${sp.name.namespace}/${sp.name.name}`;
    const list = out.get(k);
    if (list) list.push(sp);
    else out.set(k, [sp]);
  }
  return out;
}

function resolve(u: Upstream, b: BackendRef, index: Map<string, ServicePortState[]>): void {
  const ports = index.get(`${b.namespace}/${b.service}`);
  const sp = ports?.find((p) => (b.port.number !== undefined ? p.port === b.port.number : p.name.port === b.port.name));
  let eps: Endpoint[] = [];
  if (!ports) u.why = `service ${b.namespace}/${b.service} not found`;
  else if (!sp) u.why = `service ${b.namespace}/${b.service} has no port ${b.port.number ?? b.port.name}`;
  else {
    eps = sp.endpoints.filter((ep) => ep.ready).map(({ ip, port }) => ({ ip, port }));
    u.why = 'no ready endpoints';
  }
  // Keep the same objects when nothing changed, so a retry's "tried" set stays meaningful.
  if (eps.length === u.endpoints.length && eps.every((e, i) => e.ip === u.endpoints[i]!.ip && e.port === u.endpoints[i]!.port)) return;
  u.endpoints = eps;
}
