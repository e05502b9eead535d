// The EndpointSlice controller against a real API server: Services and pods created through the
// API, pod status set through the API, slices read back through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../../api/core.js';
import { ENDPOINTSLICES, PODS, SERVICES } from '../resources.js';
import { EndpointSliceController } from './controller.js';
import { TestCluster, eventually, pool, summary } from './testing/cluster.js';

describe('EndpointSliceController', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start([new EndpointSliceController()]);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('lists ready, not-ready and terminating pods with their conditions, node and zone', async () => {
    const ns = 'conditions';
    await c.namespace(ns);
    await c.node('n1', 'zone-a');
    const svc = await c.service(ns, 'web', { selector: { app: 'web' } }, { team: 'blue' });
    for (const name of ['a', 'b', 'c']) await c.pod(ns, name, { app: 'web' }, { node: 'n1' });
    await c.pod(ns, 'other', { app: 'db' }, { node: 'n1' });
    await c.status(ns, 'a', '127.244.1.1', true);
    await c.status(ns, 'b', '127.244.1.2', false);
    await c.status(ns, 'c', '127.244.1.3', true);
    await c.status(ns, 'other', '127.244.1.4', true);

    const slices = await eventually(async () => {
      const s = await c.slices(ns, 'web');
      expect(summary(s)).toEqual(['127.244.1.1 r=true s=true t=false', '127.244.1.2 r=false s=false t=false', '127.244.1.3 r=true s=true t=false']);
      return s;
    });
    expect(slices).toHaveLength(1);
    const s = slices[0]!;
    expect(s.metadata.name).toMatch(/^web-[a-z0-9]+$/);
    expect(s.metadata.labels).toEqual({ team: 'blue', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(s.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(s.addressType).toBe('IPv4');
    expect(s.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const a = s.endpoints!.find((e) => e.addresses[0] === '127.244.1.1')!;
    expect(a).toMatchObject({ nodeName: 'n1', zone: 'zone-a', targetRef: { kind: 'Pod', namespace: ns, name: 'a' } });

    // b turns Ready, a turns not Ready: updated in place, in the same slice.
    await c.status(ns, 'b', '127.244.1.2', true);
    await c.status(ns, 'a', '127.244.1.1', false);
    await eventually(async () => {
      const now = await c.slices(ns, 'web');
      expect(now.map((x) => x.metadata.name)).toEqual([s.metadata.name]);
      expect(summary(now)).toEqual(['127.244.1.1 r=false s=false t=false', '127.244.1.2 r=true s=true t=false', '127.244.1.3 r=true s=true t=false']);
    });

    // c is deleted: a pod on a node terminates gracefully, so it stays as terminating, serving.
    await c.client.delete(PODS, 'c', { namespace: ns });
    await eventually(async () => {
      expect(summary(await c.slices(ns, 'web'))).toContain('127.244.1.3 r=false s=true t=true');
    });
    await c.client.delete(PODS, 'c', { namespace: ns, gracePeriodSeconds: 0 });
    await eventually(async () => {
      expect(summary(await c.slices(ns, 'web'))).toEqual(['127.244.1.1 r=false s=false t=false', '127.244.1.2 r=true s=true t=false']);
    });
  });

  it('stamps the slices it writes with the time it first saw the change (last-change-trigger-time)', async () => {
    const ns = 'trigger';
    await c.namespace(ns);
    await c.service(ns, 'web', { selector: { app: 'web' } });
    await c.pod(ns, 'a', { app: 'web' });
    const before = Date.now();
    await c.status(ns, 'a', '127.244.3.1', true);
    const slice = await eventually(async () => {
      const [s] = await c.slices(ns, 'web');
      expect(summary([s!])).toEqual(['127.244.3.1 r=true s=true t=false']);
      return s!;
    });
    const stamped = Date.parse(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '');
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(Date.now());
  });

  it('gives a Service that selects nothing one empty slice, filled when pods come', async () => {
    const ns = 'empty';
    await c.namespace(ns);
    await c.service(ns, 'lonely', { selector: { app: 'lonely' } });
    const [placeholder] = await eventually(async () => {
      const s = await c.slices(ns, 'lonely');
      expect(s).toHaveLength(1);
      expect(s[0]!.endpoints ?? []).toEqual([]);
      return s;
    });
    await c.pod(ns, 'p', { app: 'lonely' });
    await c.status(ns, 'p', '127.244.2.1', true);
    await eventually(async () => {
      const s = await c.slices(ns, 'lonely');
      expect(s.map((x) => x.metadata.name)).toEqual([placeholder!.metadata.name]);
      expect(summary(s)).toEqual(['127.244.2.1 r=true s=true t=false']);
    });
  });

  it('puts pods whose named targetPort resolves differently into different slices', async () => {
    const ns = 'named';
    await c.namespace(ns);
    await c.service(ns, 'web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
    await c.pod(ns, 'old1', { app: 'web' }, { ports: [{ name: 'http', containerPort: 8080 }] });
    await c.pod(ns, 'old2', { app: 'web' }, { ports: [{ name: 'http', containerPort: 8080 }] });
    await c.pod(ns, 'new1', { app: 'web' }, { ports: [{ name: 'http', containerPort: 9090 }] });
    await c.status(ns, 'old1', '127.244.3.1', true);
    await c.status(ns, 'old2', '127.244.3.2', true);
    await c.status(ns, 'new1', '127.244.3.3', true);
    await eventually(async () => {
      const byPort = Object.fromEntries(
        (await c.slices(ns, 'web')).map((s) => [String(s.ports?.[0]?.port), (s.endpoints ?? []).map((e) => e.addresses[0]).sort()]),
      );
      expect(byPort).toEqual({ '8080': ['127.244.3.1', '127.244.3.2'], '9090': ['127.244.3.3'] });
    });
  });

  it('publishNotReadyAddresses makes every endpoint ready', async () => {
    const ns = 'publish';
    await c.namespace(ns);
    await c.service(ns, 'db', { selector: { app: 'db' }, clusterIP: 'None', publishNotReadyAddresses: true });
    await c.pod(ns, 'db-0', { app: 'db' });
    await c.status(ns, 'db-0', '127.244.4.1', false);
    await eventually(async () => {
      const s = await c.slices(ns, 'db');
      expect(summary(s)).toEqual(['127.244.4.1 r=true s=false t=false']);
      expect(s[0]!.metadata.labels).toHaveProperty('service.kubernetes.io/headless', '');
    });
  });

  it('splits more than 100 endpoints over slices, and repairs a deleted or edited slice', async () => {
    const ns = 'big';
    await c.namespace(ns);
    await c.service(ns, 'big', { selector: { app: 'big' } });
    const names = Array.from({ length: 230 }, (_, i) => `p${i}`);
    await pool(names, 16, (n) => c.pod(ns, n, { app: 'big' }));
    await pool(names, 16, (n) => {
      const i = Number(n.slice(1));
      return c.status(ns, n, `127.244.${10 + Math.floor(i / 200)}.${(i % 200) + 1}`, true);
    });
    const all = (s: EndpointSlice[]): string[] => s.flatMap((x) => (x.endpoints ?? []).map((e) => e.addresses[0]!)).sort();
    const before = await eventually(async () => {
      const s = await c.slices(ns, 'big');
      expect(all(s)).toHaveLength(230);
      expect(new Set(all(s)).size).toBe(230);
      // Pods arrive one by one, so slices fill unevenly (never over 100), as in Kubernetes.
      expect(s.every((x) => x.endpoints!.length <= 100)).toBe(true);
      expect(s.length).toBeGreaterThanOrEqual(3);
      return s;
    }, 20_000);

    // Someone deletes a slice: the controller puts its endpoints back.
    const victim = [...before].sort((x, y) => y.endpoints!.length - x.endpoints!.length)[0]!;
    await c.client.delete(ENDPOINTSLICES, victim.metadata.name!, { namespace: ns });
    await eventually(async () => {
      const s = await c.slices(ns, 'big');
      expect(s.map((x) => x.metadata.name)).not.toContain(victim.metadata.name);
      expect(all(s)).toEqual(all(before));
    });

    // Someone empties a slice's endpoints: repaired too.
    const [edited] = await c.slices(ns, 'big');
    await c.client.update(ENDPOINTSLICES, { ...edited!, endpoints: edited!.endpoints!.slice(0, 1) });
    await eventually(async () => {
      expect(all(await c.slices(ns, 'big'))).toEqual(all(before));
    });
  });

  it('follows a selector change, and leaves a pod on an unknown node out until the node exists', async () => {
    const ns = 'selector';
    await c.namespace(ns);
    await c.service(ns, 'web', { selector: { app: 'v1' } });
    await c.pod(ns, 'one', { app: 'v1' });
    await c.pod(ns, 'two', { app: 'v2' });
    await c.pod(ns, 'three', { app: 'v2' }, { node: 'late-node' });
    await c.status(ns, 'one', '127.244.5.1', true);
    await c.status(ns, 'two', '127.244.5.2', true);
    await c.status(ns, 'three', '127.244.5.3', true);
    await eventually(async () => expect(summary(await c.slices(ns, 'web'))).toEqual(['127.244.5.1 r=true s=true t=false']));
    const svc = await c.client.get<Service>(SERVICES, 'web', ns);
    await c.client.update(SERVICES, { ...svc, spec: { ...svc.spec, selector: { app: 'v2' } } });
    await eventually(async () => expect(summary(await c.slices(ns, 'web'))).toEqual(['127.244.5.2 r=true s=true t=false']));
    await c.node('late-node');
    await eventually(async () => expect(summary(await c.slices(ns, 'web'))).toEqual(['127.244.5.2 r=true s=true t=false', '127.244.5.3 r=true s=true t=false']));
    // A pod relabelled out of the selection leaves.
    await c.client.patch(PODS, 'two', { metadata: { labels: { app: 'gone' } } }, 'merge', { namespace: ns });
    await eventually(async () => expect(summary(await c.slices(ns, 'web'))).toEqual(['127.244.5.3 r=true s=true t=false']));
  });

  it('leaves Services without a selector alone, and a deleted Service loses its slices', async () => {
    const ns = 'lifecycle';
    await c.namespace(ns);
    await c.service(ns, 'manual', {});
    await c.service(ns, 'web', { selector: { app: 'web' } });
    await c.pod(ns, 'p', { app: 'web' });
    await c.status(ns, 'p', '127.244.6.1', true);
    await eventually(async () => expect(await c.slices(ns, 'web')).toHaveLength(1));
    expect(await c.slices(ns, 'manual')).toEqual([]);
    // The kubernetes Service's slice is the API server's, never ours.
    const kube = await c.client.list<EndpointSlice>(ENDPOINTSLICES, { namespace: 'default', labelSelector: 'kubernetes.io/service-name=kubernetes' });
    expect(kube.items.map((s) => s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'])).toEqual([undefined]);

    await c.client.delete(SERVICES, 'web', { namespace: ns });
    await eventually(async () => expect(await c.slices(ns, 'web')).toEqual([]));
    expect(c.logs.filter((l) => l.includes('endpointslice-controller'))).toEqual([]);
  });
});
