// The cluster zone against a real API server: what is written through the API shows in the
// answers once the informers have it; nothing is ready before the first full sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice, Namespace, Pod, Service } from '../api/core.js';
import { resourceRef } from '../client/index.js';
import { eventually, startLiveCluster, type LiveCluster } from '../controllers/testing/live-cluster.js';
import { ZoneInformers } from './informers.js';
import { Rcode, RRType, type Answer } from './types.js';
import { ClusterZone } from './zone.js';

const NAMESPACES = resourceRef('', 'v1', 'namespaces', false);
const SERVICES = resourceRef('', 'v1', 'services');
const SLICES = resourceRef('discovery.k8s.io', 'v1', 'endpointslices');
const PODS = resourceRef('', 'v1', 'pods');

let live: LiveCluster;
const running: ZoneInformers[] = [];

function slice(name: string, service: string, namespace: string, eps: { ip: string; ready: boolean; hostname?: string }[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: eps.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready }, ...(e.hostname ? { hostname: e.hostname } : {}) })),
  };
}

function ask(zone: ClusterZone, name: string, type: number = RRType.A): Answer | undefined {
  return zone.resolve({ name, type, class: 1 });
}

const data = (a: Answer | undefined): string[] => (a?.answer ?? []).map((r) => JSON.stringify(r.data)).sort();

beforeAll(async () => {
  live = await startLiveCluster([], { serviceCidr: '127.96.0.0/12' });
}, 30_000);

afterAll(async () => {
  for (const r of running) r.stop();
  await live?.stop();
});

describe('ZoneInformers', () => {
  let zone: ClusterZone;
  let webIP = '';

  it('is not ready before the first sync; objects listed at start are answered after it', async () => {
    const web = await live.client.create<Service>(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } as Service);
    webIP = web.spec.clusterIP!;
    // kube-dns's own endpoint, as the DNS server publishes it (its address is the cluster IP).
    await live.client.create(SLICES, slice('kube-dns-self', 'kube-dns', 'kube-system', [{ ip: '127.96.0.10', ready: true }]));
    zone = new ClusterZone({ dnsServiceIP: '127.96.0.10' });
    const informers = new ZoneInformers({ client: live.client, zone, onError: () => undefined });
    running.push(informers);
    expect(zone.ready()).toBe(false);
    informers.start();
    await informers.waitForSync({ timeoutMs: 10_000 });
    expect(zone.ready()).toBe(true);
    expect(data(ask(zone, 'web.default.svc.cluster.local'))).toEqual([JSON.stringify(webIP)]);
    expect(data(ask(zone, 'kubernetes.default.svc.cluster.local'))).toEqual([JSON.stringify('127.96.0.1')]);
    // The zone's NS is the kube-dns Service, as CoreDNS finds its own address among kube-dns's endpoints.
    const ns = ask(zone, 'cluster.local', RRType.NS);
    expect(ns?.answer.map((r) => r.data)).toEqual(['kube-dns.kube-system.svc.cluster.local']);
    expect(ns?.additional.map((r) => `${r.name} ${String(r.data)}`)).toEqual(['kube-dns.kube-system.svc.cluster.local 127.96.0.10']);
    const ptr = ask(zone, `${webIP.split('.').reverse().join('.')}.in-addr.arpa`, RRType.PTR);
    expect(ptr?.answer.map((r) => r.data)).toEqual(['web.default.svc.cluster.local']);
  });

  it('a headless Service and its EndpointSlice written later: A per ready endpoint, names, SRV', async () => {
    await live.client.create<Service>(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 8080 }] } } as Service);
    await live.client.create(SLICES, slice('db-1', 'db', 'default', [{ ip: '127.81.9.1', ready: true, hostname: 'db-0' }, { ip: '127.81.9.2', ready: true }]));
    await eventually('db answers', () => data(ask(zone, 'db.default.svc.cluster.local')).length === 2);
    expect(data(ask(zone, 'db-0.db.default.svc.cluster.local'))).toEqual([JSON.stringify('127.81.9.1')]);
    expect(data(ask(zone, '127-81-9-2.db.default.svc.cluster.local'))).toEqual([JSON.stringify('127.81.9.2')]);
    const srv = ask(zone, '_http._tcp.db.default.svc.cluster.local', RRType.SRV);
    expect(srv?.answer.map((r) => (r.data as { target: string }).target).sort()).toEqual(['127-81-9-2.db.default.svc.cluster.local', 'db-0.db.default.svc.cluster.local']);
  });

  it('an endpoint that stops being ready leaves, and the generation moves', async () => {
    const g = zone.generation();
    const current = await live.client.get<EndpointSlice>(SLICES, 'db-1', 'default');
    await live.client.update<EndpointSlice>(SLICES, { ...current, endpoints: [current.endpoints![0]!, { ...current.endpoints![1]!, conditions: { ready: false } }] });
    await eventually('127.81.9.2 leaves', () => data(ask(zone, 'db.default.svc.cluster.local')).length === 1);
    expect(zone.generation()).toBeGreaterThan(g);
    expect(ask(zone, '127-81-9-2.db.default.svc.cluster.local')?.rcode).toBe(Rcode.NXDOMAIN);
  });

  it('a deleted Service is NXDOMAIN; a new namespace exists (NODATA)', async () => {
    await live.client.delete(SERVICES, 'web', { namespace: 'default' });
    await eventually('web is gone', () => ask(zone, 'web.default.svc.cluster.local')?.rcode === Rcode.NXDOMAIN);
    expect(ask(zone, 'team-a.svc.cluster.local')?.rcode).toBe(Rcode.NXDOMAIN);
    await live.client.create<Namespace>(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } } as Namespace);
    await eventually('team-a exists', () => {
      const a = ask(zone, 'team-a.svc.cluster.local');
      return a?.rcode === Rcode.NOERROR && a.answer.length === 0;
    });
  });

  it('pods verified: a pod with an address in its namespace answers, others do not', async () => {
    const verified = new ClusterZone({ podMode: 'verified' });
    const informers = new ZoneInformers({ client: live.client, zone: verified, onError: () => undefined }).start();
    running.push(informers);
    await informers.waitForSync({ timeoutMs: 10_000 });
    const created = await live.client.create<Pod>(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }] } } as Pod);
    expect(ask(verified, '127-244-7-7.default.pod.cluster.local')?.rcode).toBe(Rcode.NXDOMAIN);
    await live.client.updateStatus<Pod>(PODS, { ...created, status: { phase: 'Running', podIP: '127.244.7.7' } });
    await eventually('the pod answers', () => ask(verified, '127-244-7-7.default.pod.cluster.local')?.answer.length === 1);
    expect(ask(verified, '127-244-7-7.kube-system.pod.cluster.local')?.rcode).toBe(Rcode.NXDOMAIN);
  });
});
