// The EndpointSlice reconciler (k8s.io/endpointslice reconciler.go), as a pure function: from a
// Service, the pods it selects and its current slices, the slices to create, update and delete.
// Its strategy minimizes churn:
//   1. endpoints stay in the slice they are in; a slice is rewritten only when one of its
//      endpoints changed or left (or the Service's labels changed), and deleted when emptied;
//   2. new endpoints first fill the slices being rewritten anyway, fullest first;
//   3. the rest go into the one unchanged slice they fit best, else into new slices;
//   4. a create paired with a delete becomes an update of the slice to be deleted.
// Pods whose ports resolve differently (named targetPorts) land in different slices, one group
// per distinct port set; a Service selecting no pods keeps one empty placeholder slice.
import type { Endpoint, EndpointPort, EndpointSlice, Node, Pod, Service } from '../../api/core.js';
import { endpointKey, endpointsEqualBeyondHash, podToEndpoint } from './endpoint.js';
import { ENDPOINTSLICE_CONTROLLER, sameMap, sliceLabels } from './labels.js';
import { addressTypesFor, endpointPortsFor, portMapKey, shouldPodBeInEndpoints, type AddressType } from './pods.js';

/** --max-endpoints-per-slice */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceReconcileInput {
  service: Service;
  /** The pods the Service's selector matches (any state; the reconciler filters). */
  pods: readonly Pod[];
  /** The Service's slices managed by this controller, those pending deletion already dropped. */
  existing: readonly EndpointSlice[];
  /** A Node from the cache, for the endpoint's zone; undefined when unknown. */
  node(name: string): Node | undefined;
  maxEndpointsPerSlice?: number;
  /** The managed-by label value; the EndpointSlice controller's by default. */
  managedBy?: string;
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Nodes named by pods that were left out because the Node is not known yet. */
  missingNodes: string[];
}

/** ownedBy: the slice's ownerReferences name this Service (by uid). */
export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

/** newEndpointSlice: an empty slice for the Service, named by the server from `<service>-`. */
export function newEndpointSlice(svc: Service, ports: EndpointPort[], addressType: AddressType, managedBy: string): EndpointSlice {
  const name = svc.metadata.name ?? '';
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${name}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(undefined, svc, managedBy).labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

export function planEndpointSlices(input: SliceReconcileInput): SlicePlan {
  const types = addressTypesFor(input.service);
  const plan: SlicePlan = { create: [], update: [], delete: [], missingNodes: [] };
  const missing = new Set<string>();
  const byType = new Map<string, EndpointSlice[]>();
  const unsupported: EndpointSlice[] = [];
  for (const s of input.existing) {
    if (!types.includes(s.addressType as AddressType)) unsupported.push(s);
    else {
      const list = byType.get(s.addressType);
      if (list) list.push(s);
      else byType.set(s.addressType, [s]);
    }
  }
  for (const t of types) {
    const p = planByAddressType(input, byType.get(t) ?? [], t, missing);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }
  // Slices of an address type the Service no longer has are deleted, never recycled.
  plan.delete.push(...unsupported);
  plan.missingNodes = [...missing];
  return plan;
}

function planByAddressType(input: SliceReconcileInput, existing: readonly EndpointSlice[], addressType: AddressType, missing: Set<string>): Omit<SlicePlan, 'missingNodes'> {
  const svc = input.service;
  const max = input.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
  const managedBy = input.managedBy ?? ENDPOINTSLICE_CONTROLLER;
  let toDelete: EndpointSlice[] = [];
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) {
      // A slice of an older Service of the same name: the garbage collector's, unless recycled.
      toDelete.push(s);
      continue;
    }
    const key = portMapKey(s.ports);
    const list = existingByPorts.get(key);
    if (list) list.push(s);
    else existingByPorts.set(key, [s]);
  }

  const desiredPorts = new Map<string, EndpointPort[]>();
  const desired = new Map<string, Map<string, Endpoint>>();
  for (const pod of input.pods) {
    // Terminating pods stay, with ready=false and terminating=true (EndpointSliceTerminatingCondition).
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPortsFor(svc, pod);
    const key = portMapKey(ports);
    let set = desired.get(key);
    if (!set) {
      desired.set(key, (set = new Map()));
      desiredPorts.set(key, ports);
    }
    let node: Node | undefined;
    const nodeName = pod.spec.nodeName;
    if (nodeName) {
      node = input.node(nodeName);
      // A pod on an unknown node is left out until the node is known, unless the Service
      // publishes every address anyway. (A pod on no node at all has no node to check.)
      if (!node && svc.spec.publishNotReadyAddresses !== true) {
        missing.add(nodeName);
        continue;
      }
    }
    const ep = podToEndpoint(pod, node, svc, addressType);
    if (ep.addresses.length > 0) set.set(endpointKey(ep), ep);
  }

  const create: EndpointSlice[] = [];
  const update: EndpointSlice[] = [];
  for (const [key, set] of desired) {
    const r = reconcileByPortMapping(svc, existingByPorts.get(key) ?? [], set, desiredPorts.get(key)!, addressType, max, managedBy);
    create.push(...r.create);
    update.push(...r.update);
    toDelete.push(...r.delete);
  }
  // Port sets no longer wanted: their slices go.
  for (const [key, slices] of existingByPorts) if (!desired.has(key)) toDelete.push(...slices);

  // A Service without endpoints keeps one empty slice, so consumers can tell "no endpoints"
  // from "not processed yet".
  if (existing.length === toDelete.length && create.length === 0) {
    const placeholder = newEndpointSlice(svc, [], addressType, managedBy);
    if (toDelete.length === 1 && isPlaceholder(toDelete[0]!, placeholder)) toDelete = [];
    else create.push(placeholder);
  }

  // finalize: turn creates into updates of slices that would otherwise be deleted.
  for (let i = 0; i < toDelete.length && create.length > 0; ) {
    const old = toDelete[i]!;
    const slice = create[create.length - 1]!;
    if (old.addressType === slice.addressType && ownedBy(old, svc)) {
      const { generateName: _unused, ...meta } = slice.metadata;
      slice.metadata = { ...meta, name: old.metadata.name, resourceVersion: old.metadata.resourceVersion };
      create.pop();
      update.push(slice);
      toDelete.splice(i, 1);
    } else i++;
  }
  return { create, update, delete: toDelete };
}

/** placeholderSliceCompare: the same namespace, labels and address type, no ports, no endpoints. */
function isPlaceholder(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  return (
    slice.metadata.namespace === placeholder.metadata.namespace &&
    sameMap(slice.metadata.labels, placeholder.metadata.labels) &&
    slice.addressType === placeholder.addressType &&
    (slice.ports ?? []).length === 0 &&
    (slice.endpoints ?? []).length === 0
  );
}

function copySlice(s: EndpointSlice, endpoints: Endpoint[], labels: Record<string, string> | undefined): EndpointSlice {
  return { ...s, metadata: { ...s.metadata, labels }, endpoints };
}

function popAny(set: Map<string, Endpoint>): Endpoint {
  const [key, ep] = set.entries().next().value as [string, Endpoint];
  set.delete(key);
  return ep;
}

/** getSliceToFill: the slice that `n` more endpoints bring closest to full without overflowing. */
export function sliceToFill(slices: readonly EndpointSlice[], n: number, max: number): EndpointSlice | undefined {
  let closestDiff = max;
  let closest: EndpointSlice | undefined;
  for (const s of slices) {
    const diff = max - (n + (s.endpoints ?? []).length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = s;
      if (diff === 0) return s;
    }
  }
  return closest;
}

function reconcileByPortMapping(
  svc: Service,
  existing: readonly EndpointSlice[],
  desired: Map<string, Endpoint>,
  ports: EndpointPort[],
  addressType: AddressType,
  max: number,
  managedBy: string,
): { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] } {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();

  // 1. Keep desired endpoints where they are; drop the others; note changed slices.
  for (const s of existing) {
    const name = s.metadata.name ?? '';
    byName.set(name, s);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of s.endpoints ?? []) {
      const key = endpointKey(ep);
      const want = desired.get(key);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondHash(want, ep)) changed = true;
      desired.delete(key);
    }
    const { labels, changed: labelsChanged } = sliceLabels(s, svc, managedBy);
    if (changed || kept.length !== (s.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.add(name);
      else {
        byName.set(name, copySlice(s, kept, labels));
        toUpdate.add(name);
      }
    } else if (labelsChanged) {
      byName.set(name, copySlice(s, kept, labels));
      toUpdate.add(name);
    } else unchanged.add(name);
  }

  // 2. Fill the slices that are being rewritten anyway, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => b.endpoints!.length - a.endpoints!.length);
    for (const s of slices) while (desired.size > 0 && s.endpoints!.length < max) s.endpoints!.push(popAny(desired));
  }

  // 3. The rest: into the unchanged slice they fit best, else into new slices.
  const create: EndpointSlice[] = [];
  while (desired.size > 0) {
    let fill: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      fill = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max);
    }
    if (!fill) fill = newEndpointSlice(svc, ports, addressType, managedBy);
    else {
      fill = copySlice(fill, [...(fill.endpoints ?? [])], fill.metadata.labels);
      byName.set(fill.metadata.name!, fill);
    }
    while (desired.size > 0 && fill.endpoints!.length < max) fill.endpoints!.push(popAny(desired));
    if (fill.metadata.name) {
      toUpdate.add(fill.metadata.name);
      unchanged.delete(fill.metadata.name);
    } else create.push(fill);
  }

  return {
    create,
    update: [...toUpdate].map((n) => byName.get(n)!),
    delete: [...toDelete].map((n) => byName.get(n)!),
  };
}
