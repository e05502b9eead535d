// The Services every cluster has, kept in place at start as kube-apiserver's bootstrap controller
// (pkg/controlplane/controller/kubernetesservice) and endpoint reconciler
// (pkg/controlplane/reconcilers) keep `default/kubernetes`, and as kubeadm installs
// `kube-system/kube-dns`. They are written through the registry, so the allocator marks their
// addresses; both addresses are in the range's lower band, which dynamic allocation leaves alone.
import type { KubeObject } from '../api/types.js';
import { numberToIPv4, parseIpv4Cidr } from './allocators/index.js';
import { ApiError } from './errors.js';
import type { Registry } from './registry.js';
import { resourceFor, type ResourceInfo } from './resources.js';

const SERVICES = resourceFor('', 'v1', 'services')!;
const ENDPOINTS = resourceFor('', 'v1', 'endpoints')!;
const ENDPOINT_SLICES = resourceFor('discovery.k8s.io', 'v1', 'endpointslices')!;
const FIELD_MANAGER = 'kube-apiserver';

export interface BuiltinServicesConfig {
  serviceCidr: string;
  /** The address the API server is reached on (the `kubernetes` Endpoints' address). */
  apiServerAddress: string;
  apiServerPort: number;
  log?: (msg: string) => void;
}

/** The address `n` after the network address of the CIDR, when it is an allocatable one. */
export function serviceAddress(serviceCidr: string, n: number): string | undefined {
  const c = parseIpv4Cidr(serviceCidr);
  return n >= 1 && n <= c.size - 2 ? numberToIPv4((c.network + n) >>> 0) : undefined;
}

type Obj = Record<string, unknown>;

function kubernetesService(ip: string, port: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'None',
      // Maintained by the API server itself, not by a pod selector.
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
    },
  };
}

/**
 * kubeadm's CoreDNS Service, less its pod selector: tinykube's DNS server is no pod. It serves the
 * cluster IP itself and writes the Service's Endpoints, as the API server does for `kubernetes`.
 */
function kubeDnsService(ip: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  };
}

/** The Endpoints the reconciler writes; skip-mirror keeps the mirroring controller away. */
function kubernetesEndpoints(address: string, port: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
}

/** The EndpointSlice the reconciler writes: no managed-by label, the EndpointSlice controller leaves it be. */
function kubernetesEndpointSlice(address: string, port: number): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
}

function spec(o: KubeObject): Obj {
  const s = (o as Obj)['spec'];
  return typeof s === 'object' && s !== null ? (s as Obj) : {};
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function hasLabels(o: KubeObject, want: Record<string, string> | undefined): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => o.metadata.labels?.[k] === v);
}

/** Ports as the bootstrap compares them: the fields it sets, in order. */
function portsView(o: KubeObject): unknown {
  const ports = Array.isArray(spec(o)['ports']) ? (spec(o)['ports'] as Obj[]) : [];
  return ports.map((p) => ({ name: p['name'], port: p['port'], protocol: p['protocol'] ?? 'TCP', targetPort: p['targetPort'], nodePort: p['nodePort'] }));
}

async function getIfExists(registry: Registry, res: ResourceInfo, ns: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await registry.get(res, ns, name);
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) return undefined;
    throw e;
  }
}

/**
 * Creates `want` when missing; when present and drifted, repairs it: a changed cluster IP (the
 * service CIDR changed) means delete and recreate, anything else an update of the fields we own.
 */
async function ensureService(registry: Registry, want: KubeObject, log: (msg: string) => void): Promise<void> {
  const ns = want.metadata.namespace!;
  const name = want.metadata.name!;
  let current = await getIfExists(registry, SERVICES, ns, name);
  if (current && spec(current)['clusterIP'] !== spec(want)['clusterIP']) {
    log(`bootstrap: Service ${ns}/${name} has cluster IP ${String(spec(current)['clusterIP'])}, want ${String(spec(want)['clusterIP'])}; recreating it`);
    await registry.delete(SERVICES, ns, name);
    current = undefined;
  }
  if (!current) {
    await registry.create(SERVICES, ns, structuredClone(want), { fieldManager: FIELD_MANAGER });
    return;
  }
  const drifted =
    spec(current)['type'] !== 'ClusterIP' ||
    !same(portsView(current), portsView(want)) ||
    !same(spec(current)['selector'] ?? null, spec(want)['selector'] ?? null) ||
    !hasLabels(current, want.metadata.labels);
  if (!drifted) return;
  log(`bootstrap: resetting Service ${ns}/${name} (type, ports, selector and labels)`);
  await registry.update(
    SERVICES,
    ns,
    name,
    (cur) => {
      const s = spec(cur);
      s['type'] = 'ClusterIP';
      s['ports'] = structuredClone(spec(want)['ports']);
      if (spec(want)['selector'] === undefined) delete s['selector'];
      else s['selector'] = structuredClone(spec(want)['selector']);
      cur.metadata.labels = { ...(cur.metadata.labels ?? {}), ...(want.metadata.labels ?? {}) };
      return cur;
    },
    { fieldManager: FIELD_MANAGER },
  );
}

/** Creates or resets an object whose listed top-level fields and labels the API server owns. */
async function ensureObject(registry: Registry, res: ResourceInfo, want: KubeObject, fields: string[]): Promise<void> {
  const ns = want.metadata.namespace!;
  const name = want.metadata.name!;
  const current = await getIfExists(registry, res, ns, name);
  if (!current) {
    await registry.create(res, ns, structuredClone(want), { fieldManager: FIELD_MANAGER });
    return;
  }
  const w = want as Obj;
  const c = current as Obj;
  if (fields.every((f) => same(c[f], w[f])) && same(current.metadata.labels ?? {}, want.metadata.labels ?? {})) return;
  await registry.update(
    res,
    ns,
    name,
    (cur) => {
      for (const f of fields) (cur as Obj)[f] = structuredClone(w[f]);
      cur.metadata.labels = { ...(want.metadata.labels ?? {}) };
      return cur;
    },
    { fieldManager: FIELD_MANAGER },
  );
}

/**
 * `default/kubernetes` (first address of the service CIDR, 443 -> the API server, with its
 * Endpoints and EndpointSlice) and `kube-system/kube-dns` (the .10 address, DNS on 53 UDP+TCP).
 * A failure is logged and leaves the rest to be done: the API server serves regardless.
 */
export async function ensureBuiltinServices(registry: Registry, cfg: BuiltinServicesConfig): Promise<void> {
  const log = cfg.log ?? (() => undefined);
  const address = cfg.apiServerAddress === '0.0.0.0' || cfg.apiServerAddress === '' ? '127.0.0.1' : cfg.apiServerAddress;
  const steps: [string, () => Promise<void>][] = [];
  const apiIp = serviceAddress(cfg.serviceCidr, 1);
  if (apiIp) {
    steps.push(['Service default/kubernetes', () => ensureService(registry, kubernetesService(apiIp, cfg.apiServerPort), log)]);
  } else {
    log(`bootstrap: the service CIDR ${cfg.serviceCidr} has no address for the kubernetes Service`);
  }
  steps.push(['Endpoints default/kubernetes', () => ensureObject(registry, ENDPOINTS, kubernetesEndpoints(address, cfg.apiServerPort), ['subsets'])]);
  steps.push(['EndpointSlice default/kubernetes', () => ensureObject(registry, ENDPOINT_SLICES, kubernetesEndpointSlice(address, cfg.apiServerPort), ['addressType', 'endpoints', 'ports'])]);
  const dnsIp = serviceAddress(cfg.serviceCidr, 10);
  if (dnsIp) steps.push(['Service kube-system/kube-dns', () => ensureService(registry, kubeDnsService(dnsIp), log)]);
  else log(`bootstrap: the service CIDR ${cfg.serviceCidr} is too small for the cluster DNS address (.10); kube-dns not created`);
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (e) {
      log(`bootstrap: could not ensure ${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
