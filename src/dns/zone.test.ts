// The cluster zone as a table of question -> answer, in the style of CoreDNS's
// plugin/kubernetes/handler_test.go: the fixture is CoreDNS's (svc1, svcempty, svc6, hdls1 with its
// dup-name endpoints, hdlsprtls, external, external-to-service, svc-dual-stack), as EndpointSlices,
// plus cases of our own. Expectations come from the specification (kubernetes/dns
// docs/specification.md) and CoreDNS's tests; where we answer otherwise than CoreDNS the row says so.
import { describe, expect, it } from 'vitest';
import type { Endpoint, EndpointSlice, Namespace, Pod, Service, ServicePort } from '../api/core.js';
import { Rcode, RRType, type Answer, type RR } from './types.js';
import { ClusterZone, type ClusterZoneOptions } from './zone.js';

const NOW = 1_700_000_000_123; // the SOA serial is the time of the last change, in seconds
const SERIAL = 1_700_000_000;
const SOA = `cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${SERIAL} 7200 1800 86400 30`;

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
  /** Why this row answers otherwise than CoreDNS would. */
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
  { q: 'dns-version.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA], differs: 'CoreDNS: NXDOMAIN (only TXT is looked at); the name exists' },

  // spec 2.3: a Service with a cluster IP
  { q: `svc1.${T}`, type: 'A', rcode: 'NOERROR', answer: [`svc1.${T}. 30 IN A 10.0.0.1`] },
  { q: `svc1.${T}`, type: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { q: `svc1.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`svc1.${T}. 30 IN SRV 0 100 80 svc1.${T}.`], extra: [`svc1.${T}. 30 IN A 10.0.0.1`] },
  { q: `_http._tcp.svc1.${T}`, type: 'SRV', rcode: 'NOERROR', answer: [`_http._tcp.svc1.${T}. 30 IN SRV 0 100 80 svc1.${T}.`], extra: [`svc1.${T}. 30 IN A 10.0.0.1`] },
  { q: `_http._udp.svc1.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `_https._tcp.svc1.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `_tcp.svc1.${T}`, type: 'A', rcode: 'NOERROR', ns: [SOA], differs: 'CoreDNS: NXDOMAIN; an empty non-terminal above _http._tcp exists (RFC 8020)' },
  { q: `_tcp.svc1.${T}`, type: 'SRV', rcode: 'NOERROR', ns: [SOA], differs: 'as above' },
  { q: `_udp.svc1.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `_http._tcp.svc1.${T}`, type: 'A', rcode: 'NOERROR', ns: [SOA], differs: 'CoreDNS: A 10.0.0.1; the spec defines only SRV there' },
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
  { q: `lb.${T}`, type: 'A', rcode: 'NOERROR', answer: [`lb.${T}. 30 IN A 10.0.0.6`] },
  { q: `noip.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `svc0.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `svc0.${T}`, type: 'AAAA', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'svc0.svc-nons.svc.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: 'svc0.svc-nons.svc.cluster.local', type: 'TXT', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `bogusendpoint.svc0.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `a.b.c.svc1.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `http.tcp.svc1.${T}`, type: 'SRV', rcode: 'NXDOMAIN', ns: [SOA], differs: 'CoreDNS takes the labels as port and protocol without their underscores' },

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
  { q: `endpoint.external.${T}`, type: 'CNAME', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `subdomain.subdomain.external.${T}`, type: 'CNAME', rcode: 'NXDOMAIN', ns: [SOA] },
  { q: `external-to-service.${T}`, type: 'A', rcode: 'NOERROR', answer: [`external-to-service.${T}. 30 IN CNAME svc1.${T}.`, `svc1.${T}. 30 IN A 10.0.0.1`] },
  {
    q: `external-to-service.${T}`,
    type: 'AAAA',
    rcode: 'NOERROR',
    answer: [`external-to-service.${T}. 30 IN CNAME svc1.${T}.`],
    ns: [SOA],
    differs: 'CoreDNS drops the CNAME when its in-zone target has no data (NODATA without it)',
  },
  { q: `ext-ip.${T}`, type: 'A', rcode: 'NXDOMAIN', ns: [SOA] },
  {
    q: `ext-missing.${T}`,
    type: 'A',
    rcode: 'NXDOMAIN',
    answer: [`ext-missing.${T}. 30 IN CNAME nothing.${T}.`],
    ns: [SOA],
    differs: 'CoreDNS: NODATA without the CNAME; RFC 6604: the rcode of the last name',
  },
  { q: `ext-loop-a.${T}`, type: 'A', rcode: 'SERVFAIL', answer: [`ext-loop-a.${T}. 30 IN CNAME ext-loop-b.${T}.`, `ext-loop-b.${T}. 30 IN CNAME ext-loop-a.${T}.`], differs: 'CoreDNS: NODATA' },

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
  { q: 'testns.svc.cluster.local', type: 'TXT', rcode: 'NOERROR', ns: [SOA], differs: 'CoreDNS: NXDOMAIN for TXT on names without records' },

  // The apex: SOA and NS (CoreDNS plugin.SOA / plugin.NS, ns.go)
  { q: 'cluster.local', type: 'SOA', rcode: 'NOERROR', answer: [SOA] },
  { q: 'cluster.local', type: 'NS', rcode: 'NOERROR', answer: ['cluster.local. 30 IN NS kube-dns.kube-system.svc.cluster.local.'], extra: ['kube-dns.kube-system.svc.cluster.local. 30 IN A 10.0.0.10'] },
  { q: 'cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] },
  { q: 'cluster.local', type: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { q: 'cluster.local', type: 'SRV', rcode: 'NOERROR', ns: [SOA] },
  { q: 'cluster.local', type: 13 /* HINFO */, rcode: 'NOERROR', ns: [SOA] },
  { q: 'cluster.local', type: 'TXT', rcode: 'NOERROR', ns: [SOA], differs: 'CoreDNS: NXDOMAIN' },
  { q: 'cluster.local', type: 252 /* AXFR */, rcode: 'REFUSED', aa: false },
  { q: 'ns.dns.cluster.local', type: 'A', rcode: 'NOERROR', answer: ['ns.dns.cluster.local. 30 IN A 10.0.0.10'] },
  { q: 'ns.dns.cluster.local', type: 'AAAA', rcode: 'NOERROR', ns: [SOA] },
  { q: 'dns.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA], differs: 'CoreDNS: NXDOMAIN; the empty non-terminal above ns.dns exists' },

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
  { q: 'x.10-240-0-1.podns.pod.cluster.local', type: 'A', rcode: 'NXDOMAIN', ns: [SOA], differs: 'CoreDNS ignores the extra label and answers the pod' },

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
  { q: '101.0.0.10.in-addr.arpa', type: 'PTR', differs: 'CoreDNS without fallthrough: NXDOMAIN; Kubernetes\' Corefile falls through' },
  { q: '1.0.0.10.in-addr.arpa', type: 'A' },
  { q: '0.0.10.in-addr.arpa', type: 'PTR' },
  { q: 'in-addr.arpa', type: 'SOA', differs: 'CoreDNS answers an SOA for all of in-addr.arpa' },
  { q: '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa', type: 'PTR', differs: 'IPv4 only here: ip6.arpa is forwarded' },

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

  it('NS without a known DNS Service: ns.dns.<zone> with the configured address, or no glue at all', () => {
    const z = new ClusterZone({ dnsServiceIP: '10.0.0.10', now: () => NOW });
    check(z, { q: 'cluster.local', type: 'NS', rcode: 'NOERROR', answer: ['cluster.local. 30 IN NS ns.dns.cluster.local.'], extra: ['ns.dns.cluster.local. 30 IN A 10.0.0.10'] });
    const bare = new ClusterZone({ now: () => NOW });
    check(bare, { q: 'cluster.local', type: 'NS', rcode: 'NOERROR', answer: ['cluster.local. 30 IN NS ns.dns.cluster.local.'] });
    check(bare, { q: 'ns.dns.cluster.local', type: 'A', rcode: 'NOERROR', ns: [SOA] });
  });

  it('another domain, given with a trailing dot and capitals', () => {
    const z = new ClusterZone({ domain: 'Corp.Example.', now: () => NOW });
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

  it('slices that arrive before their Service count once it arrives', () => {
    const { z } = fresh();
    z.upsertEndpointSlice(slice('default', 'db', 'db-1', [{ ip: '10.1.0.1' }]));
    expect(A(z, 'db.default.svc.cluster.local').rcode).toBe(Rcode.NXDOMAIN);
    expect(z.resolve({ name: '1.0.1.10.in-addr.arpa', type: RRType.PTR, class: 1 })).toBeUndefined();
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
