// Endpoints subsets in their canonical layout (pkg/api/v1/endpoints RepackSubsets): every address
// is expanded per port, then addresses offering the same ports are grouped into one subset, so
// the same set of endpoints always has the same form and can be compared. Also the Endpoints
// controller's capacity cap (truncateEndpoints) and its comparison that ignores order.
import type { EndpointAddress, EndpointSubset } from '../../api/core.js';

export type EndpointsPort = NonNullable<EndpointSubset['ports']>[number];

/** maxCapacity: addresses an Endpoints object holds before it is truncated. */
export const MAX_ENDPOINTS_CAPACITY = 1000;

/** The sentinel port of a subset without ports, so that its addresses are not lost. */
const NO_PORT = '\u0000none';

function addressKey(a: EndpointAddress): string {
  return `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
}

function portKey(p: EndpointsPort): string {
  return `${p.name ?? ''}\u0000${p.port}\u0000${p.protocol ?? ''}\u0000${p.appProtocol ?? ''}`;
}

/** LessEndpointAddress: by IP (bytewise), then by the target's uid, no target first. */
export function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  if (!b.targetRef) return a.targetRef ? 1 : 0;
  if (!a.targetRef) return -1;
  const ua = a.targetRef.uid ?? '';
  const ub = b.targetRef.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

interface PortGroup {
  port: EndpointsPort | undefined;
  /** address key -> ready; not ready wins over ready for the same address and port. */
  ready: Map<string, boolean>;
}

/**
 * RepackSubsets: the canonical form of any subsets. Addresses are de-duplicated by IP and target
 * uid; an address both ready and not ready for a port counts as not ready; subsets, their
 * addresses and ports come out sorted.
 */
export function repackSubsets(subsets: readonly EndpointSubset[] | null | undefined): EndpointSubset[] {
  const all = new Map<string, EndpointAddress>();
  const byPort = new Map<string, PortGroup>();
  const add = (addr: EndpointAddress, port: EndpointsPort | undefined, ready: boolean): void => {
    const key = addressKey(addr);
    if (!all.has(key)) all.set(key, addr);
    const pk = port ? portKey(port) : NO_PORT;
    let group = byPort.get(pk);
    if (!group) byPort.set(pk, (group = { port, ready: new Map() }));
    const was = group.ready.get(key);
    if (was === undefined || was) group.ready.set(key, ready);
  };
  for (const ss of subsets ?? []) {
    const ports: (EndpointsPort | undefined)[] = ss.ports && ss.ports.length > 0 ? ss.ports : [undefined];
    for (const port of ports) {
      for (const a of ss.addresses ?? []) add(a, port, true);
      for (const a of ss.notReadyAddresses ?? []) add(a, port, false);
    }
  }

  // Group the ports by the exact set of (address, readiness) they are offered on.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointsPort[] }>();
  for (const g of byPort.values()) {
    const id = [...g.ready].map(([k, r]) => `${k}\u0000${r ? 1 : 0}`).sort().join('\u0001');
    let entry = groups.get(id);
    if (!entry) groups.set(id, (entry = { ready: g.ready, ports: [] }));
    if (g.port) entry.ports.push(g.port);
  }

  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of g.ready) (r ? ready : notReady).push(all.get(k)!);
    const ss: EndpointSubset = {};
    if (ready.length > 0) ss.addresses = ready;
    if (notReady.length > 0) ss.notReadyAddresses = notReady;
    if (g.ports.length > 0) ss.ports = g.ports;
    out.push(ss);
  }
  return sortSubsets(out);
}

/** SortSubsets: addresses by IP and uid, ports and subsets in one fixed order. */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const ss of subsets) {
    ss.addresses?.sort(compareAddresses);
    ss.notReadyAddresses?.sort(compareAddresses);
    ss.ports?.sort((a, b) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0));
  }
  const keyed = subsets.map((ss) => ({ ss, key: canonicalSubsets([ss]) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.ss);
}

function canonicalAddress(a: EndpointAddress): unknown[] {
  const r = a.targetRef;
  // The target's resourceVersion is left out: a pod's unrelated updates must not rewrite Endpoints.
  return [a.ip, a.hostname ?? '', a.nodeName ?? '', r ? [r.kind ?? '', r.namespace ?? '', r.name ?? '', r.uid ?? '', r.apiVersion ?? '', r.fieldPath ?? ''] : null];
}

/** A string equal for semantically equal subsets (absent and empty lists alike, target resourceVersion ignored). */
export function canonicalSubsets(subsets: readonly EndpointSubset[] | null | undefined): string {
  return JSON.stringify(
    (subsets ?? []).map((ss) => [
      (ss.addresses ?? []).map(canonicalAddress),
      (ss.notReadyAddresses ?? []).map(canonicalAddress),
      (ss.ports ?? []).map((p) => [p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']),
    ]),
  );
}

/** endpointSubsetsEqualIgnoreResourceVersion */
export function subsetsEqual(a: readonly EndpointSubset[] | null | undefined, b: readonly EndpointSubset[] | null | undefined): boolean {
  return canonicalSubsets(a) === canonicalSubsets(b);
}

export function countAddresses(subsets: readonly EndpointSubset[] | null | undefined): number {
  let n = 0;
  for (const ss of subsets ?? []) n += (ss.addresses?.length ?? 0) + (ss.notReadyAddresses?.length ?? 0);
  return n;
}

/**
 * truncateEndpoints: at most `max` addresses, ready ones first. Each subset keeps its share of
 * the addresses being cut, rounded up (the last ones get what is left). Returns the subsets
 * (new objects) and whether anything was cut.
 */
export function truncateSubsets(subsets: readonly EndpointSubset[], max = MAX_ENDPOINTS_CAPACITY): { subsets: EndpointSubset[]; truncated: boolean } {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const ss of subsets) {
    totalReady += ss.addresses?.length ?? 0;
    totalNotReady += ss.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= max) return { subsets: [...subsets], truncated: false };
  const truncateReady = totalReady > max;
  const budget = truncateReady ? max : max - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let left = budget;
  const out = subsets.map((ss) => {
    const n = truncateReady ? (ss.addresses?.length ?? 0) : (ss.notReadyAddresses?.length ?? 0);
    const take = Math.min(Math.ceil((n / total) * budget), left);
    const next: EndpointSubset = { ...ss };
    if (truncateReady) {
      next.addresses = (ss.addresses ?? []).slice(0, take);
      delete next.notReadyAddresses;
      left -= next.addresses.length;
    } else {
      next.notReadyAddresses = (ss.notReadyAddresses ?? []).slice(0, take);
      left -= next.notReadyAddresses.length;
    }
    if (next.addresses?.length === 0) delete next.addresses;
    if (next.notReadyAddresses?.length === 0) delete next.notReadyAddresses;
    return next;
  });
  return { subsets: out, truncated: true };
}
