// The cluster zone: the Kubernetes DNS-Based Service Discovery specification (schema 1.1.0) as
// CoreDNS's kubernetes plugin serves it with Kubernetes' default Corefile
// (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`).
// Fed lean projections of Namespaces, Services, EndpointSlices and Pods (objects.ts), it keeps
// indexes keyed by lowercase names and addresses, built on update, so a question costs a few map
// lookups plus the records of the one Service it names.
//
// The tree it answers (below <zone>; rcodes per RFC 1034/2308, SOA in the authority of every
// negative answer):
//   (apex)                              SOA, NS (+ A glue)
//   dns-version                         TXT "1.1.0"                         spec 2.2
//   ns.dns                              A: the DNS service's address        CoreDNS ns.go
//   svc, <ns>.svc                       no records (NODATA; <ns> must exist)
//   <svc>.<ns>.svc                      A/AAAA cluster IPs, or ready endpoints (headless),
//                                       or CNAME (ExternalName); SRV per port    spec 2.3-2.5
//   _<port>._<proto>.<svc>.<ns>.svc     SRV per named port (x ready endpoint, headless)
//   <endpoint>.<svc>.<ns>.svc           A/AAAA of the endpoint; SRV per port      spec 2.4.1
//   pod, <ns>.pod, <a-b-c-d>.<ns>.pod   pod A records per `pods` mode          CoreDNS findPods
// and, in in-addr.arpa, PTR for cluster IPs and ready endpoint addresses (spec 2.3.3, 2.4.3);
// every other reverse question is not ours (undefined: the server forwards it, as `fallthrough`).
import type { EndpointSlice, Namespace, Pod, Service } from '../api/core.js';
import { endpointLabel, isIPv6Address, podLabelAddress, relativeName, reverseIPv4 } from './names.js';
import {
  projectEndpointSlice,
  projectPod,
  projectService,
  sameEndpointSlice,
  sameService,
  type DnsEndpointSlice,
  type DnsPod,
  type DnsPort,
  type DnsService,
} from './objects.js';
import { Rcode, RRType, type Answer, type Lookup, type Question, type RR } from './types.js';

/** CoreDNS `pods`: no pod records, any address in a namespace that exists, or only addresses of pods there. */
export type PodMode = 'disabled' | 'insecure' | 'verified';

export interface ClusterZoneOptions {
  /** The cluster domain. Default cluster.local. */
  domain?: string;
  /** TTL of the records (CoreDNS `ttl`, 0-3600). Default 30, as in Kubernetes' Corefile. */
  ttl?: number;
  /** Default `insecure`, as in Kubernetes' Corefile. */
  podMode?: PodMode;
  /**
   * The address this server answers on (kube-dns's cluster IP): the zone's NS names the Service
   * whose ready endpoint it is, as CoreDNS does with its own address; `ns.dns.<zone>` otherwise.
   */
  dnsServiceIP?: string;
  /** Milliseconds clock for the SOA serial (the time of the last change, as CoreDNS). Default Date.now. */
  now?: () => number;
}

/** Schema version of the specification (2.2) and the TTL CoreDNS gives its record. */
const SCHEMA_VERSION = '1.1.0';
const SCHEMA_TTL = 28800;
/** CoreDNS plugin/backend_lookup.go maxCnameChainLength. */
const MAX_CNAME_CHAIN = 10;
const IXFR = 251;
const AXFR = 252;
/** A Service or slice without ports still has addresses (CoreDNS's port -1 sentinel): no SRV from it. */
const NO_PORTS: readonly DnsPort[] = [{ name: '', protocol: '', port: -1 }];

/** Everything DNS knows under `<svc>.<ns>.svc`: the Service (once seen) and its EndpointSlices by name. */
class ServiceNode {
  svc: DnsService | undefined;
  readonly slices = new Map<string, DnsEndpointSlice>();
  constructor(
    readonly namespace: string,
    readonly name: string,
  ) {}
}

class NamespaceNode {
  constructor(readonly name: string) {}
  /** Its Namespace object was seen. */
  declared = false;
  /** How many of `nodes` have their Service. */
  services = 0;
  readonly nodes = new Map<string, ServiceNode>();
}

const NONE: readonly never[] = [];

/** Several values per key; the usual single value is kept without an array. */
class MultiMap<K, V> {
  private readonly m = new Map<K, V | V[]>();

  add(k: K, v: V): void {
    const cur = this.m.get(k);
    if (cur === undefined) this.m.set(k, v);
    else if (Array.isArray(cur)) cur.push(v);
    else this.m.set(k, [cur, v]);
  }

  /** Removes one occurrence of `v`. */
  remove(k: K, v: V): void {
    const cur = this.m.get(k);
    if (cur === undefined) return;
    if (!Array.isArray(cur)) {
      if (cur === v) this.m.delete(k);
      return;
    }
    const i = cur.indexOf(v);
    if (i >= 0) cur.splice(i, 1);
    if (cur.length === 1) this.m.set(k, cur[0] as V);
  }

  get(k: K): readonly V[] {
    const cur = this.m.get(k);
    return cur === undefined ? NONE : Array.isArray(cur) ? cur : [cur];
  }

  get size(): number {
    return this.m.size;
  }
}

/** One (address, port) a name stands for: CoreDNS's msg.Service of findServices. */
interface Entry {
  host: string;
  /** -1: no port (no SRV). */
  port: number;
  /** From an endpoint (SRV targets the endpoint's name), not a cluster IP (targets the Service's). */
  endpoint: boolean;
  hostname: string | undefined;
}

/** Which ports and endpoints a name selects (CoreDNS recordRequest). */
interface Filter {
  endpoint?: string;
  port?: string;
  proto?: string;
  /** Only named ports (`_<proto>` as an empty non-terminal). */
  named?: boolean;
}

/** What a name is in the tree. */
type Found =
  | { kind: 'nxdomain' }
  | { kind: 'empty' }
  | { kind: 'txt'; text: string[] }
  | { kind: 'addresses'; addresses: readonly string[] }
  | { kind: 'cname'; target: string }
  | { kind: 'entries'; node: ServiceNode; entries: Entry[]; srvOnly: boolean };

const NXDOMAIN: Found = { kind: 'nxdomain' };
const EMPTY: Found = { kind: 'empty' };

type ObjectName = { namespace: string; name: string } | { metadata: { namespace?: string; name?: string } };

function keyOf(o: ObjectName): { namespace: string; name: string } {
  if ('metadata' in o) return { namespace: (o.metadata.namespace ?? '').toLowerCase(), name: (o.metadata.name ?? '').toLowerCase() };
  return o;
}

export class ClusterZone implements Lookup {
  readonly domain: string;
  readonly ttl: number;
  readonly podMode: PodMode;
  private readonly dnsServiceIP: string | undefined;
  private readonly now: () => number;
  private readonly namespaces = new Map<string, NamespaceNode>();
  /** EndpointSlices by `<ns>/<name>`, whichever Service they belong to. */
  private readonly slices = new Map<string, DnsEndpointSlice>();
  private readonly byClusterIP = new MultiMap<string, ServiceNode>();
  /** Ready endpoint address -> the Services it backs (once per slice listing it). */
  private readonly byEndpointIP = new MultiMap<string, ServiceNode>();
  /** Pods by `<ns>/<name>` -> address, and address -> `<ns>/<name>` (pods verified). */
  private readonly pods = new Map<string, string>();
  private readonly byPodIP = new MultiMap<string, string>();
  private gen = 0;
  private serial: number;
  private synced = false;

  constructor(opts: ClusterZoneOptions = {}) {
    this.domain = (opts.domain ?? 'cluster.local').toLowerCase().replace(/^\.+|\.+$/g, '');
    if (this.domain === '') throw new Error('cluster zone: the domain is empty; give a cluster domain such as cluster.local');
    this.ttl = opts.ttl ?? 30;
    if (!Number.isInteger(this.ttl) || this.ttl < 0 || this.ttl > 3600) throw new RangeError(`cluster zone: ttl ${opts.ttl} is out of range; give whole seconds from 0 to 3600`);
    this.podMode = opts.podMode ?? 'insecure';
    this.dnsServiceIP = opts.dnsServiceIP;
    this.now = opts.now ?? Date.now;
    this.serial = this.unixNow();
  }

  // ---- Lookup ----

  ready(): boolean {
    return this.synced;
  }

  generation(): number {
    return this.gen;
  }

  /** The first full list of every informer is in: from now on a missing name is NXDOMAIN, not "not synced yet". */
  markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.changed();
  }

  resolve(q: Question): Answer | undefined {
    if (q.class !== 1) return undefined;
    const lname = q.name.toLowerCase();
    const rel = relativeName(lname, this.domain);
    if (rel === undefined) return this.reverse(q, lname);
    return this.answer(q, rel, undefined);
  }

  // ---- updates ----

  upsertNamespace(ns: Namespace | string): void {
    const name = (typeof ns === 'string' ? ns : (ns.metadata.name ?? '')).toLowerCase();
    const node = this.namespaceNode(name);
    if (node.declared) return;
    node.declared = true;
    this.changed();
  }

  deleteNamespace(ns: Namespace | string): void {
    const name = (typeof ns === 'string' ? ns : (ns.metadata.name ?? '')).toLowerCase();
    const node = this.namespaces.get(name);
    if (!node?.declared) return;
    node.declared = false;
    if (node.nodes.size === 0) this.namespaces.delete(name);
    this.changed();
  }

  upsertService(input: Service | DnsService): void {
    const svc = 'metadata' in input ? projectService(input) : input;
    const ns = this.namespaceNode(svc.namespace);
    const node = this.serviceNode(ns, svc.name);
    const old = node.svc;
    node.svc = svc;
    if (old && sameService(old, svc)) return;
    if (old?.kind === 'ClusterIP') for (const ip of old.clusterIPs) this.byClusterIP.remove(ip, node);
    if (!old) ns.services++;
    if (svc.kind === 'ClusterIP') for (const ip of svc.clusterIPs) this.byClusterIP.add(ip, node);
    this.changed();
  }

  deleteService(input: Service | DnsService | ObjectName): void {
    const { namespace, name } = keyOf(input);
    const ns = this.namespaces.get(namespace);
    const node = ns?.nodes.get(name);
    const old = node?.svc;
    if (!ns || !node || !old) return;
    if (old.kind === 'ClusterIP') for (const ip of old.clusterIPs) this.byClusterIP.remove(ip, node);
    node.svc = undefined;
    ns.services--;
    this.prune(ns, node);
    this.changed();
  }

  upsertEndpointSlice(input: EndpointSlice | DnsEndpointSlice): void {
    const slice = 'metadata' in input ? projectEndpointSlice(input) : input;
    const key = `${slice.namespace}/${slice.name}`;
    const old = this.slices.get(key);
    this.slices.set(key, slice);
    if (old && sameEndpointSlice(old, slice)) {
      // Same answers: keep the new projection (the informer's cache holds it), touch no index.
      if (slice.service) this.namespaces.get(slice.namespace)?.nodes.get(slice.service)?.slices.set(slice.name, slice);
      return;
    }
    if (old) this.unlinkSlice(old);
    if (slice.service) {
      const node = this.serviceNode(this.namespaceNode(slice.namespace), slice.service);
      node.slices.set(slice.name, slice);
      for (const a of slice.addresses) this.byEndpointIP.add(a, node);
    }
    this.changed();
  }

  deleteEndpointSlice(input: EndpointSlice | DnsEndpointSlice | ObjectName): void {
    const { namespace, name } = keyOf(input);
    const key = `${namespace}/${name}`;
    const old = this.slices.get(key);
    if (!old) return;
    this.slices.delete(key);
    this.unlinkSlice(old);
    this.changed();
  }

  upsertPod(input: Pod | DnsPod): void {
    const pod = 'metadata' in input ? projectPod(input) : input;
    // CoreDNS ToPod: a terminating pod's updates are ignored; it keeps its record until deleted.
    if (pod.terminating) return;
    const key = `${pod.namespace}/${pod.name}`;
    const old = this.pods.get(key);
    if (old === pod.ip) return;
    if (old) this.byPodIP.remove(old, key);
    this.pods.set(key, pod.ip);
    if (pod.ip) this.byPodIP.add(pod.ip, key);
    if (this.podMode === 'verified') this.changed();
  }

  deletePod(input: Pod | DnsPod | ObjectName): void {
    const { namespace, name } = keyOf(input);
    const key = `${namespace}/${name}`;
    const old = this.pods.get(key);
    if (old === undefined) return;
    this.pods.delete(key);
    if (old) this.byPodIP.remove(old, key);
    if (this.podMode === 'verified') this.changed();
  }

  /** Sizes, for logs and benchmarks. */
  stats(): { namespaces: number; services: number; endpointSlices: number; endpointAddresses: number; pods: number } {
    let services = 0;
    for (const ns of this.namespaces.values()) services += ns.services;
    let endpointAddresses = 0;
    for (const s of this.slices.values()) endpointAddresses += s.addresses.length;
    return { namespaces: this.namespaces.size, services, endpointSlices: this.slices.size, endpointAddresses, pods: this.pods.size };
  }

  // ---- indexes ----

  private changed(): void {
    this.gen++;
    this.serial = Math.max(this.serial, this.unixNow());
  }

  private unixNow(): number {
    return Math.floor(this.now() / 1000) >>> 0;
  }

  private namespaceNode(name: string): NamespaceNode {
    let ns = this.namespaces.get(name);
    if (!ns) this.namespaces.set(name, (ns = new NamespaceNode(name)));
    return ns;
  }

  private serviceNode(ns: NamespaceNode, name: string): ServiceNode {
    let node = ns.nodes.get(name);
    if (!node) ns.nodes.set(name, (node = new ServiceNode(ns.name, name)));
    return node;
  }

  private unlinkSlice(slice: DnsEndpointSlice): void {
    if (!slice.service) return;
    const ns = this.namespaces.get(slice.namespace);
    const node = ns?.nodes.get(slice.service);
    if (!ns || !node) return;
    for (const a of slice.addresses) this.byEndpointIP.remove(a, node);
    node.slices.delete(slice.name);
    this.prune(ns, node);
  }

  /** Drops a Service's node once it has neither Service nor slices, and a namespace left with nothing. */
  private prune(ns: NamespaceNode, node: ServiceNode): void {
    if (node.svc || node.slices.size > 0) return;
    ns.nodes.delete(node.name);
    if (ns.nodes.size === 0 && !ns.declared) this.namespaces.delete(node.namespace);
  }

  /** A namespace exists once its Namespace object or one of its Services was seen (CoreDNS namespaceExposed). */
  private namespaceExists(name: string): boolean {
    const ns = this.namespaces.get(name);
    return !!ns && (ns.declared || ns.services > 0);
  }

  // ---- answers ----

  /** `chain`: the names of the CNAME chain followed so far (undefined before the first). */
  private answer(q: Question, rel: string, chain: Set<string> | undefined): Answer {
    const zone = q.name.slice(q.name.length - this.domain.length);
    if (q.type === AXFR || q.type === IXFR) return { rcode: Rcode.REFUSED, authoritative: false, answer: [], authority: [], additional: [] };
    if (rel === '') return this.apex(q, zone);
    const found = this.find(rel.split('.'));
    switch (found.kind) {
      case 'nxdomain':
        return this.negative(Rcode.NXDOMAIN, zone);
      case 'empty':
        return this.negative(Rcode.NOERROR, zone);
      case 'txt':
        if (q.type !== RRType.TXT) return this.negative(Rcode.NOERROR, zone);
        return this.positive([{ name: q.name, type: RRType.TXT, ttl: SCHEMA_TTL, data: found.text }]);
      case 'addresses':
        return this.records(this.addressRecords(q, found.addresses), [], zone);
      case 'cname':
        return this.cname(q, found.target, zone, chain);
      case 'entries': {
        if (q.type === RRType.SRV) {
          const { answer, additional } = this.srvRecords(q, found.node, found.entries, zone);
          return this.records(answer, additional, zone);
        }
        if (found.srvOnly) return this.negative(Rcode.NOERROR, zone);
        return this.records(this.addressRecords(q, found.entries.map((e) => e.host)), [], zone);
      }
    }
  }

  private find(labels: string[]): Found {
    const n = labels.length;
    switch (labels[n - 1]) {
      case 'dns-version':
        return n === 1 ? { kind: 'txt', text: [SCHEMA_VERSION] } : NXDOMAIN;
      case 'dns':
        // ns.dns.<zone> is the SOA's MNAME (CoreDNS answers its A from ns.go): it and dns.<zone> exist.
        if (n === 1) return EMPTY;
        return n === 2 && labels[0] === 'ns' ? { kind: 'addresses', addresses: this.nameservers().map((s) => s.ip) } : NXDOMAIN;
      case 'svc':
        return this.findService(labels);
      case 'pod':
        return this.findPod(labels);
      default:
        return NXDOMAIN;
    }
  }

  private findService(labels: string[]): Found {
    const n = labels.length;
    if (n === 1) return EMPTY;
    if (!this.namespaceExists(labels[n - 2]!)) return NXDOMAIN;
    if (n === 2) return EMPTY;
    const node = this.namespaces.get(labels[n - 2]!)?.nodes.get(labels[n - 3]!);
    const svc = node?.svc;
    if (!node || !svc) return NXDOMAIN;
    if (svc.kind === 'ExternalName') {
      // Nothing below an ExternalName (no endpoints, no SRV: CoreDNS findServices skips them).
      return n === 3 && svc.externalName ? { kind: 'cname', target: svc.externalName } : NXDOMAIN;
    }
    if (n === 3) {
      const entries = this.collect(node, {});
      if (entries.length > 0) return { kind: 'entries', node, entries, srvOnly: false };
      // No address of its own, but endpoint names below it: an empty non-terminal.
      return [...node.slices.values()].some((s) => s.addresses.length > 0) ? EMPTY : NXDOMAIN;
    }
    const first = labels[0]!;
    if (n === 4) {
      if (first.startsWith('_')) return this.collect(node, { proto: first.slice(1), named: true }).length > 0 ? EMPTY : NXDOMAIN;
      const entries = this.collect(node, { endpoint: first });
      return entries.length > 0 ? { kind: 'entries', node, entries, srvOnly: false } : NXDOMAIN;
    }
    const second = labels[1]!;
    if (n === 5 && first.length > 1 && first.startsWith('_') && second.length > 1 && second.startsWith('_')) {
      const entries = this.collect(node, { port: first.slice(1), proto: second.slice(1) });
      return entries.length > 0 ? { kind: 'entries', node, entries, srvOnly: true } : NXDOMAIN;
    }
    return NXDOMAIN;
  }

  private findPod(labels: string[]): Found {
    const n = labels.length;
    if (n === 1) return EMPTY;
    if (this.podMode === 'disabled' || !this.namespaceExists(labels[n - 2]!)) return NXDOMAIN;
    if (n === 2) return EMPTY;
    if (n > 3) return NXDOMAIN;
    const ip = podLabelAddress(labels[0]!);
    if (!ip) return NXDOMAIN;
    if (this.podMode === 'verified' && !this.byPodIP.get(ip).some((key) => key.startsWith(`${labels[1]}/`))) return NXDOMAIN;
    return { kind: 'addresses', addresses: [ip] };
  }

  /**
   * The (address, port) pairs a Service name selects (CoreDNS findServices): a headless Service,
   * or any Service asked for one endpoint, by its ready endpoints x their slice's ports; otherwise
   * by its cluster IPs x its ports.
   */
  private collect(node: ServiceNode, f: Filter): Entry[] {
    const svc = node.svc;
    const out: Entry[] = [];
    if (!svc || svc.kind === 'ExternalName') return out;
    if (svc.kind === 'ClusterIP' && f.endpoint === undefined) {
      for (const p of this.ports(svc.ports, f)) for (const ip of svc.clusterIPs) out.push({ host: ip, port: p.port, endpoint: false, hostname: undefined });
      return out;
    }
    const label = f.endpoint;
    const dotted = label?.replaceAll('-', '.');
    for (const s of node.slices.values()) {
      if (s.addresses.length === 0) continue;
      const ports = this.ports(s.ports, f);
      if (ports.length === 0) continue;
      for (let i = 0; i < s.addresses.length; i++) {
        const host = s.addresses[i]!;
        const hostname = s.hostnames?.[i];
        if (label !== undefined) {
          const hit = hostname !== undefined ? hostname === label : isIPv6Address(host) ? endpointLabel(host, undefined) === label : host === dotted;
          if (!hit) continue;
        }
        for (const p of ports) out.push({ host, port: p.port, endpoint: true, hostname });
      }
    }
    return out;
  }

  private ports(ports: readonly DnsPort[], f: Filter): readonly DnsPort[] {
    const all = ports.length > 0 ? ports : NO_PORTS;
    if (f.port === undefined && f.proto === undefined && !f.named) return all;
    return all.filter((p) => (f.port === undefined || p.name === f.port) && (f.proto === undefined || p.protocol === f.proto) && (!f.named || p.name !== ''));
  }

  /** A or AAAA records (by the question's type) for the addresses, duplicates once; none for other types. */
  private addressRecords(q: Question, addresses: readonly string[]): RR[] {
    if (q.type !== RRType.A && q.type !== RRType.AAAA) return [];
    const v6 = q.type === RRType.AAAA;
    // Duplicates (an address in two slices) are rare: a Set only for long lists.
    const seen = addresses.length > 8 ? new Set<string>() : undefined;
    const out: RR[] = [];
    for (const a of addresses) {
      if (isIPv6Address(a) !== v6) continue;
      if (seen ? seen.has(a) : out.some((r) => r.data === a)) continue;
      seen?.add(a);
      out.push(v6 ? { name: q.name, type: RRType.AAAA, ttl: this.ttl, data: a } : { name: q.name, type: RRType.A, ttl: this.ttl, data: a });
    }
    return out;
  }

  /**
   * SRV records (CoreDNS plugin.SRV): priority 0, weight 100/n for the n pairs selected, one record
   * per (target, port), the targets' addresses in the additional section.
   */
  private srvRecords(q: Question, node: ServiceNode, entries: readonly Entry[], zone: string): { answer: RR[]; additional: RR[] } {
    const weight = Math.max(1, Math.floor((100 / (100 * entries.length)) * 100));
    const answer: RR[] = [];
    const additional: RR[] = [];
    const seen = new Set<string>();
    const base = `${node.name}.${node.namespace}.svc.${zone}`;
    for (const e of entries) {
      if (e.port === -1) continue;
      const target = e.endpoint ? `${endpointLabel(e.host, e.hostname)}.${base}` : base;
      const srv = `${target} ${e.port}`;
      if (!seen.has(srv)) {
        seen.add(srv);
        answer.push({ name: q.name, type: RRType.SRV, ttl: this.ttl, data: { priority: 0, weight, port: e.port, target } });
      }
      const glue = `${target} @${e.host}`;
      if (!seen.has(glue)) {
        seen.add(glue);
        additional.push(this.address(target, e.host));
      }
    }
    return { answer, additional };
  }

  private address(name: string, ip: string): RR {
    return isIPv6Address(ip) ? { name, type: RRType.AAAA, ttl: this.ttl, data: ip } : { name, type: RRType.A, ttl: this.ttl, data: ip };
  }

  /**
   * An ExternalName: the CNAME itself when asked CNAME; for A/AAAA the CNAME and, for a target in
   * the cluster zone, that name's answer (RFC 1034 4.3.2), else `chase` for the server to resolve
   * upstream; other types have no data here (CoreDNS answers them NODATA).
   */
  private cname(q: Question, target: string, zone: string, chain = new Set([q.name.toLowerCase()])): Answer {
    const rr: RR = { name: q.name, type: RRType.CNAME, ttl: this.ttl, data: target };
    if (q.type === RRType.CNAME) return this.positive([rr]);
    if (q.type !== RRType.A && q.type !== RRType.AAAA) return this.negative(Rcode.NOERROR, zone);
    const lower = target.toLowerCase();
    const rel = relativeName(lower, this.domain);
    if (rel === undefined) return { ...this.positive([rr]), chase: { name: target, type: q.type } };
    if (chain.has(lower) || chain.size > MAX_CNAME_CHAIN) return { rcode: Rcode.SERVFAIL, authoritative: true, answer: [rr], authority: [], additional: [] };
    chain.add(lower);
    const next = this.answer({ name: target, type: q.type, class: q.class }, rel, chain);
    return { ...next, answer: [rr, ...next.answer] };
  }

  private apex(q: Question, zone: string): Answer {
    if (q.type === RRType.SOA) return this.positive([this.soa(zone)]);
    if (q.type !== RRType.NS) return this.negative(Rcode.NOERROR, zone);
    const servers = this.nameservers();
    const names = servers.length > 0 ? [...new Set(servers.map((s) => s.name))] : ['ns.dns'];
    return this.positive(
      names.map((n) => ({ name: q.name, type: RRType.NS, ttl: this.ttl, data: `${n}.${zone}` })),
      servers.map((s) => this.address(`${s.name}.${zone}`, s.ip)),
    );
  }

  /**
   * The zone's name servers as (name below the zone, address) (CoreDNS ns.go nsAddrs): the Services
   * whose ready endpoint is this server's address (their cluster IPs; a headless one's endpoints),
   * else `ns.dns` with that address.
   */
  private nameservers(): { name: string; ip: string }[] {
    const ip = this.dnsServiceIP;
    if (!ip) return [];
    const out: { name: string; ip: string }[] = [];
    const seen = new Set<string>();
    const add = (name: string, addr: string): void => {
      if (seen.has(`${name} ${addr}`)) return;
      seen.add(`${name} ${addr}`);
      out.push({ name, ip: addr });
    };
    for (const node of this.byEndpointIP.get(ip)) {
      const svc = node.svc;
      const name = `${node.name}.${node.namespace}.svc`;
      if (svc?.kind === 'ClusterIP') for (const cip of svc.clusterIPs) add(name, cip);
      if (svc?.kind !== 'Headless') continue;
      for (const s of node.slices.values()) {
        if (!s.addresses.includes(ip)) continue;
        s.addresses.forEach((a, i) => add(`${endpointLabel(a, s.hostnames?.[i])}.${name}`, a));
      }
    }
    if (out.length === 0) out.push({ name: 'ns.dns', ip });
    return out;
  }

  /** PTR for a cluster IP (its Service) or a ready endpoint address (each endpoint name): spec 2.3.3, 2.4.3. */
  private reverse(q: Question, lname: string): Answer | undefined {
    if (q.type !== RRType.PTR) return undefined;
    const rel = relativeName(lname, 'in-addr.arpa');
    const ip = rel ? reverseIPv4(rel) : undefined;
    if (!ip) return undefined;
    const targets = this.pointers(ip);
    if (targets.length === 0) return undefined;
    return this.positive(targets.map((t) => ({ name: q.name, type: RRType.PTR, ttl: this.ttl, data: t })));
  }

  private pointers(ip: string): string[] {
    for (const node of this.byClusterIP.get(ip)) if (node.svc) return [`${node.name}.${node.namespace}.svc.${this.domain}`];
    const out: string[] = [];
    for (const node of this.byEndpointIP.get(ip)) {
      if (!node.svc || node.svc.kind === 'ExternalName') continue;
      for (const s of node.slices.values()) {
        for (let i = s.addresses.indexOf(ip); i >= 0; i = s.addresses.indexOf(ip, i + 1)) {
          const target = `${endpointLabel(ip, s.hostnames?.[i])}.${node.name}.${node.namespace}.svc.${this.domain}`;
          if (!out.includes(target)) out.push(target);
        }
      }
    }
    return out;
  }

  private soa(zone: string): RR {
    return {
      name: zone,
      type: RRType.SOA,
      ttl: Math.min(this.ttl, 300),
      data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: this.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl },
    };
  }

  private positive(answer: RR[], additional: RR[] = []): Answer {
    return { rcode: Rcode.NOERROR, authoritative: true, answer, authority: [], additional };
  }

  /** NXDOMAIN, or NODATA (NOERROR, nothing in the answer) for a name that exists: the SOA says for how long (RFC 2308). */
  private negative(rcode: number, zone: string): Answer {
    return { rcode, authoritative: true, answer: [], authority: [this.soa(zone)], additional: [] };
  }

  private records(answer: RR[], additional: RR[], zone: string): Answer {
    return answer.length > 0 ? this.positive(answer, additional) : this.negative(Rcode.NOERROR, zone);
  }
}
