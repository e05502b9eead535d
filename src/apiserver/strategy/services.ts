// Services: defaulting (SetDefaults_Service), the registry strategy (PrepareForCreate,
// PrepareForUpdate with dropTypeDependentFields) and validation (service-validation.ts), as
// kube-apiserver 1.32 does them. Cluster IPs, IP families and node ports are not defaulted here:
// the Service allocator fills them after `defaults` and before `validate`.
import type { KubeObject } from '../../api/types.js';
import type { FieldError } from '../errors.js';
import { clusterIPsRelatedFields, dedupe, validateLoadBalancerStatus, validateService, validateServiceUpdate } from './service-validation.js';
import { externallyAccessible, readService } from './service-view.js';
import { arr, child, obj, str, type Obj, type Strategy } from './types.js';

/** v1.DefaultClientIPServiceAffinitySeconds: three hours. */
const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

const absent = (v: unknown): boolean => v === undefined || v === null;

/** Sets o[key] when it holds Go's zero value for a string (absent, null or ""). */
function dfltString(o: Obj, key: string, value: string): void {
  if (absent(o[key]) || o[key] === '') o[key] = value;
}

/** SetDefaults_Service (pkg/apis/core/v1/defaults.go). */
export function defaultService(o: Obj): void {
  const spec = child(o, 'spec');
  dfltString(spec, 'sessionAffinity', 'None');
  if (spec['sessionAffinity'] === 'None') delete spec['sessionAffinityConfig'];
  if (spec['sessionAffinity'] === 'ClientIP' && absent(obj(obj(spec['sessionAffinityConfig'])['clientIP'])['timeoutSeconds'])) {
    spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
  }
  dfltString(spec, 'type', 'ClusterIP');
  for (const raw of arr(spec['ports'])) {
    const p = obj(raw);
    dfltString(p, 'protocol', 'TCP');
    // targetPort 0 or "" means "the same as port".
    const tp = p['targetPort'];
    if ((absent(tp) || tp === 0 || tp === '') && typeof p['port'] === 'number') p['targetPort'] = p['port'];
  }
  const type = str(spec['type']);
  if (externallyAccessible(readService(o)) && (absent(spec['externalTrafficPolicy']) || spec['externalTrafficPolicy'] === '')) {
    spec['externalTrafficPolicy'] = 'Cluster';
  }
  if (absent(spec['internalTrafficPolicy']) && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type)) spec['internalTrafficPolicy'] = 'Cluster';
  if (type === 'LoadBalancer') {
    if (absent(spec['allocateLoadBalancerNodePorts'])) spec['allocateLoadBalancerNodePorts'] = true;
    // LoadBalancerIPMode: an ingress IP without a mode is a VIP.
    for (const raw of arr(obj(obj(o['status'])['loadBalancer'])['ingress'])) {
      const ing = obj(raw);
      if (str(ing['ip']) !== '' && absent(ing['ipMode'])) ing['ipMode'] = 'VIP';
    }
  }
}

// --- dropTypeDependentFields (pkg/registry/core/service/strategy.go)

const needsClusterIP = (s: Obj): boolean => s['type'] !== 'ExternalName';
const needsNodePort = (s: Obj): boolean => s['type'] === 'NodePort' || s['type'] === 'LoadBalancer';
const needsHCNodePort = (s: Obj): boolean => s['type'] === 'LoadBalancer' && s['externalTrafficPolicy'] === 'Local';
const needsExternalTrafficPolicy = needsNodePort;

function sameStrings(a: unknown, b: unknown): boolean {
  const x = arr(a);
  const y = arr(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** reflect.DeepEqual on the family lists: absent and [] differ. */
function sameIPFamilies(a: unknown, b: unknown): boolean {
  return Array.isArray(a) === Array.isArray(b) && sameStrings(a, b);
}

function nodePorts(s: Obj): Set<number> {
  const out = new Set<number>();
  for (const p of arr(s['ports'])) {
    const np = obj(p)['nodePort'];
    if (typeof np === 'number' && np !== 0) out.add(np);
  }
  return out;
}

/**
 * When the type changes, clears the fields the new type does not use, but only those the user
 * left as they were (a changed value is theirs, and validation judges it). Allocated values
 * cleared here are released by the allocator.
 */
export function dropTypeDependentFields(svc: Obj, old: Obj): void {
  const s = child(svc, 'spec');
  const o = obj(old['spec']);
  if (needsClusterIP(o) && !needsClusterIP(s)) {
    if (str(o['clusterIP']) === str(s['clusterIP']) && sameStrings(o['clusterIPs'], s['clusterIPs'])) {
      delete s['clusterIP'];
      delete s['clusterIPs'];
    }
    if (sameIPFamilies(o['ipFamilies'], s['ipFamilies'])) delete s['ipFamilies'];
    if (str(o['ipFamilyPolicy']) === str(s['ipFamilyPolicy'])) delete s['ipFamilyPolicy'];
  }
  // Users may add, remove or change ports, as long as they add no node port of their own.
  const oldNodePorts = nodePorts(o);
  if (needsNodePort(o) && !needsNodePort(s) && [...nodePorts(s)].every((np) => oldNodePorts.has(np))) {
    for (const p of arr(s['ports'])) delete obj(p)['nodePort'];
  }
  if (needsHCNodePort(o) && !needsHCNodePort(s) && (o['healthCheckNodePort'] ?? 0) === (s['healthCheckNodePort'] ?? 0)) {
    delete s['healthCheckNodePort'];
  }
  if (o['type'] === 'LoadBalancer' && s['type'] !== 'LoadBalancer') {
    const before = o['allocateLoadBalancerNodePorts'];
    const after = s['allocateLoadBalancerNodePorts'];
    if (typeof before === 'boolean' && before === after) delete s['allocateLoadBalancerNodePorts'];
    if ((o['loadBalancerClass'] ?? undefined) === (s['loadBalancerClass'] ?? undefined)) delete s['loadBalancerClass'];
  }
  if (needsExternalTrafficPolicy(o) && !needsExternalTrafficPolicy(s) && str(o['externalTrafficPolicy']) === str(s['externalTrafficPolicy'])) {
    delete s['externalTrafficPolicy'];
  }
  // A Service that is no longer a LoadBalancer has no load balancer status.
  if (s['type'] !== 'LoadBalancer') child(svc, 'status')['loadBalancer'] = {};
}

export const serviceStrategy: Strategy = {
  nameRule: 'dns1035',
  generation: false,
  defaults(o) {
    defaultService(o);
  },
  prepareForCreate(o) {
    o['status'] = { loadBalancer: {} };
  },
  prepareForUpdate(o, old) {
    dropTypeDependentFields(o, old);
  },
  validate(o, old) {
    const svc = readService(o);
    if (!old) return dedupe(validateService(svc));
    const errs = validateServiceUpdate(svc, readService(old));
    // Status writes (the status subresource) are checked by ValidateServiceStatusUpdate.
    const lb = (x: KubeObject): string => JSON.stringify(obj(obj(x['status'])['loadBalancer']));
    if (lb(o) !== lb(old)) errs.push(...validateLoadBalancerStatus(svc));
    return dedupe(errs);
  },
  fields(o) {
    const spec = obj(o['spec']);
    return { 'spec.clusterIP': str(spec['clusterIP']), 'spec.type': str(spec['type']) };
  },
};

/**
 * The loose pre-validation of clusterIP/clusterIPs/ipFamilies/ipFamilyPolicy that the Service
 * allocator runs before it reserves anything (Kubernetes' ValidateServiceClusterIPsRelatedFields).
 * It looks at the new object only; `_old` is accepted so callers can pass what they have.
 */
export function validateServiceClusterIPsRelatedFields(svc: Obj, _old?: Obj): FieldError[] {
  return dedupe(clusterIPsRelatedFields(readService(svc)));
}
