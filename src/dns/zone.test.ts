// The cluster zone as a table of question -> answer, in the style of CoreDNS's
// plugin/kubernetes/handler_test.go: the fixture is CoreDNS's (svc1, svcempty, svc6, hdls1 with its
// dup-name endpoints, hdlsprtls, external, external-to-service, svc-dual-stack), as EndpointSlices,
// plus cases of our own. Expectations come from the specification (kubernetes/dns
// docs/specification.md) and, where it is silent, from CoreDNS (master: plugin/kubernetes,
// plugin/backend_lookup.go), NXDOMAIN vs NODATA included; a comment names the CoreDNS source a row
// follows where that is not plain, and `differs` says why a row answers otherwise than CoreDNS.
import { describe, expect, it } from 'vitest';
import type { Endpoint, EndpointSlice, Namespace, Pod, Service, ServicePort } from '../api/core.js';
import { Rcode, RRType, type Answer, type RR } from './types.js';
import { ClusterZone, type ClusterZoneOptions } from './zone.js';

const NOW = 1_700_000_000_123; // the SOA serial is the time of the last change, in seconds
const SERIAL = 1_700_000_000;
const SOA = `cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${SERIAL} 7200 1800 86400 30`;
const ARPA_SOA = `in-addr.arpa. 30 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. ${SERIAL} 7200 1800 86400 30`;

// ---- fixture builders ----

function ns(name: string): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as Namespace;
}

type SvcSpec = { ip?: string; ips?: string[]; ports?: ServicePort[]; type?: Service['spec']['type']; externalName?: string };
function svc(namespace: string, name: string, spec: SvcSpec): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name },
    spec: { type: spec.type ?? 'ClusterIP', clusterIP: spec.ip ?? spec.ips?.[0], clusterIPs: spec.ips ?? (spec.ip !== undefined ? [spec.ip] : undefined), ports: spec.ports, externalName: spec.externalName },
  };
}

const HTTP: ServicePort = { name: 'http', protocol: 'TCP', port: 80 };

type Ep = { ip: string; hostname?: string; ready?: boolean | null };
function slice(namespace: string, service: string, name: string, eps: Ep[], ports: { name?: string; protocol?: 'TCP' | 'UDP'; port: number }[] = [{ name: 'http', protocol: 'TCP', port: 80 }], addressType: EndpointSlice['addressType'] = 'IPv4'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    ports,
    endpoints: eps.map((e) => {
      const ep: Endpoint = { addresses: [e.ip] };
      if (e.ready !== null) ep.conditions = { ready: e.ready ?? true };
      if (e.hostname) ep.hostname = e.hostname;
      return ep;
    }),
  };
}

function pod(namespace: string, name: string, ip: string): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name }, spec: { containers: [] }, status: { podIP: ip } } as Pod;
}

function fixture(opts: ClusterZoneOptions = {}): ClusterZone {
  const z = new ClusterZone({ domain: 'cluster.local', ttl: 30, podMode: 'insecure', dnsServiceIP: '10.0.0.10', now: () => NOW, ...opts });
  for (const n of ['testns', 'kube-system', 'podns', 'emptyns']) z.upsertNamespace(ns(n));
  // kube-dns as tinykube publishes it: the server's address is the cluster IP itself (mirrored Endpoints).
  z.upsertService(svc('kube-system', 'kube-dns', { ip: '10.0.0.10', ports: [{ name: 'dns', protocol: 'UDP', port: 53 }, { name: 'dns-tcp', protocol: 'TCP', port: 53 }] }));
  z.upsertEndpointSlice(slice('kube-system', 'kube-dns', 'kube-dns-abcde', [{ ip: '10.0.0.10' }], [{ name: 'dns', protocol: 'UDP', port: 53 }, { name: 'dns-tcp', protocol: 'TCP', port: 53 }]));

  z.upsertService(svc('testns', 'svc1', { ip: '10.0.0.1', ports: [HTTP] }));
  z.upsertEndpointSlice(slice('testns', 'svc1', 'svc1-slice1', [{ ip: '172.0.0.1', hostname: 'ep1a' }, { ip: '172.0.0.99', hostname: 'double-ep' }]));
  z.upsertService(svc('testns', 'svc2', { ip: '10.0.0.2', ports: [HTTP] }));
  z.upsertEndpointSlice(slice('testns', 'svc2', 'svc2-slice1', [{ ip: '172.0.0.99', hostname: 'double-ep' }]));
  z.upsertService(svc('testns', 'svcempty', { ip: '10.0.0.4', ports: [HTTP] }));
  z.upsertEndpointSlice(slice('testns', 'svcempty', 'svcempty-slice1', []));
  z.upsertService(svc('testns', 'svc6', { ip: '1234:abcd::1', ports: [HTTP] }));
  z.upsertService(svc('testns', 'svc-dual-stack', { ips: ['10.0.0.3', '10::3'], ports: [HTTP] }));
  z.upsertService(svc('testns', 'multi', { ip: '10.0.0.5', ports: [HTTP, { name: 'dns', protocol: 'UDP', port: 53 }] }));
  z.upsertService(svc('testns', 'lb', { ip: '10.0.0.6', ports: [HTTP], type: 'LoadBalancer' }));
  z.upsertService(svc('testns', 'noip', { ip: '', ports: [HTTP] }));

  z.upsertService(svc('testns', 'hdls1', { ip: 'None', ports: [HTTP] }));
  z.upsertEndpointSlice(
    slice('testns', 'hdls1', 'hdls1-v4', [
      { ip: '172.0.0.2' },
      { ip: '172.0.0.3' },
      { ip: '172.0.0.4', hostname: 'dup-name' },
      { ip: '172.0.0.5', hostname: 'dup-name' },
      { ip: '172.0.0.9', ready: false },
    ]),
  );
  z.upsertEndpointSlice(slice('testns', 'hdls1', 'hdls1-v6', [{ ip: '5678:abcd::1' }, { ip: '5678:abcd::2' }], undefined, 'IPv6'));
  z.upsertService(svc('testns', 'hdlsprtls', { ip: 'None' }));
  z.upsertEndpointSlice(slice('testns', 'hdlsprtls', 'hdlsprtls-slice1', [{ ip: '172.0.0.20' }], []));
  z.upsertService(svc('testns', 'hdlsempty', { ip: 'None', ports: [HTTP] }));
  z.upsertEndpointSlice(slice('testns', 'hdlsempty', 'hdlsempty-slice1', [{ ip: '172.0.0.30', ready: false }]));
  // Two slices listing one address (EndpointSlice skew): answered once.
  z.upsertService(svc('testns', 'hdlsmulti', { ip: 'None', ports: [HTTP] }));
  z.upsertEndpointSlice(slice('testns', 'hdlsmulti', 'hdlsmulti-a', [{ ip: '172.0.1.1' }, { ip: '172.0.1.2' }]));
  z.upsertEndpointSlice(slice('testns', 'hdlsmulti', 'hdlsmulti-b', [{ ip: '172.0.1.1' }]));
  z.upsertService(svc('testns', 'hdlsunknown', { ip: 'None', ports: [HTTP] }));
  z.upsertEndpointSlice(slice('testns', 'hdlsunknown', 'hdlsunknown-a', [{ ip: '172.0.2.1', ready: null }]));

  z.upsertService(svc('testns', 'external', { type: 'ExternalName', externalName: 'ext.interwebs.test', ports: [HTTP] }));
  z.upsertService(svc('testns', 'external-to-service', { type: 'ExternalName', externalName: 'svc1.testns.svc.cluster.local.', ports: [HTTP] }));
  z.upsertService(svc('testns', 'ext-ip', { type: 'ExternalName', externalName: '1.2.3.4' }));
  z.upsertService(svc('testns', 'ext-missing', { type: 'ExternalName', externalName: 'nothing.testns.svc.cluster.local' }));
  z.upsertService(svc('testns', 'ext-loop-a', { type: 'ExternalName', externalName: 'ext-loop-b.testns.svc.cluster.local' }));
  z.upsertService(svc('testns', 'ext-loop-b', { type: 'ExternalName', externalName: 'ext-loop-a.testns.svc.cluster.local' }));
  z.upsertService(svc('testns', 'ext-self', { type: 'ExternalName', externalName: 'ext-self.testns.svc.cluster.local' }));
  z.upsertService(svc('testns', 'ext-chain', { type: 'ExternalName', externalName: 'external.testns.svc.cluster.local' }));

  z.upsertPod(pod('podns', 'foo', '10.240.0.1'));
  z.markSynced();
  return z;
}

// ---- presentation format, as CoreDNS's tests write records ----

const TYPE_NAMES = Object.fromEntries(Object.entries(RRType).map(([k, v]) => [v, k])) as Record<number, string>;

function show(rr: RR): string {
  const head = `${rr.name}. ${rr.ttl} IN ${TYPE_NAMES[rr.type]}`;
  switch (rr.type) {
    case RRType.SOA: {
      const d = rr.data;
      return `${head} ${d.mname}. ${d.rname}. ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    }
    case RRType.SRV:
      return `${head} ${rr.data.priority} ${rr.data.weight} ${rr.data.port} ${rr.data.target}.`;
    case RRType.TXT:
      return `${head} ${rr.data.map((s) => JSON.stringify(s)).join(' ')}`;
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      return `${head} ${rr.data}.`;
    default:
      return `${head} ${rr.data}`;
  }
}

interface Row {
  q: string;
  type: keyof typeof RRType | number;
  /** undefined: not ours (forwarded upstream). */
  rcode?: keyof typeof Rcode;
  answer?: string[];
  ns?: string[];
  extra?: string[];
  chase?: { name: string; type: number };
  aa?: boolean;
  /** Why this row answers otherwise than CoreDNS (master) would. */
  differs?: string;
}

function check(zone: ClusterZone, row: Row): void {
  const type = typeof row.type === 'number' ? row.type : RRType[row.type];
  const got = zone.resolve({ name: row.q, type, class: 1 });
  if (row.rcode === undefined) {
    expect(got).toBeUndefined();
    return;
  }
  expect(got).toBeDefined();
  const a = got as Answer;
  // Answer and additional compare as sets (CoreDNS's SortAndCheck); CNAMEs must come first.
  expect({
    rcode: a.rcode,
    aa: a.authoritative,
    answer: a.answer.map(show).sort(),
    ns: a.authority.map(show),
    extra: a.additional.map(show).sort(),
    chase: a.chase,
  }).toEqual({
    rcode: Rcode[row.rcode],
    aa: row.aa ?? true,
    answer: [...(row.answer ?? [])].sort(),
    ns: row.ns ?? [],
    extra: [...(row.extra ?? [])].sort(),
    chase: row.chase,
  });
  const firstNonCname = a.answer.findIndex((r) => r.type !== RRType.CNAME);
  if (firstNonCname >= 0) expect(a.answer.slice(firstNonCname).every((r) => r.type !== RRType.CNAME)).toBe(true);
}

const T = 'testns.svc.cluster.local';
/** The additional section of SRV answers for hdls1: each endpoint name's addresses (handler_test.go). */
const HDLS1_GLUE = [
  `172-0-0-2.hdls1.${T}. 30 IN A 172.0.0.2`,
  `172-0-0-3.hdls1.${T}. 30 IN A 172.0.0.3`,
  `5678-abcd--1.hdls1.${T}. 30 IN AAAA 5678:abcd::1`,
  `5678-abcd--2.hdls1.${T}. 30 IN AAAA 5678:abcd::2`,
  `dup-name.hdls1.${T}. 30 IN A 172.0.0.4`,
  `dup-name.hdls1.${T}. 30 IN A 172.0.0.5`,
];

const rows: Row[] = [
  // spec 2.2: schema version
  { q: 'dns-version.cluster.local', type: 'TXT', rcode: 'NOERROR', answer: ['dns-version.cluster.local. 28800 IN TXT "1.1.0"'] },
  // kubernetes.go Services: only TXT looks for dns-version; other types parse it as an invalid name.
  { q: 'dns-version.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'dns-version.cluster.local', type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  // handler.go ServeDNS: SOA is answered at the apex only; at any other name, existing or not, NODATA.
  { q: 'dns-version.cluster.local', type: 'SOA', rcode: 'NOERROR', ns: [SOA] },
  { q: `svc0.${T}`, type: 'SOA', rcode: 'NOERROR', ns: [SOA] },
  { q: 'foo.bar.cluster.local', type: 'SOA', rcode: 'NOERROR', ns: [SOA] },

  // spec 2.3: a Service with a cluster IP
  { q: `svc1.${T}`, type: 'A', rcode: 'NOERROR', answer: [`svc1.${T}. 30 IN A 10.0.0.1`] },
  { q: `svc1.${T}`, type: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { q: `svc1.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`svc1.${T}. 30 IN SRV 0 100 80 svc1.${T}.`], extra: [`svc1.${T}. 30 IN A 10.0.0.1`] },
  { q: `_http._tcp.svc1.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`_http._tcp.svc1.${T}. 30 IN SRV 0 100 80 svc1.${T}.`], extra: [`svc1.${T}. 30 IN A 10.0.0.1`] },
  { q: `_http._udp.svc1.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `_https._tcp.svc1.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  // parse.go parseRequest: one label left of the Service is an endpoint name, and no endpoint is
  // `_tcp`: NXDOMAIN, though RFC 8020 would have the empty non-terminal above _http._tcp exist.
  { q: `_tcp.svc1.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `_tcp.svc1.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `_udp.svc1.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  // kubernetes.go findServices selects the port's (address, port) pairs for every type: A too
  // (the spec defines SRV there and is silent on other types).
  { q: `_http._tcp.svc1.${T}`, type: 'A', rcode: 'NOERROR', answer: [`_http._tcp.svc1.${T}. 30 IN A 10.0.0.1`] },
  { q: `_http._tcp.svc1.${T}`, type: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { q: `_http._tcp.svc1.${T}`, type: 'TXT', rcode: 'NOERROR', ns: [SOA] },
  { q: `_http._udp.svc1.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `svc1.${T}`, type: 'TXT', rcode: 'NOERROR', ns: [SOA] },
  { q: `svc1.${T}`, type: 'SOA', rcode: 'NOERROR', ns: [SOA] },
  { q: `svc1.${T}`, type: 'NS', rcode: 'NOERROR', ns: [SOA] },
  { q: `svc1.${T}`, type: 'PTR', rcode: 'NOERROR', ns: [SOA] },
  { q: `svc1.${T}`, type: 'CNAME', rcode: 'NOERROR', ns: [SOA] },
  { q: `svc1.${T}`, type: 'ANY', rcode: 'NOERROR', ns: [SOA] },
  { q: `svc1.${T}`, type: 15 /* MX */, rcode: 'NOERROR', ns: [SOA] },
  { q: `svcempty.${T}`, type: 'A', rcode: 'NOERROR', answer: [`svcempty.${T}. 30 IN A 10.0.0.4`] },
  { q: `svcempty.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`svcempty.${T}. 30 IN SRV 0 100 80 svcempty.${T}.`], extra: [`svcempty.${T}. 30 IN A 10.0.0.4`] },
  { q: `svc6.${T}`, type: 'AAAA', rcode: 'NOERROR', answer: [`svc6.${T}. 30 IN AAAA 1234:abcd::1`] },
  { q: `svc6.${T}`, type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: `_http._tcp.svc6.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`_http._tcp.svc6.${T}. 30 IN SRV 0 100 80 svc6.${T}.`], extra: [`svc6.${T}. 30 IN AAAA 1234:abcd::1`] },
  { q: `svc-dual-stack.${T}`, type: 'A', rcode: 'NOERROR', answer: [`svc-dual-stack.${T}. 30 IN A 10.0.0.3`] },
  { q: `svc-dual-stack.${T}`, type: 'AAAA', rcode: 'NOERROR', answer: [`svc-dual-stack.${T}. 30 IN AAAA 10::3`] },
  {
    q: `svc-dual-stack.${T}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [`svc-dual-stack.${T}. 30 IN SRV 0 50 80 svc-dual-stack.${T}.`],
    extra: [`svc-dual-stack.${T}. 30 IN A 10.0.0.3`, `svc-dual-stack.${T}. 30 IN AAAA 10::3`],
  },
  { q: `multi.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`multi.${T}. 30 IN SRV 0 50 80 multi.${T}.`, `multi.${T}. 30 IN SRV 0 50 53 multi.${T}.`], extra: [`multi.${T}. 30 IN A 10.0.0.5`] },
  { q: `_dns._udp.multi.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`_dns._udp.multi.${T}. 30 IN SRV 0 100 53 multi.${T}.`], extra: [`multi.${T}. 30 IN A 10.0.0.5`] },
  { q: `_dns._tcp.multi.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  // parse.go stripUnderscore leaves '' of a lone `_`, and matchPortAndProtocol takes '' as any.
  { q: `_._udp.multi.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`_._udp.multi.${T}. 30 IN SRV 0 100 53 multi.${T}.`], extra: [`multi.${T}. 30 IN A 10.0.0.5`] },
  { q: `_._.multi.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`_._.multi.${T}. 30 IN SRV 0 50 80 multi.${T}.`, `_._.multi.${T}. 30 IN SRV 0 50 53 multi.${T}.`], extra: [`multi.${T}. 30 IN A 10.0.0.5`] },
  { q: `lb.${T}`, type: 'A', rcode: 'NOERROR', answer: [`lb.${T}. 30 IN A 10.0.0.6`] },
  // A ClusterIP Service without a cluster IP cannot be had from the API (it allocates one); its
  // name exists with no address (CoreDNS would make a CNAME to the root of the empty address).
  { q: `noip.${T}`, type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: `svc0.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `svc0.${T}`, type: 'AAAA', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'svc0.svc-nons.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'svc0.svc-nons.svc.cluster.local', type: 'TXT', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `bogusendpoint.svc0.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `a.b.c.svc1.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  // parse.go: two labels left of the Service are port and protocol, underscores or not.
  { q: `http.tcp.svc1.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`http.tcp.svc1.${T}. 30 IN SRV 0 100 80 svc1.${T}.`], extra: [`svc1.${T}. 30 IN A 10.0.0.1`] },
  { q: `http.tcp.svc1.${T}`, type: 'A', rcode: 'NOERROR', answer: [`http.tcp.svc1.${T}. 30 IN A 10.0.0.1`] },

  // Endpoint names of a Service with a cluster IP (CoreDNS: any Service's endpoints have names)
  { q: `ep1a.svc1.${T}`, type: 'A', rcode: 'NOERROR', answer: [`ep1a.svc1.${T}. 30 IN A 172.0.0.1`] },
  { q: `ep1a.svc1.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`ep1a.svc1.${T}. 30 IN SRV 0 100 80 ep1a.svc1.${T}.`], extra: [`ep1a.svc1.${T}. 30 IN A 172.0.0.1`] },
  { q: `172-0-0-1.svc1.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },

  // spec 2.4: headless Services
  { q: `hdls1.${T}`, type: 'A', rcode: 'NOERROR', answer: ['172.0.0.2', '172.0.0.3', '172.0.0.4', '172.0.0.5'].map((ip) => `hdls1.${T}. 30 IN A ${ip}`) },
  { q: `hdls1.${T}`, type: 'AAAA', rcode: 'NOERROR', answer: ['5678:abcd::1', '5678:abcd::2'].map((ip) => `hdls1.${T}. 30 IN AAAA ${ip}`) },
  {
    q: `_http._tcp.hdls1.${T}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: ['172-0-0-2', '172-0-0-3', '5678-abcd--1', '5678-abcd--2', 'dup-name'].map((h) => `_http._tcp.hdls1.${T}. 30 IN SRV 0 16 80 ${h}.hdls1.${T}.`),
    extra: HDLS1_GLUE,
  },
  {
    q: `hdls1.${T}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: ['172-0-0-2', '172-0-0-3', '5678-abcd--1', '5678-abcd--2', 'dup-name'].map((h) => `hdls1.${T}. 30 IN SRV 0 16 80 ${h}.hdls1.${T}.`),
    extra: HDLS1_GLUE,
  },
  { q: `172-0-0-2.hdls1.${T}`, type: 'A', rcode: 'NOERROR', answer: [`172-0-0-2.hdls1.${T}. 30 IN A 172.0.0.2`] },
  { q: `172-0-0-3.hdls1.${T}`, type: 'A', rcode: 'NOERROR', answer: [`172-0-0-3.hdls1.${T}. 30 IN A 172.0.0.3`] },
  { q: `172-0-0-9.hdls1.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `172-0-0-4.hdls1.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `dup-name.hdls1.${T}`, type: 'A', rcode: 'NOERROR', answer: [`dup-name.hdls1.${T}. 30 IN A 172.0.0.4`, `dup-name.hdls1.${T}. 30 IN A 172.0.0.5`] },
  { q: `dup-name.hdls1.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`dup-name.hdls1.${T}. 30 IN SRV 0 50 80 dup-name.hdls1.${T}.`], extra: [`dup-name.hdls1.${T}. 30 IN A 172.0.0.4`, `dup-name.hdls1.${T}. 30 IN A 172.0.0.5`] },
  { q: `5678-abcd--1.hdls1.${T}`, type: 'AAAA', rcode: 'NOERROR', answer: [`5678-abcd--1.hdls1.${T}. 30 IN AAAA 5678:abcd::1`] },
  { q: `5678-abcd--2.hdls1.${T}`, type: 'AAAA', rcode: 'NOERROR', answer: [`5678-abcd--2.hdls1.${T}. 30 IN AAAA 5678:abcd::2`] },
  { q: `5678-abcd--1.hdls1.${T}`, type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: `bogusendpoint.hdls1.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `hdlsprtls.${T}`, type: 'A', rcode: 'NOERROR', answer: [`hdlsprtls.${T}. 30 IN A 172.0.0.20`] },
  { q: `hdlsprtls.${T}`, type: 'SRV', rcode: 'NOERROR', ns: [SOA] },
  { q: `172-0-0-20.hdlsprtls.${T}`, type: 'A', rcode: 'NOERROR', answer: [`172-0-0-20.hdlsprtls.${T}. 30 IN A 172.0.0.20`] },
  { q: `hdlsempty.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `hdlsempty.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `_http._tcp.hdlsempty.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `_http._tcp.hdlsprtls.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `_http._tcp.hdls1.${T}`, type: 'A', rcode: 'NOERROR', answer: ['172.0.0.2', '172.0.0.3', '172.0.0.4', '172.0.0.5'].map((ip) => `_http._tcp.hdls1.${T}. 30 IN A ${ip}`) },
  { q: `hdlsmulti.${T}`, type: 'A', rcode: 'NOERROR', answer: [`hdlsmulti.${T}. 30 IN A 172.0.1.1`, `hdlsmulti.${T}. 30 IN A 172.0.1.2`] },
  {
    q: `_http._tcp.hdlsmulti.${T}`,
    type: 'SRV',
    rcode: 'NOERROR',
    answer: [`_http._tcp.hdlsmulti.${T}. 30 IN SRV 0 33 80 172-0-1-1.hdlsmulti.${T}.`, `_http._tcp.hdlsmulti.${T}. 30 IN SRV 0 33 80 172-0-1-2.hdlsmulti.${T}.`],
    extra: [`172-0-1-1.hdlsmulti.${T}. 30 IN A 172.0.1.1`, `172-0-1-2.hdlsmulti.${T}. 30 IN A 172.0.1.2`],
  },
  { q: `hdlsunknown.${T}`, type: 'A', rcode: 'NOERROR', answer: [`hdlsunknown.${T}. 30 IN A 172.0.2.1`] },

  // spec 2.5: ExternalName
  { q: `external.${T}`, type: 'CNAME', rcode: 'NOERROR', answer: [`external.${T}. 30 IN CNAME ext.interwebs.test.`] },
  { q: `external.${T}`, type: 'A', rcode: 'NOERROR', answer: [`external.${T}. 30 IN CNAME ext.interwebs.test.`], chase: { name: 'ext.interwebs.test', type: RRType.A } },
  { q: `external.${T}`, type: 'AAAA', rcode: 'NOERROR', answer: [`external.${T}. 30 IN CNAME ext.interwebs.test.`], chase: { name: 'ext.interwebs.test', type: RRType.AAAA } },
  { q: `external.${T}`, type: 'SRV', rcode: 'NOERROR', ns: [SOA] },
  { q: `external.${T}`, type: 'TXT', rcode: 'NOERROR', ns: [SOA] },
  { q: `_http._tcp.external.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  // findServices skips an ExternalName only when the port or protocol is non-empty: `_._` is neither.
  { q: `_._.external.${T}`, type: 'A', rcode: 'NOERROR', answer: [`_._.external.${T}. 30 IN CNAME ext.interwebs.test.`], chase: { name: 'ext.interwebs.test', type: RRType.A } },
  { q: `endpoint.external.${T}`, type: 'CNAME', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `subdomain.subdomain.external.${T}`, type: 'CNAME', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `external-to-service.${T}`, type: 'A', rcode: 'NOERROR', answer: [`external-to-service.${T}. 30 IN CNAME svc1.${T}.`, `svc1.${T}. 30 IN A 10.0.0.1`] },
  // backend_lookup.go A/AAAA: a CNAME to an in-zone target is kept only when the target has
  // records; otherwise (no data, no such name, a loop) it is dropped and the answer is NODATA.
  { q: `external-to-service.${T}`, type: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { q: `external-to-service.${T}`, type: 'CNAME', rcode: 'NOERROR', answer: [`external-to-service.${T}. 30 IN CNAME svc1.${T}.`] },
  { q: `ext-ip.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `ext-missing.${T}`, type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: `ext-missing.${T}`, type: 'CNAME', rcode: 'NOERROR', answer: [`ext-missing.${T}. 30 IN CNAME nothing.${T}.`] },
  { q: `ext-loop-a.${T}`, type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: `ext-self.${T}`, type: 'A', rcode: 'NOERROR', ns: [SOA] },
  // An in-zone chain ending outside: every CNAME, then the server resolves the last target.
  {
    q: `ext-chain.${T}`,
    type: 'A',
    rcode: 'NOERROR',
    answer: [`ext-chain.${T}. 30 IN CNAME external.${T}.`, `external.${T}. 30 IN CNAME ext.interwebs.test.`],
    chase: { name: 'ext.interwebs.test', type: RRType.A },
  },

  // Names in the middle of the tree
  { q: 'svc.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: 'pod.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: 'testns.svc.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: 'emptyns.svc.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: 'nsnoexist.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'svc.cluster.local', type: 'NS', rcode: 'NOERROR', ns: [SOA] },
  { q: 'testns.svc.cluster.local', type: 'NS', rcode: 'NOERROR', ns: [SOA] },
  { q: 'foo.cluster.local', type: 'NS', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'foo.svc.cluster.local', type: 'NS', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'example.org.cluster.local', type: 'PTR', rcode: 'NXDOMAIN', ns: [SOA] },
  // kubernetes.go Services, TXT case: NODATA only for a name with records of another type, else
  // NXDOMAIN (coredns/coredns#5736), so the names in the middle of the tree are NXDOMAIN for TXT.
  { q: 'testns.svc.cluster.local', type: 'TXT', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'svc.cluster.local', type: 'TXT', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'podns.pod.cluster.local', type: 'TXT', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: '10-240-0-1.podns.pod.cluster.local', type: 'TXT', rcode: 'NOERROR', ns: [SOA] },
  { q: 'testns.svc.cluster.local', type: 'SRV', rcode: 'NOERROR', ns: [SOA] },
  { q: 'testns.svc.cluster.local', type: 'PTR', rcode: 'NOERROR', ns: [SOA] },

  // The apex: SOA and NS (CoreDNS plugin.SOA / plugin.NS, ns.go)
  { q: 'cluster.local', type: 'SOA', rcode: 'NOERROR', answer: [SOA] },
  { q: 'cluster.local', type: 'NS', rcode: 'NOERROR', answer: ['cluster.local. 30 IN NS kube-dns.kube-system.svc.cluster.local.'], extra: ['kube-dns.kube-system.svc.cluster.local. 30 IN A 10.0.0.10'] },
  { q: 'cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: 'cluster.local', type: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { q: 'cluster.local', type: 'SRV', rcode: 'NOERROR', ns: [SOA] },
  { q: 'cluster.local', type: 13 /* HINFO */, rcode: 'NOERROR', ns: [SOA] },
  { q: 'cluster.local', type: 'TXT', rcode: 'NXDOMAIN', ns: [SOA] }, // Services, TXT case
  { q: 'cluster.local', type: 'PTR', rcode: 'NOERROR', ns: [SOA] },
  { q: 'cluster.local', type: 252 /* AXFR */, rcode: 'REFUSED', aa: false },
  { q: 'ns.dns.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['ns.dns.cluster.local. 30 IN A 10.0.0.10'] },
  { q: 'ns.dns.cluster.local', type: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  // ns.go isDefaultNS answers ns.dns in Services(), but TXT and PTR go through Records(), where
  // `ns.dns` is an invalid name; `dns` alone always is (parse.go: neither svc nor pod).
  { q: 'ns.dns.cluster.local', type: 'SRV', rcode: 'NOERROR', ns: [SOA] },
  { q: 'ns.dns.cluster.local', type: 'TXT', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'ns.dns.cluster.local', type: 'PTR', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'dns.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'dns.cluster.local', type: 'NS', rcode: 'NXDOMAIN', ns: [SOA] },
  // handler.go compares the lowercased name with the zone as asked for NS at the apex, so CoreDNS
  // answers NS at a mixed-case apex with NODATA; the spec's comparisons are case-insensitive.
  { q: 'Cluster.Local', type: 'NS', rcode: 'NOERROR', answer: ['Cluster.Local. 30 IN NS kube-dns.kube-system.svc.Cluster.Local.'], extra: ['kube-dns.kube-system.svc.Cluster.Local. 30 IN A 10.0.0.10'], differs: 'CoreDNS: NODATA (case-sensitive apex test in handler.go)' },
  { q: 'ns.dns.Cluster.Local', type: 'A', rcode: 'NOERROR', answer: ['ns.dns.Cluster.Local. 30 IN A 10.0.0.10'], differs: 'CoreDNS: NXDOMAIN (ns.go isDefaultNS looks for the zone as asked in the lowercased name)' },

  // Case: names match in any case; owner names echo the question, made-up names take the zone as asked
  {
    q: 'not-a-service.testns.svc.ClUsTeR.lOcAl',
    type: 'A',
    rcode: 'NXDOMAIN',
    ns: [`ClUsTeR.lOcAl. 30 IN SOA ns.dns.ClUsTeR.lOcAl. hostmaster.ClUsTeR.lOcAl. ${SERIAL} 7200 1800 86400 30`],
  },
  { q: 'SvC1.TeStNs.SvC.cLuStEr.LoCaL', type: 'A', rcode: 'NOERROR', answer: ['SvC1.TeStNs.SvC.cLuStEr.LoCaL. 30 IN A 10.0.0.1'] },
  {
    q: '_HtTp._TcP.sVc1.TeStNs.SvC.cLuStEr.LoCaL',
    type: 'SRV',
    rcode: 'NOERROR',
    answer: ['_HtTp._TcP.sVc1.TeStNs.SvC.cLuStEr.LoCaL. 30 IN SRV 0 100 80 svc1.testns.svc.cLuStEr.LoCaL.'],
    extra: ['svc1.testns.svc.cLuStEr.LoCaL. 30 IN A 10.0.0.1'],
  },
  { q: 'Cluster.local', type: 'SOA', rcode: 'NOERROR', answer: [`Cluster.local. 30 IN SOA ns.dns.Cluster.local. hostmaster.Cluster.local. ${SERIAL} 7200 1800 86400 30`] },
  { q: 'DUP-NAME.hdls1.TESTNS.svc.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['DUP-NAME.hdls1.TESTNS.svc.cluster.local. 30 IN A 172.0.0.4', 'DUP-NAME.hdls1.TESTNS.svc.cluster.local. 30 IN A 172.0.0.5'] },

  // Pods, `pods insecure` (Kubernetes' Corefile; CoreDNS handler_pod_insecure_test.go)
  { q: '10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['10-240-0-1.podns.pod.cluster.local. 30 IN A 10.240.0.1'] },
  { q: '172-0-0-2.podns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['172-0-0-2.podns.pod.cluster.local. 30 IN A 172.0.0.2'] },
  { q: 'blah.podns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'blah.podns.pod.cluster.local', type: 'AAAA', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'blah.podns.pod.cluster.local', type: 13 /* HINFO */, rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'blah.pod-nons.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: '10-240-0-1.pod-nons.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'podns.pod.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: '10-240-0-1.podns.pod.cluster.local', type: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { q: '1234-abcd--1.podns.pod.cluster.local', type: 'AAAA', rcode: 'NOERROR', answer: ['1234-abcd--1.podns.pod.cluster.local. 30 IN AAAA 1234:abcd::1'] },
  { q: '010-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: '10-240-0-256.podns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  // parse.go reads up to two labels left of the address as endpoint or port/protocol, and
  // findPods ignores them: the pod answers; a third is too long (NXDOMAIN).
  { q: 'x.10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['x.10-240-0-1.podns.pod.cluster.local. 30 IN A 10.240.0.1'] },
  { q: '_http._tcp.10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['_http._tcp.10-240-0-1.podns.pod.cluster.local. 30 IN A 10.240.0.1'] },
  { q: 'a.b.c.10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  // backend_lookup.go SRV: a pod is a service with port 0 (coredns/coredns#1228).
  {
    q: '10-240-0-1.podns.pod.cluster.local',
    type: 'SRV',
    rcode: 'NOERROR',
    answer: ['10-240-0-1.podns.pod.cluster.local. 30 IN SRV 0 100 0 10-240-0-1.podns.pod.cluster.local.'],
    extra: ['10-240-0-1.podns.pod.cluster.local. 30 IN A 10.240.0.1'],
  },
  { q: 'x.10-240-0-1.podns.pod.cluster.local', type: 'SRV', rcode: 'NOERROR', answer: ['x.10-240-0-1.podns.pod.cluster.local. 30 IN SRV 0 100 0 10-240-0-1.podns.pod.cluster.local.'], extra: ['10-240-0-1.podns.pod.cluster.local. 30 IN A 10.240.0.1'] },
  { q: '10-240-0-1.podns.pod.cluster.local', type: 'CNAME', rcode: 'NOERROR', ns: [SOA] },
  { q: 'fe80--1%eth0.podns.pod.cluster.local', type: 'AAAA', rcode: 'NXDOMAIN', ns: [SOA] }, // Go's ParseIP takes no zone

  // Reverse (spec 2.3.3, 2.4.3; CoreDNS reverse_test.go); unknown addresses fall through
  { q: '1.0.0.10.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`1.0.0.10.in-addr.arpa. 30 IN PTR svc1.${T}.`] },
  { q: '10.0.0.10.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: ['10.0.0.10.in-addr.arpa. 30 IN PTR kube-dns.kube-system.svc.cluster.local.'] },
  { q: '2.0.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`2.0.0.172.in-addr.arpa. 30 IN PTR 172-0-0-2.hdls1.${T}.`] },
  { q: '4.0.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`4.0.0.172.in-addr.arpa. 30 IN PTR dup-name.hdls1.${T}.`] },
  { q: '1.0.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`1.0.0.172.in-addr.arpa. 30 IN PTR ep1a.svc1.${T}.`] },
  { q: '99.0.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`99.0.0.172.in-addr.arpa. 30 IN PTR double-ep.svc1.${T}.`, `99.0.0.172.in-addr.arpa. 30 IN PTR double-ep.svc2.${T}.`] },
  { q: '1.1.0.172.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`1.1.0.172.in-addr.arpa. 30 IN PTR 172-0-1-1.hdlsmulti.${T}.`] },
  { q: '1.0.0.10.IN-ADDR.ARPA', type: 'PTR', rcode: 'NOERROR', answer: [`1.0.0.10.IN-ADDR.ARPA. 30 IN PTR svc1.${T}.`] },
  { q: '9.0.0.172.in-addr.arpa', type: 'PTR' }, // not ready
  // Name errors in the reverse zones fall through (`fallthrough in-addr.arpa ip6.arpa`).
  { q: '101.0.0.10.in-addr.arpa', type: 'PTR' },
  { q: '1.0.0.10.in-addr.arpa', type: 'A' },
  { q: '1.0.0.10.in-addr.arpa', type: 'TXT' },
  { q: '0.0.10.in-addr.arpa', type: 'PTR' },
  { q: 'svc1.testns.svc.in-addr.arpa', type: 'A' }, // Records: IsReverse
  // ip6.arpa (reverse.go, dnsutil reverse6): the addresses the zone knows, IPv4-mapped ones as IPv4.
  { q: '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa. 30 IN PTR svc6.${T}.`] },
  { q: '3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.ip6.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.ip6.arpa. 30 IN PTR svc-dual-stack.${T}.`] },
  { q: '2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.8.7.6.5.ip6.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.8.7.6.5.ip6.arpa. 30 IN PTR 5678-abcd--2.hdls1.${T}.`] },
  { q: '1.0.0.0.0.0.a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa', type: 'PTR', rcode: 'NOERROR', answer: [`1.0.0.0.0.0.a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa. 30 IN PTR svc1.${T}.`] },
  { q: '9.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.8.7.6.5.ip6.arpa', type: 'PTR' },
  // The reverse zones' apex (handler.go: SOA and NS at the zone; Records: NODATA for other types
  // but TXT, whose name error falls through), NODATA for SOA below it and at svc/pod, ns.dns's
  // addresses and dns-version's TXT as in the cluster zone.
  { q: 'in-addr.arpa', type: 'SOA', rcode: 'NOERROR', answer: [ARPA_SOA] },
  {
    q: 'in-addr.arpa',
    type: 'NS',
    rcode: 'NOERROR',
    answer: ['in-addr.arpa. 30 IN NS kube-dns.kube-system.svc.in-addr.arpa.'],
    extra: ['kube-dns.kube-system.svc.in-addr.arpa. 30 IN A 10.0.0.10'],
  },
  { q: 'in-addr.arpa', type: 'A', rcode: 'NOERROR', ns: [ARPA_SOA] },
  { q: 'in-addr.arpa', type: 'PTR', rcode: 'NOERROR', ns: [ARPA_SOA] },
  { q: 'in-addr.arpa', type: 'TXT' },
  { q: 'in-addr.arpa', type: 252 /* AXFR */, rcode: 'REFUSED', aa: false },
  { q: '1.0.0.10.in-addr.arpa', type: 'SOA', rcode: 'NOERROR', ns: [ARPA_SOA] },
  { q: '101.0.0.10.in-addr.arpa', type: 'SOA', rcode: 'NOERROR', ns: [ARPA_SOA] },
  { q: 'svc.in-addr.arpa', type: 'A', rcode: 'NOERROR', ns: [ARPA_SOA] },
  { q: 'pod.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', ns: [ARPA_SOA] },
  { q: 'svc.in-addr.arpa', type: 'TXT' },
  { q: 'ns.dns.in-addr.arpa', type: 'A', rcode: 'NOERROR', answer: ['ns.dns.in-addr.arpa. 30 IN A 10.0.0.10'] },
  { q: 'ns.dns.in-addr.arpa', type: 'PTR' },
  { q: 'dns-version.in-addr.arpa', type: 'TXT', rcode: 'NOERROR', answer: ['dns-version.in-addr.arpa. 28800 IN TXT "1.1.0"'] },
  { q: 'dns-version.in-addr.arpa', type: 'A' },
  { q: 'ip6.arpa', type: 'SOA', rcode: 'NOERROR', answer: [`ip6.arpa. 30 IN SOA ns.dns.ip6.arpa. hostmaster.ip6.arpa. ${SERIAL} 7200 1800 86400 30`] },

  // Not ours
  { q: 'example.com', type: 'A' },
  { q: 'cluster.local.example.com', type: 'A' },
  { q: 'xcluster.local', type: 'A' },
  { q: '', type: 'NS' },
];

describe('ClusterZone: question -> answer', () => {
  const zone = fixture();
  it.each(rows.map((r) => [`${r.q || '.'} ${typeof r.type === 'number' ? `TYPE${r.type}` : r.type}`, r] as const))('%s', (_name, row) => check(zone, row));

  it('answers only class IN', () => {
    expect(zone.resolve({ name: `svc1.${T}`, type: RRType.A, class: 3 })).toBeUndefined();
  });
});

describe('ClusterZone: options', () => {
  it('pods verified: only the address of a pod in that namespace (handler_pod_verified_test.go)', () => {
    const z = fixture({ podMode: 'verified' });
    check(z, { q: '10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['10-240-0-1.podns.pod.cluster.local. 30 IN A 10.240.0.1'] });
    check(z, { q: 'podns.pod.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] });
    check(z, { q: 'pod-nons.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] });
    check(z, { q: '172-0-0-2.podns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] });
    check(z, { q: '10-240-0-1.testns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] });
    // Pods sharing an address there (hostNetwork) are one service each: one SRV, weight 100/2.
    z.upsertPod(pod('podns', 'bar', '10.240.0.1'));
    check(z, { q: '10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['10-240-0-1.podns.pod.cluster.local. 30 IN A 10.240.0.1'] });
    check(z, {
      q: '10-240-0-1.podns.pod.cluster.local',
      type: 'SRV',
      rcode: 'NOERROR',
      answer: ['10-240-0-1.podns.pod.cluster.local. 30 IN SRV 0 50 0 10-240-0-1.podns.pod.cluster.local.'],
      extra: ['10-240-0-1.podns.pod.cluster.local. 30 IN A 10.240.0.1'],
    });
  });

  it('pods disabled: nothing below pod.<zone>', () => {
    const z = fixture({ podMode: 'disabled' });
    check(z, { q: '10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] });
    check(z, { q: 'podns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] });
    check(z, { q: 'pod.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] });
  });

  it('ttl: records carry it, the SOA carries min(ttl, 300) and minimum = ttl (plugin.SOA)', () => {
    const z = fixture({ ttl: 5 });
    check(z, { q: `svc1.${T}`, type: 'A', rcode: 'NOERROR', answer: [`svc1.${T}. 5 IN A 10.0.0.1`] });
    check(z, { q: `svc0.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [`cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${SERIAL} 7200 1800 86400 5`] });
    const long = fixture({ ttl: 600 });
    check(long, { q: `svc0.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [`cluster.local. 300 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${SERIAL} 7200 1800 86400 600`] });
    expect(() => new ClusterZone({ ttl: 3601 })).toThrow(/0 to 3600/);
  });

  it('NS without a known DNS Service: ns.dns.<zone> with the configured address; none without one (ns.go nsAddrs)', () => {
    const z = new ClusterZone({ dnsServiceIP: '10.0.0.10', now: () => NOW });
    check(z, { q: 'cluster.local', type: 'NS', rcode: 'NOERROR', answer: ['cluster.local. 30 IN NS ns.dns.cluster.local.'], extra: ['ns.dns.cluster.local. 30 IN A 10.0.0.10'] });
    check(z, { q: 'ns.dns.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['ns.dns.cluster.local. 30 IN A 10.0.0.10'] });
    // As CoreDNS with no address of its own: no name server records (NODATA).
    const bare = new ClusterZone({ now: () => NOW });
    check(bare, { q: 'cluster.local', type: 'NS', rcode: 'NOERROR', ns: [SOA] });
    check(bare, { q: 'ns.dns.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] });
    // An EndpointSlice lists the address but its Service is not seen yet: no name server either
    // (nsAddrs falls back to ns.dns only when no endpoint has the address).
    z.upsertEndpointSlice(slice('kube-system', 'kube-dns', 'kube-dns-abcde', [{ ip: '10.0.0.10' }]));
    check(z, { q: 'cluster.local', type: 'NS', rcode: 'NOERROR', ns: [SOA] });
  });

  it('ExternalName chains: at most maxCnameChainLength + 1 CNAMEs, then NODATA (backend_lookup.go A)', () => {
    const chain = (length: number): ClusterZone => {
      const z = new ClusterZone({ now: () => NOW });
      z.upsertNamespace(ns('default'));
      z.upsertService(svc('default', 'end', { ip: '10.0.0.7', ports: [HTTP] }));
      for (let i = 0; i < length; i++) z.upsertService(svc('default', `c${i}`, { type: 'ExternalName', externalName: `${i + 1 < length ? `c${i + 1}` : 'end'}.default.svc.cluster.local` }));
      z.markSynced();
      return z;
    };
    const a = (z: ClusterZone): Answer => z.resolve({ name: 'c0.default.svc.cluster.local', type: RRType.A, class: 1 })!;
    const eleven = a(chain(11));
    expect(eleven.answer.map((r) => r.type)).toEqual([...Array(11).fill(RRType.CNAME), RRType.A]);
    const twelve = a(chain(12));
    expect({ rcode: twelve.rcode, answer: twelve.answer.length }).toEqual({ rcode: Rcode.NOERROR, answer: 0 });
  });

  it('another domain, given with a trailing dot and capitals', () => {
    const z = new ClusterZone({ domain: 'Corp.Example.', now: () => NOW });
    // differs: no Namespace object seen, but a Service there: its namespace exists. CoreDNS looks at
    // Namespace objects only (namespace.go), which differs only while the informers are out of step
    // (the API admits no Service in a namespace that does not exist).
    z.upsertService(svc('default', 'web', { ip: '10.0.0.7', ports: [HTTP] }));
    check(z, { q: 'web.default.svc.corp.example', type: 'A', rcode: 'NOERROR', answer: ['web.default.svc.corp.example. 30 IN A 10.0.0.7'] });
    check(z, { q: 'web.default.svc.cluster.local', type: 'A' });
    check(z, { q: '7.0.0.10.in-addr.arpa', type: 'PTR', rcode: 'NOERROR', answer: ['7.0.0.10.in-addr.arpa. 30 IN PTR web.default.svc.corp.example.'] });
  });
});

describe('ClusterZone: updates', () => {
  function fresh(): { z: ClusterZone; clock: { t: number } } {
    const clock = { t: NOW };
    const z = new ClusterZone({ now: () => clock.t });
    z.upsertNamespace(ns('default'));
    return { z, clock };
  }
  const A = (z: ClusterZone, name: string): Answer => z.resolve({ name, type: RRType.A, class: 1 })!;
  const ips = (a: Answer): string[] => a.answer.map((r) => r.data as string).sort();

  it('is not ready until synced; marking it synced bumps the generation', () => {
    const { z } = fresh();
    expect(z.ready()).toBe(false);
    const g = z.generation();
    z.markSynced();
    expect(z.ready()).toBe(true);
    expect(z.generation()).toBeGreaterThan(g);
  });

  it('a deleted Service is NXDOMAIN and loses its PTR; its namespace still exists', () => {
    const { z } = fresh();
    z.upsertService(svc('default', 'web', { ip: '10.0.0.7', ports: [HTTP] }));
    expect(ips(A(z, 'web.default.svc.cluster.local'))).toEqual(['10.0.0.7']);
    const g = z.generation();
    z.deleteService({ namespace: 'default', name: 'web' });
    expect(z.generation()).toBeGreaterThan(g);
    expect(A(z, 'web.default.svc.cluster.local').rcode).toBe(Rcode.NXDOMAIN);
    expect(z.resolve({ name: '7.0.0.10.in-addr.arpa', type: RRType.PTR, class: 1 })).toBeUndefined();
    expect(A(z, 'default.svc.cluster.local').rcode).toBe(Rcode.NOERROR);
  });

  it('a changed cluster IP moves the PTR', () => {
    const { z } = fresh();
    z.upsertService(svc('default', 'web', { ip: '10.0.0.7', ports: [HTTP] }));
    z.upsertService(svc('default', 'web', { ip: '10.0.0.8', ports: [HTTP] }));
    expect(z.resolve({ name: '7.0.0.10.in-addr.arpa', type: RRType.PTR, class: 1 })).toBeUndefined();
    expect(z.resolve({ name: '8.0.0.10.in-addr.arpa', type: RRType.PTR, class: 1 })?.answer[0]?.data).toBe('web.default.svc.cluster.local');
  });

  it('an endpoint that stops being ready leaves the headless answers; none ready is NXDOMAIN', () => {
    const { z } = fresh();
    z.upsertService(svc('default', 'db', { ip: 'None', ports: [HTTP] }));
    z.upsertEndpointSlice(slice('default', 'db', 'db-1', [{ ip: '10.1.0.1' }, { ip: '10.1.0.2' }]));
    expect(ips(A(z, 'db.default.svc.cluster.local'))).toEqual(['10.1.0.1', '10.1.0.2']);
    const g = z.generation();
    z.upsertEndpointSlice(slice('default', 'db', 'db-1', [{ ip: '10.1.0.1' }, { ip: '10.1.0.2', ready: false }]));
    expect(z.generation()).toBeGreaterThan(g);
    expect(ips(A(z, 'db.default.svc.cluster.local'))).toEqual(['10.1.0.1']);
    expect(A(z, '10-1-0-2.db.default.svc.cluster.local').rcode).toBe(Rcode.NXDOMAIN);
    expect(z.resolve({ name: '2.0.1.10.in-addr.arpa', type: RRType.PTR, class: 1 })).toBeUndefined();
    z.upsertEndpointSlice(slice('default', 'db', 'db-1', [{ ip: '10.1.0.1', ready: false }, { ip: '10.1.0.2', ready: false }]));
    expect(A(z, 'db.default.svc.cluster.local').rcode).toBe(Rcode.NXDOMAIN);
  });

  it('an update that changes no answer keeps the generation (a not-ready endpoint changing)', () => {
    const { z } = fresh();
    z.upsertService(svc('default', 'db', { ip: 'None', ports: [HTTP] }));
    z.upsertEndpointSlice(slice('default', 'db', 'db-1', [{ ip: '10.1.0.1' }, { ip: '10.1.0.2', ready: false }]));
    z.upsertService(svc('default', 'db', { ip: 'None', ports: [HTTP] }));
    const g = z.generation();
    z.upsertEndpointSlice(slice('default', 'db', 'db-1', [{ ip: '10.1.0.1' }, { ip: '10.1.0.3', ready: false }]));
    z.upsertService(svc('default', 'db', { ip: 'None', ports: [HTTP] }));
    z.upsertNamespace(ns('default'));
    expect(z.generation()).toBe(g);
  });

  it('several slices of one Service: an address stays while any slice lists it', () => {
    const { z } = fresh();
    z.upsertService(svc('default', 'db', { ip: 'None', ports: [HTTP] }));
    z.upsertEndpointSlice(slice('default', 'db', 'db-1', [{ ip: '10.1.0.1' }, { ip: '10.1.0.2' }]));
    z.upsertEndpointSlice(slice('default', 'db', 'db-2', [{ ip: '10.1.0.2' }, { ip: '10.1.0.3' }]));
    expect(ips(A(z, 'db.default.svc.cluster.local'))).toEqual(['10.1.0.1', '10.1.0.2', '10.1.0.3']);
    z.deleteEndpointSlice({ namespace: 'default', name: 'db-1' });
    expect(ips(A(z, 'db.default.svc.cluster.local'))).toEqual(['10.1.0.2', '10.1.0.3']);
    expect(z.resolve({ name: '2.0.1.10.in-addr.arpa', type: RRType.PTR, class: 1 })?.answer.map((r) => r.data)).toEqual(['10-1-0-2.db.default.svc.cluster.local']);
    expect(z.resolve({ name: '1.0.1.10.in-addr.arpa', type: RRType.PTR, class: 1 })).toBeUndefined();
  });

  it('slices that arrive before their Service count once it arrives; their PTR is there at once (reverse.go)', () => {
    const { z } = fresh();
    z.upsertEndpointSlice(slice('default', 'db', 'db-1', [{ ip: '10.1.0.1' }]));
    expect(A(z, 'db.default.svc.cluster.local').rcode).toBe(Rcode.NXDOMAIN);
    // serviceRecordForIP names the endpoint from its slice's service label, Service seen or not.
    expect(z.resolve({ name: '1.0.1.10.in-addr.arpa', type: RRType.PTR, class: 1 })?.answer.map((r) => r.data)).toEqual(['10-1-0-1.db.default.svc.cluster.local']);
    z.upsertService(svc('default', 'db', { ip: 'None', ports: [HTTP] }));
    expect(ips(A(z, 'db.default.svc.cluster.local'))).toEqual(['10.1.0.1']);
  });

  it('a slice relabelled to another Service moves with it', () => {
    const { z } = fresh();
    z.upsertService(svc('default', 'a', { ip: 'None', ports: [HTTP] }));
    z.upsertService(svc('default', 'b', { ip: 'None', ports: [HTTP] }));
    z.upsertEndpointSlice(slice('default', 'a', 'x-1', [{ ip: '10.1.0.1' }]));
    z.upsertEndpointSlice(slice('default', 'b', 'x-1', [{ ip: '10.1.0.1' }]));
    expect(A(z, 'a.default.svc.cluster.local').rcode).toBe(Rcode.NXDOMAIN);
    expect(ips(A(z, 'b.default.svc.cluster.local'))).toEqual(['10.1.0.1']);
  });

  it('a deleted namespace without Services is NXDOMAIN', () => {
    const { z } = fresh();
    z.upsertNamespace(ns('tmp'));
    expect(A(z, 'tmp.svc.cluster.local').rcode).toBe(Rcode.NOERROR);
    z.deleteNamespace(ns('tmp'));
    expect(A(z, 'tmp.svc.cluster.local').rcode).toBe(Rcode.NXDOMAIN);
  });

  it('the SOA serial is the time of the last change', () => {
    const { z, clock } = fresh();
    const serial = (): number => (z.resolve({ name: 'cluster.local', type: RRType.SOA, class: 1 })!.answer[0]!.data as { serial: number }).serial;
    expect(serial()).toBe(SERIAL);
    clock.t += 60_000;
    expect(serial()).toBe(SERIAL);
    z.upsertService(svc('default', 'web', { ip: '10.0.0.7', ports: [HTTP] }));
    expect(serial()).toBe(SERIAL + 60);
  });

  it('pods verified follows pods: added, moved, terminating (kept), deleted', () => {
    const z = new ClusterZone({ podMode: 'verified', now: () => NOW });
    z.upsertNamespace(ns('default'));
    const q = (ip: string): number => A(z, `${ip.replaceAll('.', '-')}.default.pod.cluster.local`).rcode;
    expect(q('10.2.0.1')).toBe(Rcode.NXDOMAIN);
    z.upsertPod(pod('default', 'p', '10.2.0.1'));
    expect(q('10.2.0.1')).toBe(Rcode.NOERROR);
    z.upsertPod(pod('default', 'p', '10.2.0.2'));
    expect(q('10.2.0.1')).toBe(Rcode.NXDOMAIN);
    expect(q('10.2.0.2')).toBe(Rcode.NOERROR);
    const terminating = pod('default', 'p', '10.2.0.2');
    terminating.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    const g = z.generation();
    z.upsertPod(terminating);
    expect(z.generation()).toBe(g);
    expect(q('10.2.0.2')).toBe(Rcode.NOERROR);
    z.deletePod(terminating);
    expect(q('10.2.0.2')).toBe(Rcode.NXDOMAIN);
  });

  it('keeps counts for reports', () => {
    const z = fixture();
    expect(z.stats()).toMatchObject({ namespaces: 4, endpointSlices: 11, endpointAddresses: 15, pods: 1 });
  });
});
