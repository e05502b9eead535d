// The resources this API server serves: what discovery, OpenAPI, routing, storage keys and
// printers agree on. Facts per Kubernetes' API (group, version, kind, plural, short names,
// categories, scope, subresources).

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  /** Lower-case plural used in URLs, e.g. 'services'. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: readonly Verb[];
  /** Has a /status subresource (spec and status are written separately). */
  status: boolean;
  /** Has a /scale subresource (autoscaling/v1 Scale). */
  scale: boolean;
  /** Has a spec whose changes bump metadata.generation. */
  hasSpec: boolean;
  /** The model name of its schema (client library model name). */
  model: string;
}

function r(p: Omit<ResourceInfo, 'verbs' | 'categories' | 'shortNames' | 'status' | 'scale' | 'hasSpec'> & Partial<ResourceInfo>): ResourceInfo {
  return {
    verbs: ALL_VERBS,
    categories: [],
    shortNames: [],
    status: false,
    scale: false,
    hasSpec: false,
    ...p,
  };
}

export const RESOURCES: readonly ResourceInfo[] = [
  r({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false, shortNames: ['ns'], status: true, hasSpec: true, model: 'V1Namespace', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  r({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'], status: true, hasSpec: true, model: 'V1Pod' }),
  r({ group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', namespaced: true, shortNames: ['svc'], categories: ['all'], status: true, hasSpec: true, model: 'V1Service' }),
  r({ group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'], model: 'V1Endpoints' }),
  r({ group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true, shortNames: ['ev'], model: 'CoreV1Event' }),
  r({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', namespaced: true, shortNames: ['cm'], model: 'V1ConfigMap' }),
  r({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', namespaced: true, model: 'V1Secret' }),
  r({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false, shortNames: ['no'], status: true, hasSpec: true, model: 'V1Node' }),
  r({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', namespaced: true, shortNames: ['deploy'], categories: ['all'], status: true, scale: true, hasSpec: true, model: 'V1Deployment' }),
  r({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset', namespaced: true, shortNames: ['rs'], categories: ['all'], status: true, scale: true, hasSpec: true, model: 'V1ReplicaSet' }),
  r({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice', namespaced: true, model: 'V1EndpointSlice' }),
  r({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', singular: 'ingress', namespaced: true, shortNames: ['ing'], status: true, hasSpec: true, model: 'V1Ingress' }),
  r({ group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', singular: 'ingressclass', namespaced: false, hasSpec: true, model: 'V1IngressClass' }),
  r({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease', namespaced: true, hasSpec: true, model: 'V1Lease' }),
];

/** Groups in the order discovery lists them (core first, as Kubernetes does). */
export const GROUP_VERSIONS: readonly { group: string; version: string }[] = [
  { group: '', version: 'v1' },
  { group: 'apps', version: 'v1' },
  { group: 'autoscaling', version: 'v1' },
  { group: 'coordination.k8s.io', version: 'v1' },
  { group: 'discovery.k8s.io', version: 'v1' },
  { group: 'networking.k8s.io', version: 'v1' },
];

const byPath = new Map<string, ResourceInfo>();
const byKind = new Map<string, ResourceInfo>();
for (const res of RESOURCES) {
  byPath.set(`${res.group}/${res.version}/${res.plural}`, res);
  byKind.set(`${res.group}/${res.version}/${res.kind}`, res);
}

export function resourceFor(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

export function resourceForKind(group: string, version: string, kind: string): ResourceInfo | undefined {
  return byKind.get(`${group}/${version}/${kind}`);
}

export function apiVersionOfResource(res: ResourceInfo): string {
  return res.group === '' ? res.version : `${res.group}/${res.version}`;
}

/** The storage key prefix of a resource: /registry/<group>/<plural>/ (core has no group segment). */
export function storagePrefix(res: ResourceInfo): string {
  return res.group === '' ? `/registry/${res.plural}/` : `/registry/${res.group}/${res.plural}/`;
}
