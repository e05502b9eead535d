// The mirroring reconciler (pkg/controller/endpointslicemirroring reconciler.go), as a pure
// function: the EndpointSlices that mirror a user's Endpoints. Subsets are repacked first; each
// (address type, port set) gets one slice holding at most 1000 of its addresses (ready first);
// addresses that are not IPs are skipped. A slice is rewritten only when its endpoints, or the
// labels and annotations it copies from the Endpoints, differ.
import { isIP } from 'node:net';
import type { Endpoint, EndpointAddress, EndpointPort, Endpoints, EndpointSlice } from '../../api/core.js';
import {
  ANNOTATION_LAST_APPLIED,
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  MIRRORING_CONTROLLER,
  endpointKey,
  endpointsEqualBeyondHash,
  portMapKey,
  sameMap,
  withoutKeys,
  type AddressType,
} from '../endpointslice/index.js';
import { repackSubsets, type EndpointsPort } from '../endpoints/index.js';

/** --mirroring-max-endpoints-per-subset */
export const DEFAULT_MAX_ENDPOINTS_PER_SUBSET = 1000;

export interface MirrorInput {
  endpoints: Endpoints;
  /** The slices this controller mirrored for the Endpoints. */
  existing: readonly EndpointSlice[];
  maxEndpointsPerSubset?: number;
}

export interface MirrorPlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Addresses that are not IPs. */
  invalidAddresses: number;
  /** Addresses left out: invalid ones and those over the per-subset cap. */
  skippedAddresses: number;
}

/** addressToEndpoint: an Endpoints address as a slice endpoint, or undefined when it is not an IP. */
export function addressToEndpoint(a: EndpointAddress, ready: boolean): { endpoint: Endpoint; addressType: AddressType } | undefined {
  const family = isIP(a.ip);
  if (family === 0) return undefined;
  const endpoint: Endpoint = { addresses: [a.ip], conditions: { ready } };
  if (a.targetRef) endpoint.targetRef = a.targetRef;
  if (a.nodeName) endpoint.nodeName = a.nodeName;
  if (a.hostname) endpoint.hostname = a.hostname;
  return { endpoint, addressType: family === 6 ? 'IPv6' : 'IPv4' };
}

/** epPortsToEpsPorts (the API server defaults an Endpoints port's protocol to TCP). */
function slicePorts(ports: readonly EndpointsPort[] | undefined): EndpointPort[] {
  return (ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: (p.protocol ?? 'TCP') as EndpointPort['protocol'], ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}) }));
}

/** A mirrored slice: the Endpoints' labels and annotations (but the trigger time and kubectl's), owned by the Endpoints. */
export function newMirroredSlice(ep: Endpoints, ports: EndpointPort[], addressType: AddressType, name?: string): EndpointSlice {
  const epName = ep.metadata.name ?? '';
  const labels: Record<string, string> = { ...(ep.metadata.labels ?? {}), [LABEL_SERVICE_NAME]: epName, [LABEL_MANAGED_BY]: MIRRORING_CONTROLLER };
  const annotations = withoutKeys(ep.metadata.annotations, ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ANNOTATION_LAST_APPLIED) ?? {};
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      ...(name ? { name } : { generateName: `${epName}-` }),
      namespace: ep.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: epName, uid: ep.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

interface Desired {
  ports: EndpointPort[];
  addressType: AddressType;
  endpoints: Map<string, Endpoint>;
}

export function planMirroredSlices(input: MirrorInput): MirrorPlan {
  const ep = input.endpoints;
  const max = input.maxEndpointsPerSubset ?? DEFAULT_MAX_ENDPOINTS_PER_SUBSET;
  const plan: MirrorPlan = { create: [], update: [], delete: [], invalidAddresses: 0, skippedAddresses: 0 };
  const desired = new Map<string, Desired>();
  for (const subset of repackSubsets(ep.subsets)) {
    const ports = slicePorts(subset.ports);
    const keys = {} as Record<AddressType, string>;
    for (const t of ['IPv4', 'IPv6'] as const) {
      keys[t] = `${t}-${portMapKey(ports)}`;
      if (!desired.has(keys[t])) desired.set(keys[t], { ports, addressType: t, endpoints: new Map() });
    }
    const total = (subset.addresses?.length ?? 0) + (subset.notReadyAddresses?.length ?? 0);
    let added = 0;
    const addAll = (list: readonly EndpointAddress[] | undefined, ready: boolean): void => {
      for (const a of list ?? []) {
        // One slice per subset: at most `max` addresses of each are mirrored.
        if (added >= max) break;
        const e = addressToEndpoint(a, ready);
        if (!e) {
          plan.invalidAddresses++;
          continue;
        }
        desired.get(keys[e.addressType])!.endpoints.set(endpointKey(e.endpoint), e.endpoint);
        added++;
      }
    };
    addAll(subset.addresses, true);
    addAll(subset.notReadyAddresses, false);
    plan.skippedAddresses += total - added;
  }

  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const s of input.existing) {
    const key = `${s.addressType}-${portMapKey(s.ports)}`;
    const list = existingByKey.get(key);
    if (list) list.push(s);
    else existingByKey.set(key, [s]);
  }
  for (const [key, d] of desired) {
    const r = reconcileByPortMapping(ep, existingByKey.get(key) ?? [], d, max);
    plan.create.push(...r.create);
    plan.update.push(...r.update);
    plan.delete.push(...r.delete);
  }
  for (const [key, slices] of existingByKey) if (!desired.has(key)) plan.delete.push(...slices);
  recycleSlices(plan);
  return plan;
}

function reconcileByPortMapping(ep: Endpoints, existing: readonly EndpointSlice[], d: Desired, max: number): Pick<MirrorPlan, 'create' | 'update' | 'delete'> {
  if (d.endpoints.size === 0) return { create: [], update: [], delete: [...existing] };
  const del = existing.slice(1);
  const first = existing[0];
  if (first) {
    const labels = withoutKeys(first.metadata.labels, LABEL_MANAGED_BY, LABEL_SERVICE_NAME);
    const annotations = withoutKeys(ep.metadata.annotations, ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ANNOTATION_LAST_APPLIED);
    if (unchanged(first, d.endpoints) && sameMap(ep.metadata.labels, labels) && sameMap(annotations, first.metadata.annotations)) {
      return { create: [], update: [], delete: del };
    }
  }
  const slice = newMirroredSlice(ep, d.ports, d.addressType, first?.metadata.name);
  if (first) slice.metadata.resourceVersion = first.metadata.resourceVersion;
  for (const e of d.endpoints.values()) {
    if (slice.endpoints!.length >= max) break;
    slice.endpoints!.push(e);
  }
  return first ? { create: [], update: [slice], delete: del } : { create: [slice], update: [], delete: del };
}

/** totalChanges == 0: the slice holds exactly the desired endpoints, each unchanged. */
function unchanged(slice: EndpointSlice, desired: Map<string, Endpoint>): boolean {
  let matches = 0;
  for (const e of slice.endpoints ?? []) {
    const want = desired.get(endpointKey(e));
    if (!want || !endpointsEqualBeyondHash(want, e)) return false;
    matches++;
  }
  return matches === desired.size;
}

/** recycleSlices: a create and a delete of the same address type become one update. */
function recycleSlices(plan: MirrorPlan): void {
  for (const t of ['IPv4', 'IPv6']) {
    const creates = plan.create.filter((s) => s.addressType === t);
    const deletes = plan.delete.filter((s) => s.addressType === t);
    for (let i = 0; i < creates.length && i < deletes.length; i++) {
      const c = creates[i]!;
      const d = deletes[i]!;
      plan.create.splice(plan.create.indexOf(c), 1);
      plan.delete.splice(plan.delete.indexOf(d), 1);
      const { generateName: _unused, ...meta } = c.metadata;
      c.metadata = { ...meta, name: d.metadata.name, resourceVersion: d.metadata.resourceVersion };
      plan.update.push(c);
    }
  }
}
