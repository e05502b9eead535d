#!/usr/bin/env node
// Cluster zone benchmark: memory and resolve() speed of the DNS zone at cluster scale.
//   npm run build && node --expose-gc bench/dns-zone-bench.mjs [--services 10000 --endpoints 10 --seconds 2]
//
//   1. load     SERVICES ClusterIP Services, each with one EndpointSlice of ENDPOINTS ready endpoints,
//               plus a tenth as many headless Services of ENDPOINTS endpoints, projected as the
//               informers project them; time to load and heap used after a GC (the zone and the
//               projections it keeps; compare CoreDNS's guide of (pods + services)/1000 + 54 MB).
//   2. resolve  for SECONDS each, resolve() on: Service A hits, headless A hits (ENDPOINTS records),
//               SRV hits, endpoint-name hits, PTR hits, NXDOMAIN (no such Service), outside the zone.
//               Questions cycle over the whole zone, so this is the uncached path the server's
//               answer cache falls back to.
// Pure computation in this process: no sockets, no files.

import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { ClusterZone } = await import(pathToFileURL(join(ROOT, 'dist/dns/zone.js')).href);
const { projectService, projectEndpointSlice } = await import(pathToFileURL(join(ROOT, 'dist/dns/objects.js')).href);

const { values: flag } = parseArgs({
  options: {
    services: { type: 'string', default: '10000' },
    endpoints: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '2' },
  },
});
const SERVICES = Number(flag.services);
const ENDPOINTS = Number(flag.endpoints);
const SECONDS = Number(flag.seconds);
const HEADLESS = Math.max(1, Math.floor(SERVICES / 10));
const NAMESPACES = 100;

const gc = globalThis.gc ?? (() => undefined);
if (!globalThis.gc) console.log('(run with node --expose-gc for exact heap figures)');
const mb = (n) => `${(n / 2 ** 20).toFixed(1)} MB`;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

// Addresses: cluster IPs in 127.96.0.0/12, endpoints in 127.128.0.0/10 (loopback only, never used).
const ip = (base, n) => `127.${base + ((n >>> 16) & 0x3f)}.${(n >>> 8) & 0xff}.${n & 0xff}`;
const clusterIP = (i) => ip(96, i + 20);
const endpointIP = (n) => ip(128, n + 1);

function service(ns, name, headless, i) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name, uid: `uid-${i}`, resourceVersion: String(i), labels: { app: name }, annotations: { note: 'x'.repeat(40) } },
    spec: { type: 'ClusterIP', clusterIP: headless ? 'None' : clusterIP(i), clusterIPs: [headless ? 'None' : clusterIP(i)], selector: { app: name }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }], sessionAffinity: 'None' },
    status: { loadBalancer: {} },
  };
}

function slice(ns, svcName, first) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: `${svcName}-abcde`, labels: { 'kubernetes.io/service-name': svcName }, ownerReferences: [{ kind: 'Service', name: svcName }] },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    endpoints: Array.from({ length: ENDPOINTS }, (_, k) => ({
      addresses: [endpointIP(first + k)],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'node-1',
      targetRef: { kind: 'Pod', namespace: ns, name: `${svcName}-pod-${k}`, uid: `pod-uid-${first + k}` },
    })),
  };
}

const before = heap();
const t0 = performance.now();
const zone = new ClusterZone({ domain: 'cluster.local', ttl: 30, podMode: 'insecure', dnsServiceIP: '127.96.0.10' });
/** Service i: its namespace, name, and first endpoint's number. */
const svcAt = (i) => ({ ns: `ns-${i % NAMESPACES}`, name: i >= SERVICES ? `hl-${i}` : `svc-${i}`, headless: i >= SERVICES, firstEndpoint: i * ENDPOINTS });
const ep = (SERVICES + HEADLESS) * ENDPOINTS;
for (let n = 0; n < NAMESPACES; n++) zone.upsertNamespace(`ns-${n}`);
for (let i = 0; i < SERVICES + HEADLESS; i++) {
  const s = svcAt(i);
  // As the informers do: objects parsed from the API's JSON, projected once, only the projection kept.
  zone.upsertService(projectService(JSON.parse(JSON.stringify(service(s.ns, s.name, s.headless, i)))));
  zone.upsertEndpointSlice(projectEndpointSlice(JSON.parse(JSON.stringify(slice(s.ns, s.name, s.firstEndpoint)))));
}
zone.markSynced();
const loadMs = performance.now() - t0;
const used = heap() - before;
const st = zone.stats();
console.log(`load: ${st.services} Services (${HEADLESS} headless), ${st.endpointSlices} EndpointSlices, ${st.endpointAddresses} endpoints in ${loadMs.toFixed(0)} ms`);
console.log(`heap: ${mb(used)} for the zone (${(used / st.endpointAddresses).toFixed(0)} B per endpoint, services included); process RSS ${mb(process.memoryUsage().rss)}`);
console.log(`      CoreDNS's guide for the same cluster: ${((st.endpointAddresses + st.services) / 1000 + 54).toFixed(0)} MB`);

const clusterNames = Array.from({ length: SERVICES }, (_, i) => svcAt(i));
const headlessNames = Array.from({ length: HEADLESS }, (_, i) => svcAt(SERVICES + i));
const A = 1, PTR = 12, SRV = 33;
const cases = [
  ['Service A (hit)', (k) => { const s = clusterNames[k % clusterNames.length]; return { name: `${s.name}.${s.ns}.svc.cluster.local`, type: A, class: 1 }; }, 0],
  [`headless A (${ENDPOINTS} records)`, (k) => { const s = headlessNames[k % headlessNames.length]; return { name: `${s.name}.${s.ns}.svc.cluster.local`, type: A, class: 1 }; }, 0],
  ['SRV _http._tcp (hit)', (k) => { const s = clusterNames[k % clusterNames.length]; return { name: `_http._tcp.${s.name}.${s.ns}.svc.cluster.local`, type: SRV, class: 1 }; }, 0],
  ['endpoint name A (hit)', (k) => { const s = headlessNames[k % headlessNames.length]; return { name: `${endpointIP(s.firstEndpoint + (k % ENDPOINTS)).replaceAll('.', '-')}.${s.name}.${s.ns}.svc.cluster.local`, type: A, class: 1 }; }, 0],
  ['PTR endpoint (hit)', (k) => ({ name: `${endpointIP(k % ep).split('.').reverse().join('.')}.in-addr.arpa`, type: PTR, class: 1 }), 0],
  ['NXDOMAIN (no such Service)', (k) => ({ name: `missing-${k % 100000}.ns-${k % NAMESPACES}.svc.cluster.local`, type: A, class: 1 }), 3],
  ['outside the zone (undefined)', (k) => ({ name: `host-${k % 1000}.example.com`, type: A, class: 1 }), -1],
];

for (const [label, make, wantRcode] of cases) {
  const qs = Array.from({ length: 65536 }, (_, k) => make(k * 7919));
  for (let k = 0; k < 20000; k++) zone.resolve(qs[k & 65535]); // warm up
  let n = 0;
  let bad = 0;
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    for (let k = 0; k < 1000; k++, n++) {
      const a = zone.resolve(qs[n & 65535]);
      if (wantRcode < 0 ? a !== undefined : a?.rcode !== wantRcode) bad++;
    }
  }
  const rate = n / SECONDS;
  console.log(`${label.padEnd(32)} ${(rate / 1000).toFixed(0).padStart(6)} k ops/s  ${(1e6 / rate).toFixed(2)} µs/op${bad ? `  (${bad} unexpected answers!)` : ''}`);
}
