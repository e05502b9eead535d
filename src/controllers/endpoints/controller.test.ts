// The Endpoints controller against a real API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoints, EndpointSubset } from '../../api/core.js';
import { ENDPOINTS, PODS, SERVICES } from '../resources.js';
import { TestCluster, eventually, pool } from '../endpointslice/testing/cluster.js';
import { EndpointsController } from './controller.js';

/** "ip:port" of ready and "(ip:port)" of not-ready addresses, sorted. */
function view(subsets: EndpointSubset[] | undefined): string[] {
  return (subsets ?? [])
    .flatMap((ss) =>
      (ss.ports ?? [{ port: 0 }]).flatMap((p) => [
        ...(ss.addresses ?? []).map((a) => `${a.ip}:${p.port}`),
        ...(ss.notReadyAddresses ?? []).map((a) => `(${a.ip}:${p.port})`),
      ]),
    )
    .sort();
}

describe('EndpointsController', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start([new EndpointsController()]);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('lists ready pods as addresses and not-ready ones apart, leaving terminating pods out', async () => {
    const ns = 'basic';
    await c.namespace(ns);
    await c.node('n1');
    await c.service(ns, 'web', { selector: { app: 'web' } }, { team: 'blue' });
    for (const n of ['a', 'b', 'c']) await c.pod(ns, n, { app: 'web' }, { node: 'n1' });
    await c.status(ns, 'a', '127.244.1.1', true);
    await c.status(ns, 'b', '127.244.1.2', false);
    await c.status(ns, 'c', '127.244.1.3', true);
    const ep = await eventually(async () => {
      const e = await c.endpoints(ns, 'web');
      expect(view(e?.subsets)).toEqual(['(127.244.1.2:8080)', '127.244.1.1:8080', '127.244.1.3:8080']);
      return e!;
    });
    expect(ep.metadata.labels).toEqual({ team: 'blue' });
    expect(ep.subsets![0]!.addresses![0]).toEqual({ ip: '127.244.1.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: ns, name: 'a', uid: expect.any(String) } });
    expect(ep.subsets![0]!.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);

    await c.status(ns, 'b', '127.244.1.2', true);
    await eventually(async () => expect(view((await c.endpoints(ns, 'web'))?.subsets)).toEqual(['127.244.1.1:8080', '127.244.1.2:8080', '127.244.1.3:8080']));
    // A terminating pod (graceful delete of a pod on a node) leaves at once.
    await c.client.delete(PODS, 'c', { namespace: ns });
    await eventually(async () => expect(view((await c.endpoints(ns, 'web'))?.subsets)).toEqual(['127.244.1.1:8080', '127.244.1.2:8080']));

    // A pod change that does not touch its endpoint writes nothing.
    const rv = (await c.endpoints(ns, 'web'))!.metadata.resourceVersion;
    await c.client.patch(PODS, 'a', { metadata: { annotations: { note: 'x' } } }, 'merge', { namespace: ns });
    await c.status(ns, 'a', '127.244.1.1', true);
    await new Promise((r) => setTimeout(r, 300));
    expect((await c.endpoints(ns, 'web'))!.metadata.resourceVersion).toBe(rv);
  });

  it('labels the Endpoints of a headless Service, and publishes not-ready addresses when asked', async () => {
    const ns = 'headless';
    await c.namespace(ns);
    await c.service(ns, 'db', { selector: { app: 'db' }, clusterIP: 'None', publishNotReadyAddresses: true, ports: [] });
    await c.pod(ns, 'db-0', { app: 'db' });
    await c.status(ns, 'db-0', '127.244.2.1', false);
    await eventually(async () => {
      const e = await c.endpoints(ns, 'db');
      expect(e?.metadata.labels).toEqual({ 'service.kubernetes.io/headless': '' });
      expect(view(e?.subsets)).toEqual(['127.244.2.1:0']);
    });
  });

  it('caps at 1000 addresses with the over-capacity annotation, and drops it when back under', async () => {
    const ns = 'capacity';
    await c.namespace(ns);
    await c.service(ns, 'big', { selector: { app: 'big' } });
    const names = Array.from({ length: 1010 }, (_, i) => `p${i}`);
    await pool(names, 32, (n) => c.pod(ns, n, { app: 'big' }));
    await pool(names, 32, (n) => {
      const i = Number(n.slice(1));
      return c.status(ns, n, `127.245.${Math.floor(i / 250)}.${(i % 250) + 1}`, true);
    });
    await eventually(async () => {
      const e = await c.endpoints(ns, 'big');
      expect(e?.metadata.annotations?.['endpoints.kubernetes.io/over-capacity']).toBe('truncated');
      expect(view(e?.subsets)).toHaveLength(1000);
    }, 30_000);
    await pool(names.slice(0, 20), 8, (n) => c.client.delete(PODS, n, { namespace: ns }));
    await eventually(async () => {
      const e = await c.endpoints(ns, 'big');
      expect(e?.metadata.annotations?.['endpoints.kubernetes.io/over-capacity']).toBeUndefined();
      expect(view(e?.subsets)).toHaveLength(990);
    }, 30_000);
  });

  it("keeps off Endpoints of Services without a selector and the API server's own", async () => {
    const ns = 'manual';
    await c.namespace(ns);
    await c.service(ns, 'ext', {});
    const mine: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext', namespace: ns }, subsets: [{ addresses: [{ ip: '127.50.0.1' }], ports: [{ port: 80 }] }] };
    await c.client.create(ENDPOINTS, mine);
    const kube = await c.endpoints('default', 'kubernetes');
    // Touch the Service: a sync runs, and must not change the user's Endpoints.
    await c.client.patch(SERVICES, 'ext', { metadata: { labels: { touched: 'yes' } } }, 'merge', { namespace: ns });
    await new Promise((r) => setTimeout(r, 300));
    expect(view((await c.endpoints(ns, 'ext'))?.subsets)).toEqual(['127.50.0.1:80']);
    expect((await c.endpoints('default', 'kubernetes'))?.metadata.resourceVersion).toBe(kube?.metadata.resourceVersion);
  });

  it('recreates deleted Endpoints, and deletes them with their Service', async () => {
    const ns = 'lifecycle';
    await c.namespace(ns);
    await c.service(ns, 'web', { selector: { app: 'web' } });
    await c.pod(ns, 'p', { app: 'web' });
    await c.status(ns, 'p', '127.244.3.1', true);
    await eventually(async () => expect(view((await c.endpoints(ns, 'web'))?.subsets)).toEqual(['127.244.3.1:8080']));
    await c.client.delete(ENDPOINTS, 'web', { namespace: ns });
    await eventually(async () => expect(view((await c.endpoints(ns, 'web'))?.subsets)).toEqual(['127.244.3.1:8080']));
    await c.client.delete(SERVICES, 'web', { namespace: ns });
    await eventually(async () => expect(await c.endpoints(ns, 'web')).toBeUndefined());
    expect(c.logs.filter((l) => l.includes('endpoints-controller'))).toEqual([]);
  });
});
