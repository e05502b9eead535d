// A Service read into typed values with Go's zero-value semantics (absent string = "", absent
// number = 0, absent pointer or list = undefined), so validation can follow Kubernetes' rules
// field by field without re-checking JSON shapes.
import { arr, obj, type Obj } from './types.js';

export interface ServicePortView {
  name: string;
  protocol: string;
  appProtocol?: string;
  port: number;
  /** intstr.IntOrString: a number, or a string (a named port). */
  targetPort: number | string;
  nodePort: number;
}

export interface LoadBalancerIngressView {
  ip: string;
  hostname: string;
  ipMode?: string;
}

export interface ServiceView {
  annotations: Record<string, string>;
  type: string;
  ports: ServicePortView[];
  selector?: Record<string, string>;
  clusterIP: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  externalIPs: string[];
  externalName: string;
  sessionAffinity: string;
  /** Present when spec.sessionAffinityConfig is; `clientIP` and its timeout only when set. */
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  loadBalancerSourceRanges: string[];
  loadBalancerClass?: string;
  allocateLoadBalancerNodePorts?: boolean;
  externalTrafficPolicy: string;
  internalTrafficPolicy?: string;
  healthCheckNodePort: number;
  trafficDistribution?: string;
  ingress: LoadBalancerIngressView[];
}

const present = (v: unknown): boolean => v !== undefined && v !== null;
const s = (v: unknown): string => (typeof v === 'string' ? v : '');
const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
const optS = (v: unknown): string | undefined => (present(v) ? s(v) : undefined);
const optList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(s) : undefined);

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) out[k] = s(val);
  return out;
}

function readPort(raw: unknown): ServicePortView {
  const p = obj(raw);
  const tp = p['targetPort'];
  const view: ServicePortView = {
    name: s(p['name']),
    protocol: s(p['protocol']),
    port: n(p['port']),
    targetPort: typeof tp === 'string' ? tp : n(tp),
    nodePort: n(p['nodePort']),
  };
  if (present(p['appProtocol'])) view.appProtocol = s(p['appProtocol']);
  return view;
}

export function readService(o: Obj): ServiceView {
  const meta = obj(o['metadata']);
  const spec = obj(o['spec']);
  const view: ServiceView = {
    annotations: strMap(meta['annotations']),
    type: s(spec['type']),
    ports: arr(spec['ports']).map(readPort),
    clusterIP: s(spec['clusterIP']),
    externalIPs: arr(spec['externalIPs']).map(s),
    externalName: s(spec['externalName']),
    sessionAffinity: s(spec['sessionAffinity']),
    loadBalancerSourceRanges: arr(spec['loadBalancerSourceRanges']).map(s),
    externalTrafficPolicy: s(spec['externalTrafficPolicy']),
    healthCheckNodePort: n(spec['healthCheckNodePort']),
    ingress: arr(obj(obj(o['status'])['loadBalancer'])['ingress']).map((raw) => {
      const i = obj(raw);
      const ing: LoadBalancerIngressView = { ip: s(i['ip']), hostname: s(i['hostname']) };
      if (present(i['ipMode'])) ing.ipMode = s(i['ipMode']);
      return ing;
    }),
  };
  // Selector values stay as sent: validateLabels reports a value that is not a string.
  if (present(spec['selector'])) view.selector = obj(spec['selector']) as Record<string, string>;
  const clusterIPs = optList(spec['clusterIPs']);
  if (clusterIPs) view.clusterIPs = clusterIPs;
  const ipFamilies = optList(spec['ipFamilies']);
  if (ipFamilies) view.ipFamilies = ipFamilies;
  const optionals = ['ipFamilyPolicy', 'loadBalancerClass', 'internalTrafficPolicy', 'trafficDistribution'] as const;
  for (const k of optionals) {
    const v = optS(spec[k]);
    if (v !== undefined) view[k] = v;
  }
  if (typeof spec['allocateLoadBalancerNodePorts'] === 'boolean') view.allocateLoadBalancerNodePorts = spec['allocateLoadBalancerNodePorts'];
  if (present(spec['sessionAffinityConfig'])) {
    const cfg = obj(spec['sessionAffinityConfig']);
    view.sessionAffinityConfig = {};
    if (present(cfg['clientIP'])) {
      const t = obj(cfg['clientIP'])['timeoutSeconds'];
      view.sessionAffinityConfig.clientIP = present(t) ? { timeoutSeconds: n(t) } : {};
    }
  }
  return view;
}

/** Headless: clusterIPs is exactly ["None"] (isHeadlessService). */
export function isHeadless(v: ServiceView): boolean {
  return v.clusterIPs?.length === 1 && v.clusterIPs[0] === 'None';
}

/** apiservice.ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with external IPs. */
export function externallyAccessible(v: ServiceView): boolean {
  return v.type === 'LoadBalancer' || v.type === 'NodePort' || (v.type === 'ClusterIP' && v.externalIPs.length > 0);
}

/** apiservice.NeedsHealthCheck: a LoadBalancer with externalTrafficPolicy Local. */
export function needsHealthCheck(v: ServiceView): boolean {
  return v.type === 'LoadBalancer' && v.externalTrafficPolicy === 'Local';
}
