// The cluster zone: the Kubernetes DNS-Based Service Discovery specification (schema 1.1.0) as
// CoreDNS's kubernetes plugin serves it with Kubernetes' default Corefile
// (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`).
// Fed lean projections of Namespaces, Services, EndpointSlices and Pods (objects.ts), it keeps
// indexes keyed by lowercase names and addresses, built on update, so a question costs a few map
// lookups plus the records of the one Service it names.
//
// Where the specification is silent, the answers are CoreDNS's, NXDOMAIN and NODATA included, even
// where RFC 8020 would say otherwise (the empty non-terminal `_tcp.<svc>` is NXDOMAIN, as CoreDNS
// parses it as an endpoint name). The tree it answers (below <zone>; the SOA in the authority of
// every negative answer):
//   (apex)                              SOA, NS (+ glue); TXT NXDOMAIN, others NODATA
//   dns-version                         TXT "1.1.0" only; other types NXDOMAIN          spec 2.2
//   ns.dns                              A/AAAA: the DNS service's addresses            CoreDNS ns.go
//   svc, <ns>.svc, pod, <ns>.pod        no records (NODATA; <ns> must exist); TXT NXDOMAIN
//   <svc>.<ns>.svc                      A/AAAA cluster IPs, or ready endpoints (headless),
//                                       or CNAME (ExternalName); SRV per port       spec 2.3-2.5
//   <port>.<proto>.<svc>.<ns>.svc       as <svc> for the matching ports (one leading `_` off each;
//                                       `_` alone matches any): SRV, and A/AAAA too
//   <endpoint>.<svc>.<ns>.svc           A/AAAA of the endpoint; SRV per port          spec 2.4.1
//   [x.[y.]]<a-b-c-d>.<ns>.pod          the pod's A/AAAA per `pods` mode; SRV port 0  CoreDNS findPods
// SOA at any name but the apex is NODATA. In in-addr.arpa and ip6.arpa: PTR for cluster IPs and
// ready endpoint addresses (spec 2.3.3, 2.4.3), the apex's SOA and NS, NODATA at `svc` and `pod`;
// every other name there is not ours (undefined: the server forwards it, as `fallthrough`).
import type { EndpointSlice, Namespace, Pod, Service } from '../api/core.js';
import { endpointLabel, isIPv6Address, podLabelAddress, relativeName, reverseIPv4, reverseIPv6, stripUnderscore } from './names.js';
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
   * whose ready endpoint it is, as CoreDNS does with its own address; `ns.dns.<zone>` when no
   * EndpointSlice lists it. Without one the zone has no NS records (CoreDNS with no address).
   */
  dnsServiceIP?: string;
  /** Milliseconds clock for the SOA serial (the time of the last change, as CoreDNS). Default Date.now. */
  now?: () => number;
}

/** Schema version of the specification (2.2) and the TTL CoreDNS gives its record. */
const SCHEMA_VERSION = '1.1.0';
const SCHEMA_TTL = 28800;
/** CoreDNS plugin/backend_lookup.go maxCnameChainLength: a CNAME after this many is dropped. */
const MAX_CNAME_CHAIN = 10;
const IXFR = 251;
const AXFR = 252;
/** The reverse zones of Kubernetes' Corefile. */
const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'] as const;
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

/** One (address, port) a name stands for: CoreDNS's msg.Service of findServices/findPods. */
interface Entry {
  host: string;
  /** -1: no port (no SRV); 0 for a pod. */
  port: number;
  /** From an endpoint (SRV targets the endpoint's name), not a cluster IP (targets the Service's). */
  endpoint: boolean;
  hostname: string | undefined;
}

/** Which ports and endpoints a name selects (CoreDNS recordRequest); undefined matches any. */
interface Filter {
  readonly endpoint?: string;
  readonly port?: string;
  readonly proto?: string;
}

const NO_FILTER: Filter = {};

/** What a name is in the tree (what CoreDNS's Records() returns for it). */
type Found =
  /** A name error. */
  | { kind: 'nxdomain' }
  /** No services and no error: the apex, svc, pod, <ns>.svc, <ns>.pod. */
  | { kind: 'empty' }
  /** dns-version: a TXT record, a name error for other types. */
  | { kind: 'version' }
  /** ns.dns: the name servers' addresses. */
  | { kind: 'nameserver' }
  | { kind: 'cname'; target: string }
  /** Services or pods; `base` (a Service's node, or a name below the zone) makes the SRV target, an endpoint's label before it. */
  | { kind: 'entries'; entries: Entry[]; base: ServiceNode | string };

const NXDOMAIN: Found = { kind: 'nxdomain' };
const EMPTY: Found = { kind: 'empty' };
const VERSION: Found = { kind: 'version' };
const NAMESERVER: Found = { kind: 'nameserver' };

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
  /** The cluster domain is above a reverse zone (`arpa`, say): that zone's names are the reverse zone's, the longer match. */
  private readonly reverseFirst: boolean;
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
  private readonly changeListeners: ((generation: number) => void)[] = [];
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
    this.reverseFirst = REVERSE_ZONES.some((z) => z.length > this.domain.length && relativeName(z, this.domain) !== undefined);
  }

  // ---- Lookup ----

  ready(): boolean {
    return this.synced;
  }

  generation(): number {
    return this.gen;
  }

  onChange(listener: (generation: number) => void): void {
    this.changeListeners.push(listener);
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
    // CoreDNS takes the longest of its zones that matches; the zone keeps the question's case.
    const rel = relativeName(lname, this.domain);
    if (rel !== undefined && !this.reverseFirst) return this.answer(q, rel, q.name.slice(q.name.length - this.domain.length));
    if (lname.charCodeAt(lname.length - 1) === 97 /* a */ && lname.endsWith('.arpa')) {
      for (const z of REVERSE_ZONES) {
        const r = relativeName(lname, z);
        if (r !== undefined) return this.reverse(q, r, q.name.slice(q.name.length - z.length), z === 'ip6.arpa');
      }
    }
    return rel === undefined ? undefined : this.answer(q, rel, q.name.slice(q.name.length - this.domain.length));
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

  /** CoreDNS's service_kind label of a Service's DNS programming latency; undefined when unknown. */
  serviceKind(namespace: string, name: string): 'cluster_ip' | 'headless_with_selector' | 'headless_without_selector' | undefined {
    const svc = this.namespaces.get(namespace)?.nodes.get(name)?.svc;
    if (!svc) return undefined;
    if (svc.kind !== 'Headless') return 'cluster_ip';
    return svc.selector ? 'headless_with_selector' : 'headless_without_selector';
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
    for (const l of this.changeListeners) l(this.gen);
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

  /**
   * A namespace exists once its Namespace object or one of its Services was seen. CoreDNS's
   * namespaceExposed (namespace.go) looks at Namespace objects only; the two differ only while the
   * informers are out of step, as the API admits no Service in a namespace that does not exist.
   */
  private namespaceExists(name: string): boolean {
    const ns = this.namespaces.get(name);
    return !!ns && (ns.declared || ns.services > 0);
  }

  // ---- answers ----
  //
  // What follows mirrors CoreDNS's kubernetes plugin (handler.go ServeDNS, kubernetes.go Services/
  // Records/findServices/findPods, reverse.go, ns.go) and plugin/backend_lookup.go, whose answers
  // come from the services a name "has": a name error (errNoItems/errInvalidRequest/errNsNotExposed)
  // is NXDOMAIN, anything else with no record of the asked type is NODATA.

  private answer(q: Question, rel: string, zone: string): Answer {
    const t = q.type;
    // handler.go: transfers are refused; SOA is answered at the apex only, NODATA at any other name.
    if (t === AXFR || t === IXFR) return { rcode: Rcode.REFUSED, authoritative: false, answer: [], authority: [], additional: [] };
    if (rel === '') return this.apex(q, zone);
    if (t === RRType.SOA) return this.negative(Rcode.NOERROR, zone);
    const found = this.find(rel.split('.'));
    switch (found.kind) {
      case 'nxdomain':
        return this.negative(Rcode.NXDOMAIN, zone);
      case 'empty':
        // Records() returns no service and no error: every type NODATA, but TXT, which is NXDOMAIN
        // unless the name has a service (Services, TXT case).
        return this.negative(t === RRType.TXT ? Rcode.NXDOMAIN : Rcode.NOERROR, zone);
      case 'version':
        // Services, TXT case: only TXT is looked at; any other type parses as an invalid name.
        return t === RRType.TXT ? this.positive([this.versionRecord(q)]) : this.negative(Rcode.NXDOMAIN, zone);
      case 'nameserver':
        // isDefaultNS: ns.dns.<zone> has the name servers' A/AAAA; TXT and PTR go through Records,
        // where "ns.dns" is an invalid name.
        if (t === RRType.TXT || t === RRType.PTR) return this.negative(Rcode.NXDOMAIN, zone);
        return this.records(this.addressRecords(q, this.nameserverIPs()), [], zone);
      case 'cname': {
        if (t === RRType.CNAME) return this.positive([this.cnameRecord(q.name, found.target)]);
        if (t !== RRType.A && t !== RRType.AAAA) return this.negative(Rcode.NOERROR, zone);
        const { answer, chase } = this.follow(q, found.target, []);
        if (answer.length === 0) return this.negative(Rcode.NOERROR, zone);
        return chase ? { ...this.positive(answer), chase } : this.positive(answer);
      }
      case 'entries':
        if (t === RRType.SRV) {
          const { answer, additional } = this.srvRecords(q, found, zone);
          return this.records(answer, additional, zone);
        }
        return this.records(this.addressRecords(q, hosts(found.entries)), [], zone);
    }
  }

  private find(labels: string[]): Found {
    const n = labels.length;
    switch (labels[n - 1]) {
      case 'dns-version':
        return n === 1 ? VERSION : NXDOMAIN;
      case 'dns':
        // ns.dns.<zone> is the SOA's MNAME (ns.go isDefaultNS); dns.<zone> itself is an invalid name.
        return n === 2 && labels[0] === 'ns' ? NAMESERVER : NXDOMAIN;
      case 'svc':
        return this.findService(labels);
      case 'pod':
        return this.findPod(labels);
      default:
        return NXDOMAIN;
    }
  }

  /**
   * parse.go parseRequest + kubernetes.go findServices: `svc`, `<ns>.svc` exist with no records;
   * below a Service, one more label is an endpoint, two are `<port>.<protocol>` with one leading
   * underscore each taken off (`_` alone matches any), more is a name error.
   */
  private findService(labels: string[]): Found {
    const n = labels.length;
    if (n === 1) return EMPTY;
    if (n > 5 || !this.namespaceExists(labels[n - 2]!)) return NXDOMAIN;
    if (n === 2) return EMPTY;
    const node = this.namespaces.get(labels[n - 2]!)?.nodes.get(labels[n - 3]!);
    const svc = node?.svc;
    if (!node || !svc) return NXDOMAIN;
    let f: Filter = NO_FILTER;
    if (n === 4) f = { endpoint: labels[0] };
    else if (n === 5) {
      const port = stripUnderscore(labels[0]!);
      const proto = stripUnderscore(labels[1]!);
      if (port !== '' || proto !== '') f = { port: port === '' ? undefined : port, proto: proto === '' ? undefined : proto };
    }
    if (svc.kind === 'ExternalName') {
      // No endpoints, ports or protocols below an ExternalName; its target must be a name.
      return f === NO_FILTER && svc.externalName ? { kind: 'cname', target: svc.externalName } : NXDOMAIN;
    }
    if (svc.kind === 'ClusterIP' && f.endpoint === undefined) {
      // The Service's ports x its cluster IPs; the name exists once a port matches.
      const ports = this.ports(svc.ports, f);
      if (ports.length === 0) return NXDOMAIN;
      const entries: Entry[] = [];
      for (const p of ports) for (const ip of svc.clusterIPs) entries.push({ host: ip, port: p.port, endpoint: false, hostname: undefined });
      return { kind: 'entries', entries, base: node };
    }
    // Headless, or one endpoint of any Service: ready endpoints x their slice's ports.
    const entries = this.collect(node, f);
    return entries.length > 0 ? { kind: 'entries', entries, base: node } : NXDOMAIN;
  }

  /**
   * kubernetes.go findPods: `pod`, `<ns>.pod` exist with no records; `<a-b-c-d>.<ns>.pod` answers
   * the address (`insecure`) or the pods with it in that namespace (`verified`). Labels left of the
   * address (up to two, parse.go's endpoint or port/protocol) are ignored.
   */
  private findPod(labels: string[]): Found {
    const n = labels.length;
    if (n === 1) return EMPTY;
    const ns = labels[n - 2]!;
    if (n > 5 || !this.namespaceExists(ns) || this.podMode === 'disabled') return NXDOMAIN;
    if (n === 2) return EMPTY;
    const label = labels[n - 3]!;
    const ip = podLabelAddress(label);
    if (!ip) return NXDOMAIN;
    const entry: Entry = { host: ip, port: 0, endpoint: false, hostname: undefined };
    let entries = [entry];
    if (this.podMode === 'verified') {
      // One service per pod with that address there (hostNetwork pods share one): SRV weights count them.
      entries = [];
      for (const key of this.byPodIP.get(ip)) if (key.startsWith(`${ns}/`)) entries.push(entry);
      if (entries.length === 0) return NXDOMAIN;
    }
    return { kind: 'entries', entries, base: `${label}.${ns}.pod` };
  }

  /** Ready endpoints (all, or the one named `f.endpoint`) x their slice's ports matching `f`. */
  private collect(node: ServiceNode, f: Filter): Entry[] {
    const out: Entry[] = [];
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

  /** kubernetes.go matchPortAndProtocol: a port or protocol left out matches any; no ports is the port -1 sentinel. */
  private ports(ports: readonly DnsPort[], f: Filter): readonly DnsPort[] {
    const all = ports.length > 0 ? ports : NO_PORTS;
    if (f.port === undefined && f.proto === undefined) return all;
    return all.filter((p) => (f.port === undefined || p.name === f.port) && (f.proto === undefined || p.protocol === f.proto));
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
   * SRV records (backend_lookup.go SRV): priority 0, weight 100/n for the n (address, port) pairs
   * selected, one record per (target, port) with a port (-1 is none; a pod's is 0), the targets'
   * addresses in the additional section.
   */
  private srvRecords(q: Question, found: Extract<Found, { kind: 'entries' }>, zone: string): { answer: RR[]; additional: RR[] } {
    const { entries } = found;
    const weight = Math.max(1, Math.floor((100 / (100 * entries.length)) * 100));
    const answer: RR[] = [];
    const additional: RR[] = [];
    const seen = new Set<string>();
    const base = typeof found.base === 'string' ? `${found.base}.${zone}` : `${found.base.name}.${found.base.namespace}.svc.${zone}`;
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

  private cnameRecord(name: string, target: string): RR {
    return { name, type: RRType.CNAME, ttl: this.ttl, data: target };
  }

  private versionRecord(q: Question): RR {
    return { name: q.name, type: RRType.TXT, ttl: SCHEMA_TTL, data: [SCHEMA_VERSION] };
  }

  /**
   * An ExternalName asked A/AAAA (backend_lookup.go A/AAAA, CNAME case): the CNAME, then for a
   * target in the cluster zone that name's records, the CNAME dropped when it has none (a missing
   * target, a loop, a chain past maxCnameChainLength: NODATA); for a target outside, `chase` for the
   * server to resolve upstream. `prev`: the targets of the CNAMEs before this one.
   */
  private follow(q: Question, target: string, prev: readonly string[]): { answer: RR[]; chase?: { name: string; type: number } } {
    const lname = q.name.toLowerCase();
    const lower = target.toLowerCase();
    // "x CNAME x" or a target below x, a chain too long, a target seen before: dropped.
    if (lower === lname || lower.endsWith(`.${lname}`) || prev.length > MAX_CNAME_CHAIN || prev.includes(lower)) return { answer: [] };
    const rr = this.cnameRecord(q.name, target);
    const rel = relativeName(lower, this.domain);
    if (rel === undefined) return { answer: [rr], chase: { name: target, type: q.type } };
    const next = this.addressLookup({ name: target, type: q.type, class: q.class }, rel, [...prev, lower]);
    if (!next || next.answer.length === 0) return { answer: [] };
    return { answer: [rr, ...next.answer], chase: next.chase };
  }

  /** backend_lookup.go A/AAAA for a name in the cluster zone: its records, undefined for a name error. */
  private addressLookup(q: Question, rel: string, prev: readonly string[]): { answer: RR[]; chase?: { name: string; type: number } } | undefined {
    // checkForApex: the apex has no address records.
    if (rel === '') return { answer: [] };
    const found = this.find(rel.split('.'));
    switch (found.kind) {
      case 'nxdomain':
      case 'version':
        return undefined;
      case 'empty':
        return { answer: [] };
      case 'nameserver':
        return { answer: this.addressRecords(q, this.nameserverIPs()) };
      case 'entries':
        return { answer: this.addressRecords(q, hosts(found.entries)) };
      case 'cname':
        return this.follow(q, found.target, prev);
    }
  }

  /** The apex of a zone (handler.go): SOA, NS; TXT NXDOMAIN (Services, TXT case); other types NODATA. */
  private apex(q: Question, zone: string): Answer {
    switch (q.type) {
      case RRType.SOA:
        return this.positive([this.soa(zone)]);
      case RRType.NS: {
        // backend_lookup.go NS: one NS per name server name, each name's addresses as glue.
        const servers = this.nameservers();
        const names = [...new Set(servers.map((s) => s.name))];
        const answer: RR[] = names.map((n) => ({ name: q.name, type: RRType.NS, ttl: this.ttl, data: `${n}.${zone}` }));
        return this.records(answer, servers.map((s) => this.address(`${s.name}.${zone}`, s.ip)), zone);
      }
      case RRType.TXT:
        return this.negative(Rcode.NXDOMAIN, zone);
      default:
        return this.negative(Rcode.NOERROR, zone);
    }
  }

  /**
   * The zone's name servers as (name below the zone, address) (CoreDNS ns.go nsAddrs): the Services
   * of the EndpointSlices listing this server's address (their cluster IPs; a headless one's
   * endpoints), else `ns.dns` with that address; none without an address.
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
    const nodes = this.byEndpointIP.get(ip);
    for (const node of nodes) {
      const svc = node.svc;
      const name = `${node.name}.${node.namespace}.svc`;
      if (svc?.kind === 'ClusterIP') for (const cip of svc.clusterIPs) add(name, cip);
      if (svc?.kind !== 'Headless') continue;
      for (const s of node.slices.values()) {
        if (!s.addresses.includes(ip)) continue;
        s.addresses.forEach((a, i) => add(`${endpointLabel(a, s.hostnames?.[i])}.${name}`, a));
      }
    }
    // nsAddrs falls back to ns.dns only when no EndpointSlice lists the address (one whose Service
    // is not seen yet gives no name server at all).
    if (nodes.length === 0) out.push({ name: 'ns.dns', ip });
    return out;
  }

  private nameserverIPs(): string[] {
    return this.nameservers().map((s) => s.ip);
  }

  /**
   * A question in in-addr.arpa or ip6.arpa (Kubernetes' Corefile serves both, with `fallthrough`
   * for them): PTR for a cluster IP or a ready endpoint address (spec 2.3.3, 2.4.3; reverse.go);
   * the apex's SOA and NS; what Records() makes of the few names it parses (`svc`, `pod`, `ns.dns`,
   * `dns-version`); undefined (fall through to upstream) for every other name error.
   */
  private reverse(q: Question, rel: string, zone: string, v6: boolean): Answer | undefined {
    const t = q.type;
    if (t === AXFR || t === IXFR) return { rcode: Rcode.REFUSED, authoritative: false, answer: [], authority: [], additional: [] };
    // The apex's TXT is a name error (Services, TXT case), which falls through here.
    if (rel === '') return t === RRType.TXT ? undefined : this.apex(q, zone);
    if (t === RRType.SOA) return this.negative(Rcode.NOERROR, zone);
    if (t === RRType.PTR) {
      const ip = v6 ? reverseIPv6(rel) : reverseIPv4(rel);
      if (ip !== undefined) {
        const targets = this.pointers(ip);
        return targets.length === 0 ? undefined : this.positive(targets.map((p) => ({ name: q.name, type: RRType.PTR, ttl: this.ttl, data: p })));
      }
    }
    switch (rel) {
      case 'svc':
      case 'pod':
        return t === RRType.TXT ? undefined : this.negative(Rcode.NOERROR, zone);
      case 'ns.dns':
        if (t === RRType.TXT || t === RRType.PTR) return undefined;
        return this.records(this.addressRecords(q, this.nameserverIPs()), [], zone);
      case 'dns-version':
        return t === RRType.TXT ? this.positive([this.versionRecord(q)]) : undefined;
      default:
        return undefined;
    }
  }

  /**
   * reverse.go serviceRecordForIP: a Service with that cluster IP, else every EndpointSlice listing
   * it as a ready address (whether or not its Service is seen), one name per endpoint.
   */
  private pointers(ip: string): string[] {
    for (const node of this.byClusterIP.get(ip)) if (node.svc) return [`${node.name}.${node.namespace}.svc.${this.domain}`];
    const out: string[] = [];
    for (const node of this.byEndpointIP.get(ip)) {
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

function hosts(entries: readonly Entry[]): string[] {
  return entries.map((e) => e.host);
}
