// The mirroring controller against a real API server, beside the EndpointSlice and Endpoints
// controllers (as `tinykube up` runs them), so their hand-offs are covered too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoints, EndpointSlice, Service } from '../../api/core.js';
import { EndpointsController } from '../endpoints/index.js';
import { EndpointSliceController } from '../endpointslice/index.js';
import { TestCluster, eventually, summary } from '../endpointslice/testing/cluster.js';
import { ENDPOINTS, ENDPOINTSLICES, SERVICES } from '../resources.js';
import { EndpointSliceMirroringController } from './controller.js';

const MIRROR = 'endpointslicemirroring-controller.k8s.io';

function endpoints(ns: string, name: string, ips: string[], labels?: Record<string, string>): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
  };
}

describe('EndpointSliceMirroringController', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start([new EndpointSliceController(), new EndpointsController(), new EndpointSliceMirroringController()]);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('mirrors the Endpoints of a Service without a selector, following their changes', async () => {
    const ns = 'mirror';
    await c.namespace(ns);
    await c.service(ns, 'ext', {});
    const ep = await c.client.create(ENDPOINTS, endpoints(ns, 'ext', ['127.50.0.1', '127.50.0.2'], { team: 'a' }));
    const [mirrored] = await eventually(async () => {
      const s = await c.slices(ns, 'ext', MIRROR);
      expect(summary(s)).toEqual(['127.50.0.1 r=true s=undefined t=undefined', '127.50.0.2 r=true s=undefined t=undefined']);
      return s;
    });
    expect(mirrored!.metadata.labels).toEqual({ team: 'a', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': MIRROR });
    expect(mirrored!.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: ep.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(mirrored!.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    // The EndpointSlice controller makes none for it.
    expect(await c.slices(ns, 'ext')).toEqual([]);

    const cur = await c.client.get<Endpoints>(ENDPOINTS, 'ext', ns);
    await c.client.update(ENDPOINTS, { ...cur, subsets: [{ addresses: [{ ip: '127.50.0.3' }], notReadyAddresses: [{ ip: '127.50.0.4' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] });
    await eventually(async () => {
      const s = await c.slices(ns, 'ext', MIRROR);
      expect(s.map((x) => x.metadata.name)).toEqual([mirrored!.metadata.name]);
      expect(summary(s)).toEqual(['127.50.0.3 r=true s=undefined t=undefined', '127.50.0.4 r=false s=undefined t=undefined']);
    });

    // A deleted mirrored slice comes back.
    await c.client.delete(ENDPOINTSLICES, mirrored!.metadata.name!, { namespace: ns });
    await eventually(async () => expect(summary(await c.slices(ns, 'ext', MIRROR))).toHaveLength(2));

    // The Endpoints go: so do their slices.
    await c.client.delete(ENDPOINTS, 'ext', { namespace: ns });
    await eventually(async () => expect(await c.slices(ns, 'ext', MIRROR)).toEqual([]));
  });

  it('skips Endpoints labelled skip-mirror, and those of the kubernetes Service', async () => {
    const ns = 'skip';
    await c.namespace(ns);
    await c.service(ns, 'ext', {});
    await c.client.create(ENDPOINTS, endpoints(ns, 'ext', ['127.50.1.1'], { 'endpointslice.kubernetes.io/skip-mirror': 'true' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(await c.slices(ns, 'ext', MIRROR)).toEqual([]);
    expect(await c.slices('default', 'kubernetes', MIRROR)).toEqual([]);
    // Dropping the label starts the mirroring.
    const cur = await c.client.get<Endpoints>(ENDPOINTS, 'ext', ns);
    await c.client.update(ENDPOINTS, { ...cur, metadata: { ...cur.metadata, labels: {} } });
    await eventually(async () => expect(await c.slices(ns, 'ext', MIRROR)).toHaveLength(1));
  });

  it('removes mirrored slices when the Service gets a selector, or is deleted', async () => {
    const ns = 'handoff';
    await c.namespace(ns);
    await c.service(ns, 'web', {});
    await c.client.create(ENDPOINTS, endpoints(ns, 'web', ['127.50.2.1']));
    await eventually(async () => expect(await c.slices(ns, 'web', MIRROR)).toHaveLength(1));
    await c.pod(ns, 'p', { app: 'web' });
    await c.status(ns, 'p', '127.244.9.1', true);

    // With a selector, the EndpointSlice and Endpoints controllers take over.
    const svc = await c.client.get<Service>(SERVICES, 'web', ns);
    await c.client.update(SERVICES, { ...svc, spec: { ...svc.spec, selector: { app: 'web' } } });
    await eventually(async () => {
      expect(await c.slices(ns, 'web', MIRROR)).toEqual([]);
      expect(summary(await c.slices(ns, 'web'))).toEqual(['127.244.9.1 r=true s=true t=false']);
      const ep = await c.endpoints(ns, 'web');
      expect(ep?.subsets?.[0]?.addresses?.map((a) => a.ip)).toEqual(['127.244.9.1']);
    });

    // Another selectorless Service whose Service is deleted: its mirrored slices go.
    await c.service(ns, 'ext', {});
    await c.client.create(ENDPOINTS, endpoints(ns, 'ext', ['127.50.2.2']));
    await eventually(async () => expect(await c.slices(ns, 'ext', MIRROR)).toHaveLength(1));
    await c.client.delete(SERVICES, 'ext', { namespace: ns });
    await eventually(async () => {
      const all = await c.client.list<EndpointSlice>(ENDPOINTSLICES, { namespace: ns, labelSelector: 'kubernetes.io/service-name=ext' });
      expect(all.items).toEqual([]);
      // The Endpoints controller deletes a deleted Service's Endpoints, whoever wrote them.
      expect(await c.endpoints(ns, 'ext')).toBeUndefined();
    });
    expect(c.logs).toEqual([]);
  });
});
