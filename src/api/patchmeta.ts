// Patch metadata of the served kinds' types: how strategic merge patch and server-side apply
// treat each list, map and struct. Facts carried over from the Go type declarations of
// k8s.io/api and k8s.io/apimachinery (struct tags `patchStrategy`/`patchMergeKey`, markers
// `+listType`, `+listMapKey`, `+mapType`, `+structType`, and `+default` of list-map keys).
// Keyed by client model name and JSON field name; the OpenAPI generator emits these as
// x-kubernetes-patch-strategy / -patch-merge-key / -list-type / -list-map-keys / -map-type.
//
// A field absent here has no patch strategy: lists are atomic, maps and structs granular.
import type { JsonPrimitive } from './types.js';

/** A strategic merge patch strategy (`patchStrategy` tag; several are comma-separated there). */
export type PatchStrategy = 'merge' | 'replace' | 'retainKeys';

export interface FieldPatchMeta {
  /** Strategic merge patch strategies, e.g. ['merge'] or ['merge', 'retainKeys']; [] for none. */
  readonly strategy: readonly PatchStrategy[];
  /** The field that identifies a list element for strategic merge (`patchMergeKey`). */
  readonly mergeKey?: string;
  /** Server-side apply list semantics (`+listType`). */
  readonly listType?: 'atomic' | 'set' | 'map';
  /** Keys of a `listType=map` list (`+listMapKey`), in declaration order. */
  readonly listMapKeys?: readonly string[];
  /** Server-side apply map semantics (`+mapType`); maps are granular unless atomic. */
  readonly mapType?: 'atomic' | 'granular';
  /** Defaults of list-map key fields (`+default`): an element that omits one is keyed by it. */
  readonly keyDefaults?: Readonly<Record<string, JsonPrimitive>>;
}

export type PatchMetaTable = Readonly<Record<string, Readonly<Record<string, FieldPatchMeta>>>>;

const atomicList: FieldPatchMeta = { strategy: [], listType: 'atomic' };
const atomicMap: FieldPatchMeta = { strategy: [], mapType: 'atomic' };
const set: FieldPatchMeta = { strategy: [], listType: 'set' };
const mergeSet: FieldPatchMeta = { strategy: ['merge'], listType: 'set' };
function mergeByKey(key: string): FieldPatchMeta {
  return { strategy: ['merge'], mergeKey: key, listType: 'map', listMapKeys: [key] };
}

export const PATCH_META: PatchMetaTable = {
  V1Capabilities: {
    add: atomicList,
    drop: atomicList,
  },
  V1CephFSVolumeSource: {
    monitors: atomicList,
  },
  V1ConfigMapProjection: {
    items: atomicList,
  },
  V1ConfigMapVolumeSource: {
    items: atomicList,
  },
  V1Container: {
    args: atomicList,
    command: atomicList,
    env: mergeByKey('name'),
    envFrom: atomicList,
    ports: { strategy: ['merge'], mergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'], keyDefaults: {protocol: 'TCP'} },
    resizePolicy: atomicList,
    restartPolicyRules: atomicList,
    volumeDevices: mergeByKey('devicePath'),
    volumeMounts: mergeByKey('mountPath'),
  },
  V1ContainerImage: {
    names: atomicList,
  },
  V1ContainerRestartRuleOnExitCodes: {
    values: set,
  },
  V1ContainerStatus: {
    allocatedResourcesStatus: mergeByKey('name'),
    volumeMounts: mergeByKey('mountPath'),
  },
  V1DeploymentSpec: {
    strategy: { strategy: ['retainKeys'] },
  },
  V1DeploymentStatus: {
    conditions: mergeByKey('type'),
  },
  V1DownwardAPIProjection: {
    items: atomicList,
  },
  V1DownwardAPIVolumeSource: {
    items: atomicList,
  },
  V1Endpoint: {
    addresses: set,
  },
  V1EndpointHints: {
    forNodes: atomicList,
    forZones: atomicList,
  },
  V1EndpointSlice: {
    endpoints: atomicList,
    ports: atomicList,
  },
  V1EndpointSubset: {
    addresses: atomicList,
    notReadyAddresses: atomicList,
    ports: atomicList,
  },
  V1Endpoints: {
    subsets: atomicList,
  },
  V1EphemeralContainer: {
    args: atomicList,
    command: atomicList,
    env: mergeByKey('name'),
    envFrom: atomicList,
    ports: { strategy: ['merge'], mergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'], keyDefaults: {protocol: 'TCP'} },
    resizePolicy: atomicList,
    restartPolicyRules: atomicList,
    volumeDevices: mergeByKey('devicePath'),
    volumeMounts: mergeByKey('mountPath'),
  },
  V1ExecAction: {
    command: atomicList,
  },
  V1FCVolumeSource: {
    targetWWNs: atomicList,
    wwids: atomicList,
  },
  V1HTTPGetAction: {
    httpHeaders: atomicList,
  },
  V1HTTPIngressRuleValue: {
    paths: atomicList,
  },
  V1HostAlias: {
    hostnames: atomicList,
  },
  V1ISCSIVolumeSource: {
    portals: atomicList,
  },
  V1IngressLoadBalancerIngress: {
    ports: atomicList,
  },
  V1IngressLoadBalancerStatus: {
    ingress: atomicList,
  },
  V1IngressSpec: {
    rules: atomicList,
    tls: atomicList,
  },
  V1IngressTLS: {
    hosts: atomicList,
  },
  V1LabelSelector: {
    matchExpressions: atomicList,
  },
  V1LabelSelectorRequirement: {
    values: atomicList,
  },
  V1LinuxContainerUser: {
    supplementalGroups: atomicList,
  },
  V1LoadBalancerIngress: {
    ports: atomicList,
  },
  V1LoadBalancerStatus: {
    ingress: atomicList,
  },
  V1NamespaceSpec: {
    finalizers: atomicList,
  },
  V1NamespaceStatus: {
    conditions: mergeByKey('type'),
  },
  V1NodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: atomicList,
  },
  V1NodeAllocatableResourceClaimStatus: {
    containers: set,
  },
  V1NodeSelector: {
    nodeSelectorTerms: atomicList,
  },
  V1NodeSelectorRequirement: {
    values: atomicList,
  },
  V1NodeSelectorTerm: {
    matchExpressions: atomicList,
    matchFields: atomicList,
  },
  V1NodeSpec: {
    podCIDRs: mergeSet,
    taints: atomicList,
  },
  V1NodeStatus: {
    addresses: mergeByKey('type'),
    conditions: mergeByKey('type'),
    declaredFeatures: atomicList,
    images: atomicList,
    runtimeHandlers: atomicList,
    volumesAttached: atomicList,
    volumesInUse: atomicList,
  },
  V1ObjectMeta: {
    finalizers: mergeSet,
    managedFields: atomicList,
    ownerReferences: mergeByKey('uid'),
  },
  V1PersistentVolumeClaimSpec: {
    accessModes: atomicList,
  },
  V1PodAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: atomicList,
    requiredDuringSchedulingIgnoredDuringExecution: atomicList,
  },
  V1PodAffinityTerm: {
    matchLabelKeys: atomicList,
    mismatchLabelKeys: atomicList,
    namespaces: atomicList,
  },
  V1PodAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: atomicList,
    requiredDuringSchedulingIgnoredDuringExecution: atomicList,
  },
  V1PodDNSConfig: {
    nameservers: atomicList,
    options: atomicList,
    searches: atomicList,
  },
  V1PodExtendedResourceClaimStatus: {
    requestMappings: atomicList,
  },
  V1PodSecurityContext: {
    supplementalGroups: atomicList,
    sysctls: atomicList,
  },
  V1PodSpec: {
    containers: mergeByKey('name'),
    ephemeralContainers: mergeByKey('name'),
    hostAliases: mergeByKey('ip'),
    imagePullSecrets: { strategy: ['merge'], mergeKey: 'name', listType: 'map', listMapKeys: ['name'], keyDefaults: {name: ''} },
    initContainers: mergeByKey('name'),
    nodeSelector: atomicMap,
    readinessGates: atomicList,
    resourceClaims: { strategy: ['merge', 'retainKeys'], mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
    schedulingGates: mergeByKey('name'),
    tolerations: atomicList,
    topologySpreadConstraints: { strategy: ['merge'], mergeKey: 'topologyKey', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] },
    volumes: { strategy: ['merge', 'retainKeys'], mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
  },
  V1PodStatus: {
    conditions: mergeByKey('type'),
    containerStatuses: atomicList,
    ephemeralContainerStatuses: atomicList,
    hostIPs: { strategy: ['merge'], mergeKey: 'ip', listType: 'atomic' },
    initContainerStatuses: atomicList,
    nodeAllocatableResourceClaimStatuses: mergeByKey('resourceClaimName'),
    podIPs: mergeByKey('ip'),
    resourceClaimStatuses: { strategy: ['merge', 'retainKeys'], mergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
  },
  V1ProjectedVolumeSource: {
    sources: atomicList,
  },
  V1RBDVolumeSource: {
    monitors: atomicList,
  },
  V1ReplicaSetStatus: {
    conditions: mergeByKey('type'),
  },
  V1ResourceRequirements: {
    claims: { strategy: [], listType: 'map', listMapKeys: ['name'] },
  },
  V1ResourceStatus: {
    resources: { strategy: [], listType: 'map', listMapKeys: ['resourceID'] },
  },
  V1SecretProjection: {
    items: atomicList,
  },
  V1SecretVolumeSource: {
    items: atomicList,
  },
  V1ServiceSpec: {
    clusterIPs: atomicList,
    externalIPs: atomicList,
    ipFamilies: atomicList,
    loadBalancerSourceRanges: atomicList,
    ports: { strategy: ['merge'], mergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'], keyDefaults: {protocol: 'TCP'} },
    selector: atomicMap,
  },
  V1ServiceStatus: {
    conditions: mergeByKey('type'),
  },
  V1TopologySpreadConstraint: {
    matchLabelKeys: atomicList,
  },
};

/** Structs declared `+structType=atomic`: applied and owned as one value, never field by field. */
export const ATOMIC_STRUCTS: ReadonlySet<string> = new Set([
  'CoreV1EndpointPort',
  'DiscoveryV1EndpointPort',
  'V1ConfigMapKeySelector',
  'V1EndpointAddress',
  'V1FileKeySelector',
  'V1LabelSelector',
  'V1LocalObjectReference',
  'V1NodeSelector',
  'V1NodeSelectorTerm',
  'V1ObjectFieldSelector',
  'V1ObjectReference',
  'V1OwnerReference',
  'V1ResourceFieldSelector',
  'V1SecretKeySelector',
  'V1ServiceBackendPort',
  'V1TypedLocalObjectReference',
]);

/** The patch metadata of one field of a model, or undefined when it has none. */
export function patchMetaFor(model: string, field: string): FieldPatchMeta | undefined {
  return PATCH_META[model]?.[field];
}

export function isAtomicStruct(model: string): boolean {
  return ATOMIC_STRUCTS.has(model);
}
