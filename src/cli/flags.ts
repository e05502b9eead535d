// The flags of `tinykube up` (and what down/status share), parsed and checked once.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isIPv4 } from 'node:net';

export interface ClusterConfig {
  dataDir: string;
  apiPort: number;
  nodeIp: string;
  serviceCidr: string;
  podCidr: string;
  lbPool: string;
  nodePortRange: { min: number; max: number };
  clusterDomain: string;
  /** How many nodes (kubelets) `up` runs; their addresses follow nodeIp (127.0.0.1, .2, ...). */
  nodes: number;
  kubeletPort: number;
  /** Simulated nodes (no processes; KWOK-style) after the real ones, and their pods' delay to Ready. */
  simulatedNodes: number;
  simulatedReadyDelayMs: number;
  /** The proxy's /metrics and /healthz port on the first node address (kube-proxy's 10249). */
  proxyMetricsPort: number;
  /** Whether `up` runs the service proxy (one per node); --no-proxy leaves Services to another one (e.g. `tinykube proxy`). */
  proxy: boolean;
  /** Whether `up` runs cluster DNS on kube-dns's address; --no-dns leaves it out. */
  dns: boolean;
  /** Its port (53, kube-dns's Service port). */
  dnsPort: number;
  /** TTL of the cluster's records, seconds (CoreDNS's `ttl`, 0-3600). */
  dnsTtl: number;
  /** Resolvers for other names ("ADDR[:PORT]"); undefined: the host's. */
  dnsUpstreams?: string[];
  /** Whether `up` runs the ingress controller; --no-ingress leaves it out. */
  ingress: boolean;
  /** Its HTTP and HTTPS ports on every node address (80 and 443). */
  ingressHttpPort: number;
  ingressHttpsPort: number;
}

export const DEFAULTS = {
  apiPort: 6443,
  nodeIp: '127.0.0.1',
  serviceCidr: '127.96.0.0/12',
  podCidr: '127.244.0.0/16',
  lbPool: '127.240.0.0/24',
  nodePortRange: '30000-32767',
  clusterDomain: 'cluster.local',
  nodes: 1,
  kubeletPort: 10250,
  simulatedNodes: 0,
  simulatedReadyDelayMs: 0,
  proxyMetricsPort: 10249,
  dnsPort: 53,
  dnsTtl: 30,
  ingressHttpPort: 80,
  ingressHttpsPort: 443,
};

/** Simulated node j's name: tinykube-sim-01, tinykube-sim-02 ... */
export function simulatedNodeName(j: number): string {
  return `tinykube-sim-${String(j + 1).padStart(2, '0')}`;
}

/** Node i's name, as minikube names its nodes: tinykube, tinykube-m02, tinykube-m03 ... */
export function nodeName(i: number): string {
  return i === 0 ? 'tinykube' : `tinykube-m${String(i + 1).padStart(2, '0')}`;
}

/** Node i's address: the first node's, counted up in the last octets. */
export function nodeAddress(first: string, i: number): string {
  const n = first.split('.').reduce((a, o) => a * 256 + Number(o), 0) + i;
  return [24, 16, 8, 0].map((sh) => (n >>> sh) & 255).join('.');
}

export class UsageError extends Error {}

export function defaultDataDir(): string {
  return join(process.env['HOME'] || homedir(), '.tinykube');
}

export function parseCidr(flag: string, v: string): { base: string; prefix: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(v);
  if (!m || !isIPv4(m[1]!) || Number(m[2]) > 32) throw new UsageError(`--${flag}: "${v}" is not an IPv4 CIDR such as ${DEFAULTS[flag === 'service-cidr' ? 'serviceCidr' : flag === 'pod-cidr' ? 'podCidr' : 'lbPool']}`);
  return { base: m[1]!, prefix: Number(m[2]) };
}

export function parsePortRange(v: string): { min: number; max: number } {
  const m = /^(\d+)-(\d+)$/.exec(v);
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min < 1 || max > 65535 || min > max) throw new UsageError(`--node-port-range: "${v}" is not a port range such as 30000-32767`);
  return { min, max };
}

export function parsePort(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${flag}: "${v}" is not a port number (0-65535)`);
  return n;
}

export function parseCount(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new UsageError(`--${flag}: "${v}" is not a number from ${min} to ${max}`);
  return n;
}

export function buildConfig(values: Record<string, string | boolean | string[] | undefined>): ClusterConfig {
  const s = (k: string, d: string): string => (typeof values[k] === 'string' ? (values[k] as string) : d);
  const nodeIp = s('node-ip', DEFAULTS.nodeIp);
  if (!isIPv4(nodeIp)) throw new UsageError(`--node-ip: "${nodeIp}" is not an IPv4 address`);
  const domain = s('cluster-domain', DEFAULTS.clusterDomain);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(domain)) throw new UsageError(`--cluster-domain: "${domain}" is not a DNS domain such as cluster.local`);
  const cfg: ClusterConfig = {
    dataDir: resolve(s('data-dir', defaultDataDir())),
    apiPort: parsePort('api-port', s('api-port', String(DEFAULTS.apiPort))),
    nodeIp,
    serviceCidr: s('service-cidr', DEFAULTS.serviceCidr),
    podCidr: s('pod-cidr', DEFAULTS.podCidr),
    lbPool: s('lb-pool', DEFAULTS.lbPool),
    nodePortRange: parsePortRange(s('node-port-range', DEFAULTS.nodePortRange)),
    clusterDomain: domain,
    nodes: parseCount('nodes', s('nodes', String(DEFAULTS.nodes)), 0, 100),
    kubeletPort: parsePort('kubelet-port', s('kubelet-port', String(DEFAULTS.kubeletPort))),
    simulatedNodes: parseCount('simulated-nodes', s('simulated-nodes', String(DEFAULTS.simulatedNodes)), 0, 1000),
    proxyMetricsPort: parsePort('proxy-metrics-port', s('proxy-metrics-port', String(DEFAULTS.proxyMetricsPort))),
    proxy: values['no-proxy'] !== true,
    dns: values['no-dns'] !== true,
    dnsPort: parsePort('dns-port', s('dns-port', String(DEFAULTS.dnsPort))),
    dnsTtl: parseCount('dns-ttl', s('dns-ttl', String(DEFAULTS.dnsTtl)), 0, 3600),
    dnsUpstreams: parseUpstreams(values['dns-upstream']),
    ingress: values['no-ingress'] !== true,
    ingressHttpPort: parsePort('ingress-http-port', s('ingress-http-port', String(DEFAULTS.ingressHttpPort))),
    ingressHttpsPort: parsePort('ingress-https-port', s('ingress-https-port', String(DEFAULTS.ingressHttpsPort))),
    simulatedReadyDelayMs: parseCount('simulated-ready-delay', s('simulated-ready-delay', String(DEFAULTS.simulatedReadyDelayMs)), 0, 3_600_000),
  };
  if (cfg.ingressHttpPort !== 0 && cfg.ingressHttpPort === cfg.ingressHttpsPort) throw new UsageError(`--ingress-http-port and --ingress-https-port are both ${cfg.ingressHttpPort}; give them different ports`);
  parseCidr('service-cidr', cfg.serviceCidr);
  parseCidr('pod-cidr', cfg.podCidr);
  parseCidr('lb-pool', cfg.lbPool);
  return cfg;
}

/** --dns-upstream ADDR[:PORT], repeatable; undefined when not given (the host's resolvers). */
export function parseUpstreams(v: string | boolean | string[] | undefined): string[] | undefined {
  if (v === undefined || typeof v === 'boolean') return undefined;
  const list = Array.isArray(v) ? v : [v];
  for (const u of list) {
    const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(u);
    if (!m || !isIPv4(m[1]!) || (m[2] !== undefined && !(Number(m[2]) >= 1 && Number(m[2]) <= 65535))) throw new UsageError(`--dns-upstream: "${u}" is not ADDR[:PORT] such as 127.0.0.53 or 127.0.0.1:5353`);
  }
  return list;
}

/** The first usable address of a CIDR: the `kubernetes` Service's address in the service range. */
export function firstAddress(cidr: string): string {
  const { base, prefix } = parseCidr('service-cidr', cidr);
  const n = base.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const first = ((n & mask) >>> 0) + 1;
  return [24, 16, 8, 0].map((sh) => (first >>> sh) & 255).join('.');
}
