// The service proxy against a real API server: Services and EndpointSlices written through the
// API become listeners on the cluster IP that reach real backends; an endpoint that stops being
// ready leaves rotation; a deleted Service stops listening.
import { createServer, connect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../api/core.js';
import { resourceRef } from '../client/index.js';
import { eventually, startLiveCluster, type LiveCluster } from '../controllers/testing/live-cluster.js';
import { ServiceProxy, withoutSelfServed } from './proxy.js';
import { servicePortKey } from './types.js';
import { endpoint, servicePort, stateOf } from './userspace/testing/backends.js';

const SERVICES = resourceRef('', 'v1', 'services');
const SLICES = resourceRef('discovery.k8s.io', 'v1', 'endpointslices');

let live: LiveCluster;
let proxy: ServiceProxy;
const backends: Server[] = [];
const BACKEND_IPS = ['127.81.7.11', '127.81.7.12'];

/** A backend that answers every connection with its own address, then closes. */
function backend(ip: string): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((sock) => {
      sock.on('error', () => undefined);
      sock.end(ip);
    });
    s.listen(9090, ip, () => resolve(s));
  });
}

function ask(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`error:${e.code ?? e.message}`));
  });
}

function slice(ready: boolean[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'echo-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'echo' } },
    addressType: 'IPv4',
    ports: [{ name: 'tcp', port: 9090, protocol: 'TCP' }],
    endpoints: BACKEND_IPS.map((ip, i) => ({ addresses: [ip], conditions: { ready: ready[i] } })),
  } as EndpointSlice;
}

beforeAll(async () => {
  live = await startLiveCluster([], { serviceCidr: '127.96.0.0/12' });
  for (const ip of BACKEND_IPS) backends.push(await backend(ip));
  proxy = new ServiceProxy({ client: live.client, nodeName: 'node-1', nodeIPs: ['127.81.7.1'], minSyncPeriodMs: 5, metrics: { host: '127.81.7.1', port: 0 }, log: () => undefined });
  await proxy.start();
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  for (const b of backends) await new Promise((r) => b.close(r));
  await live?.stop();
});

describe('ServiceProxy', () => {
  let ip = '';

  it('renders a Service and its EndpointSlice as a listener on the cluster IP', async () => {
    const svc = await live.client.create<Service>(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'default' }, spec: { ports: [{ name: 'tcp', port: 7000, targetPort: 9090 }] } } as Service);
    ip = svc.spec.clusterIP!;
    await live.client.create(SLICES, slice([true, true]));
    const seen = new Set<string>();
    await eventually('both backends answer through the cluster IP', async () => {
      const r = await ask(ip, 7000);
      if (!r.startsWith('error:')) seen.add(r);
      return seen.size === 2;
    });
    expect([...seen].sort()).toEqual(BACKEND_IPS);
  });

  it('an endpoint that is not ready leaves rotation', async () => {
    const current = await live.client.get<EndpointSlice>(SLICES, 'echo-abc', 'default');
    await live.client.update(SLICES, { ...slice([true, false]), metadata: { ...slice([true, false]).metadata, resourceVersion: current.metadata.resourceVersion } });
    await eventually('only the ready backend', async () => {
      for (let i = 0; i < 6; i++) if ((await ask(ip, 7000)) !== BACKEND_IPS[0]) return false;
      return true;
    });
  });

  it('serves /healthz and Prometheus /metrics as kube-proxy does', async () => {
    const health = await fetch(`http://127.81.7.1:${proxy.metricsPort}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { nodeEligible: boolean }).nodeEligible).toBe(true);
    const text = await (await fetch(`http://127.81.7.1:${proxy.metricsPort}/metrics`)).text();
    expect(text).toMatch(/^kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]\d*$/m);
    expect(text).toMatch(/^kubeproxy_network_programming_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
    expect(text).toMatch(/^tinykube_proxy_connections_total [1-9]\d*$/m);
    expect(text).toMatch(/^tinykube_proxy_sent_bytes_total [1-9]\d*$/m);
  });

  it('answers the health check node port of a LoadBalancer with externalTrafficPolicy Local', async () => {
    const svc = await live.client.create<Service>(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'local-lb', namespace: 'default' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'tcp', port: 7001, targetPort: 9090 }] } } as Service);
    const hc = svc.spec['healthCheckNodePort'] as number;
    expect(hc).toBeGreaterThan(0);
    const local = (nodeName: string): EndpointSlice => ({ ...slice([true, true]), metadata: { name: 'local-lb-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'local-lb' } }, endpoints: [{ addresses: [BACKEND_IPS[0]!], conditions: { ready: true }, nodeName }] }) as EndpointSlice;
    await live.client.create(SLICES, local('node-1'));
    const ok = await eventually('200 with one local endpoint', async () => {
      const r = await fetch(`http://127.81.7.1:${hc}/healthz`).catch(() => undefined);
      return r?.status === 200 ? ((await r.json()) as { localEndpoints: number; service: { name: string } }) : undefined;
    });
    expect(ok).toMatchObject({ localEndpoints: 1, service: { namespace: 'default', name: 'local-lb' }, serviceProxyHealthy: true });
    const current = await live.client.get<EndpointSlice>(SLICES, 'local-lb-1', 'default');
    await live.client.update(SLICES, { ...local('node-2'), metadata: { ...local('node-2').metadata, resourceVersion: current.metadata.resourceVersion } });
    await eventually('503 without local endpoints', async () => (await fetch(`http://127.81.7.1:${hc}/healthz`).catch(() => undefined))?.status === 503);
    await live.client.delete(SERVICES, 'local-lb', { namespace: 'default' });
  });

  it('a deleted Service stops listening', async () => {
    await live.client.delete(SERVICES, 'echo', { namespace: 'default' });
    await eventually('refused', async () => (await ask(ip, 7000)) === 'error:ECONNREFUSED');
    expect(proxy.stats.syncs).toBeGreaterThan(1);
  });
});

describe('withoutSelfServed', () => {
  const dns = servicePort('kube-dns', { clusterIPs: ['127.96.0.10'], port: 53, endpoints: [endpoint({ ip: '127.96.0.10', port: 53 })] });
  const web = servicePort('web', { clusterIPs: ['127.96.0.20'], port: 80, endpoints: [endpoint({ ip: '127.244.0.5', port: 8080 })] });

  it('leaves out a service port whose endpoints are its own cluster IP and port', () => {
    expect([...withoutSelfServed(stateOf(dns, web)).keys()]).toEqual([servicePortKey(web.name)]);
  });

  it('keeps one with another endpoint besides, one on another port, and one with none', () => {
    const mixed = { ...dns, endpoints: [...dns.endpoints, endpoint({ ip: '127.244.0.9', port: 53 })] };
    const otherPort = { ...dns, endpoints: [endpoint({ ip: '127.96.0.10', port: 5353 })] };
    for (const sp of [mixed, otherPort, { ...dns, endpoints: [] }]) expect(withoutSelfServed(stateOf(sp)).size).toBe(1);
  });
});
