import { describe, expect, it } from 'vitest';
import type { Endpoints, EndpointSlice } from '../../api/core.js';
import { planMirroredSlices } from './reconciler.js';

function endpoints(subsets: Endpoints['subsets'], meta: Partial<Endpoints['metadata']> = {}): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext', namespace: 'default', uid: 'uid-ep', ...meta }, subsets };
}

const P80 = { name: 'http', port: 80, protocol: 'TCP' };

function named(s: EndpointSlice, name: string, rv = '3'): EndpointSlice {
  const { generateName: _unused, ...meta } = s.metadata;
  return { ...s, metadata: { ...meta, name, uid: `uid-${name}`, resourceVersion: rv, generation: 1 } };
}

describe('planMirroredSlices', () => {
  it('mirrors addresses, ports, labels and annotations into one slice owned by the Endpoints', () => {
    const ep = endpoints(
      [{ addresses: [{ ip: '127.50.0.1', hostname: 'h1', nodeName: 'n1' }], notReadyAddresses: [{ ip: '127.50.0.2' }], ports: [{ port: 80, name: 'http' }] }],
      { labels: { team: 'a' }, annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'endpoints.kubernetes.io/last-change-trigger-time': 't' } },
    );
    const p = planMirroredSlices({ endpoints: ep, existing: [] });
    expect(p.create).toHaveLength(1);
    const s = p.create[0]!;
    expect(s.metadata).toEqual({
      generateName: 'ext-',
      namespace: 'default',
      labels: { team: 'a', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' },
      annotations: { note: 'x' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: 'uid-ep', controller: true, blockOwnerDeletion: true }],
    });
    expect(s.addressType).toBe('IPv4');
    expect(s.ports).toEqual([P80]);
    expect(s.endpoints).toEqual([
      { addresses: ['127.50.0.1'], conditions: { ready: true }, nodeName: 'n1', hostname: 'h1' },
      { addresses: ['127.50.0.2'], conditions: { ready: false } },
    ]);
  });

  it('writes nothing when the slice already mirrors the Endpoints', () => {
    const ep = endpoints([{ addresses: [{ ip: '127.50.0.1' }], ports: [P80] }]);
    const first = planMirroredSlices({ endpoints: ep, existing: [] });
    const again = planMirroredSlices({ endpoints: ep, existing: [named(first.create[0]!, 'ext-a')] });
    expect([again.create, again.update, again.delete]).toEqual([[], [], []]);
  });

  it('rewrites the slice in place when an address changes, and when the labels do', () => {
    const ep = endpoints([{ addresses: [{ ip: '127.50.0.1' }], ports: [P80] }]);
    const existing = named(planMirroredSlices({ endpoints: ep, existing: [] }).create[0]!, 'ext-a');
    const moved = planMirroredSlices({ endpoints: endpoints([{ addresses: [{ ip: '127.50.0.9' }], ports: [P80] }]), existing: [existing] });
    expect(moved.update.map((s) => [s.metadata.name, s.metadata.resourceVersion, s.endpoints![0]!.addresses])).toEqual([['ext-a', '3', ['127.50.0.9']]]);
    const relabelled = planMirroredSlices({ endpoints: endpoints(ep.subsets, { labels: { x: 'y' } }), existing: [existing] });
    expect(relabelled.update[0]!.metadata.labels).toMatchObject({ x: 'y' });
  });

  it('one slice per port set and address type; a port set that went is recycled', () => {
    const ep = endpoints([
      { addresses: [{ ip: '127.50.0.1' }, { ip: 'fd00::1' }], ports: [P80] },
      { addresses: [{ ip: '127.50.0.2' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    ]);
    const p = planMirroredSlices({ endpoints: ep, existing: [] });
    expect(p.create.map((s) => [s.addressType, s.ports!.map((x) => x.port), s.endpoints!.map((e) => e.addresses[0])]).sort()).toEqual([
      ['IPv4', [53], ['127.50.0.2']],
      ['IPv4', [80], ['127.50.0.1']],
      ['IPv6', [80], ['fd00::1']],
    ]);
    const existing = p.create.map((s, i) => named(s, `ext-${i}`));
    const only53 = planMirroredSlices({ endpoints: endpoints([{ addresses: [{ ip: '127.50.0.2' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }]), existing });
    expect(only53.create).toEqual([]);
    expect(only53.delete.map((s) => s.addressType).sort()).toEqual(['IPv4', 'IPv6']);
  });

  it('skips invalid IPs and addresses over the per-subset cap (ready ones first)', () => {
    const addresses = Array.from({ length: 5 }, (_, i) => ({ ip: `127.50.0.${i + 1}` }));
    const p = planMirroredSlices({
      endpoints: endpoints([{ addresses: [...addresses, { ip: 'not-an-ip' }], notReadyAddresses: [{ ip: '127.50.1.1' }], ports: [P80] }]),
      existing: [],
      maxEndpointsPerSubset: 3,
    });
    expect(p.create[0]!.endpoints!.map((e) => e.addresses[0])).toEqual(['127.50.0.1', '127.50.0.2', '127.50.0.3']);
    expect(p.skippedAddresses).toBe(4);
  });

  it('Endpoints without addresses leave no slices', () => {
    const ep = endpoints([{ addresses: [{ ip: '127.50.0.1' }], ports: [P80] }]);
    const existing = named(planMirroredSlices({ endpoints: ep, existing: [] }).create[0]!, 'ext-a');
    const p = planMirroredSlices({ endpoints: endpoints([]), existing: [existing] });
    expect(p.delete.map((s) => s.metadata.name)).toEqual(['ext-a']);
  });
});
