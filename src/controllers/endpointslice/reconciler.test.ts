import { describe, expect, it } from 'vitest';
import type { Endpoint, EndpointSlice, Node, Pod, Service } from '../../api/core.js';
import { podToEndpoint } from './endpoint.js';
import { planEndpointSlices, sliceToFill, type SlicePlan } from './reconciler.js';
import { pod, service, slice } from './testing/fixtures.js';

const HTTP = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];

function pods(n: number, from = 0, opts: Parameters<typeof pod>[1] = {}): Pod[] {
  return Array.from({ length: n }, (_, i) => pod(`p${from + i}`, { ip: `127.244.${Math.floor((from + i) / 250)}.${((from + i) % 250) + 1}`, ...opts }));
}

function ep(p: Pod, svc: Service, node?: Node): Endpoint {
  return podToEndpoint(p, node, svc, 'IPv4');
}

function plan(svc: Service, ps: Pod[], existing: EndpointSlice[] = [], nodes: Node[] = [], max = 100): SlicePlan {
  return planEndpointSlices({ service: svc, pods: ps, existing, node: (n) => nodes.find((x) => x.metadata.name === n), maxEndpointsPerSlice: max });
}

const names = (slices: EndpointSlice[]): string[] => slices.map((s) => s.metadata.name ?? `(new ${s.metadata.generateName})`);
const podNames = (s: EndpointSlice): string[] => (s.endpoints ?? []).map((e) => e.targetRef!.name!).sort();

describe('endpoint conditions (podToEndpoint)', () => {
  const svc = service('web');
  const publish = service('web', { publishNotReadyAddresses: true });
  const cases: [string, Parameters<typeof pod>[1], Service, { ready: boolean; serving: boolean; terminating: boolean }][] = [
    ['ready pod', {}, svc, { ready: true, serving: true, terminating: false }],
    ['not ready pod', { ready: false }, svc, { ready: false, serving: false, terminating: false }],
    ['terminating ready pod: serving but not ready', { deleting: true }, svc, { ready: false, serving: true, terminating: true }],
    ['terminating not-ready pod', { deleting: true, ready: false }, svc, { ready: false, serving: false, terminating: true }],
    ['publishNotReadyAddresses: not ready counts as ready', { ready: false }, publish, { ready: true, serving: false, terminating: false }],
    ['publishNotReadyAddresses: terminating counts as ready', { deleting: true }, publish, { ready: true, serving: true, terminating: true }],
  ];
  it.each(cases)('%s', (_what, opts, s, want) => {
    expect(ep(pod('a', opts), s).conditions).toEqual(want);
  });

  it('carries the pod as target, its node, the node zone and the hostname', () => {
    const node: Node = { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } };
    const p = pod('a', { ip: '127.244.0.7', node: 'n1', hostname: 'a0', subdomain: 'web' });
    expect(ep(p, svc, node)).toEqual({
      addresses: ['127.244.0.7'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' },
      nodeName: 'n1',
      zone: 'zone-a',
      hostname: 'a0',
    });
  });
});

describe('planEndpointSlices', () => {
  const svc = service('web', { labels: { team: 'a' } });

  it('a Service selecting nothing gets one empty placeholder slice, and keeps it', () => {
    const p = plan(svc, []);
    expect(p.create).toHaveLength(1);
    const ph = p.create[0]!;
    expect(ph.metadata.generateName).toBe('web-');
    expect(ph.metadata.labels).toEqual({ team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(ph.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true }]);
    expect(ph.endpoints).toEqual([]);
    expect(ph.ports).toEqual([]);
    const again = plan(svc, [], [slice('web-ph', svc, [], [])]);
    expect([again.create, again.update, again.delete]).toEqual([[], [], []]);
  });

  it('pods without an address or in a terminal phase leave a Service with its placeholder', () => {
    const p = plan(svc, [pod('a', { ip: '' }), pod('b', { phase: 'Succeeded' })], [slice('web-ph', svc, [], [])]);
    expect([p.create, p.update, p.delete]).toEqual([[], [], []]);
  });

  it('the first pods recycle the placeholder instead of create + delete', () => {
    const p = plan(svc, pods(3), [slice('web-ph', svc, [], [])]);
    expect(p.create).toEqual([]);
    expect(p.delete).toEqual([]);
    expect(names(p.update)).toEqual(['web-ph']);
    expect(p.update[0]!.ports).toEqual(HTTP.map((x) => ({ ...x, name: 'http', port: 8080 })));
    expect(p.update[0]!.metadata.resourceVersion).toBe('5');
    expect(podNames(p.update[0]!)).toEqual(['p0', 'p1', 'p2']);
  });

  it('an unchanged Service writes nothing', () => {
    const ps = pods(3);
    const p = plan(svc, ps, [slice('web-1', svc, ps.map((x) => ep(x, svc)), HTTP)]);
    expect([p.create, p.update, p.delete]).toEqual([[], [], []]);
  });

  it('a readiness flip updates that endpoint in place, in its own slice only', () => {
    const ps = pods(150);
    const a = slice('web-a', svc, ps.slice(0, 100).map((x) => ep(x, svc)), HTTP);
    const b = slice('web-b', svc, ps.slice(100).map((x) => ep(x, svc)), HTTP);
    ps[120] = pod('p120', { ip: ps[120]!.status!.podIP, ready: false });
    const p = plan(svc, ps, [a, b]);
    expect(names(p.update)).toEqual(['web-b']);
    expect([p.create, p.delete]).toEqual([[], []]);
    const flipped = p.update[0]!.endpoints!.find((e) => e.targetRef!.name === 'p120')!;
    expect(flipped.conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(p.update[0]!.endpoints!.map((e) => e.targetRef!.name)).toEqual(b.endpoints!.map((e) => e.targetRef!.name));
  });

  it('more than maxEndpointsPerSlice endpoints are split over slices', () => {
    const p = plan(svc, pods(250));
    expect(p.create.map((s) => s.endpoints!.length).sort()).toEqual([100, 100, 50]);
    expect(new Set(p.create.flatMap((s) => s.endpoints!.map((e) => e.addresses[0]))).size).toBe(250);
  });

  it('new endpoints fill a slice being rewritten first, then the unchanged slice they fit best', () => {
    const ps = pods(150);
    const a = slice('web-a', svc, ps.slice(0, 100).map((x) => ep(x, svc)), HTTP);
    const b = slice('web-b', svc, ps.slice(100, 150).map((x) => ep(x, svc)), HTTP);
    // p0 leaves (a is rewritten), two pods arrive: one fills a back to 100, the other goes to b.
    const now = [...ps.slice(1), ...pods(2, 500)];
    const p = plan(svc, now, [a, b]);
    expect(p.create).toEqual([]);
    expect(p.delete).toEqual([]);
    expect(names(p.update).sort()).toEqual(['web-a', 'web-b']);
    const sizes = Object.fromEntries(p.update.map((s) => [s.metadata.name, s.endpoints!.length]));
    expect(sizes).toEqual({ 'web-a': 100, 'web-b': 51 });
  });

  it('a slice whose endpoints all left is deleted; the others stay untouched', () => {
    const ps = pods(150);
    const a = slice('web-a', svc, ps.slice(0, 100).map((x) => ep(x, svc)), HTTP);
    const b = slice('web-b', svc, ps.slice(100).map((x) => ep(x, svc)), HTTP);
    const p = plan(svc, ps.slice(0, 100), [a, b]);
    expect(names(p.delete)).toEqual(['web-b']);
    expect([p.create, p.update]).toEqual([[], []]);
  });

  it('when every pod is gone the last slice becomes the placeholder', () => {
    const ps = pods(2);
    const p = plan(svc, [], [slice('web-a', svc, ps.map((x) => ep(x, svc)), HTTP)]);
    expect(p.delete).toEqual([]);
    expect(names(p.update)).toEqual(['web-a']);
    expect(p.update[0]!.endpoints).toEqual([]);
    expect(p.update[0]!.ports).toEqual([]);
  });

  it('pods whose named targetPort resolves differently go into different slices', () => {
    const named = service('web', { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
    const old = pods(2, 0, { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] });
    const neu = pods(3, 10, { ports: [{ name: 'http', containerPort: 9090, protocol: 'TCP' }] });
    const none = pods(1, 20, { ports: [] });
    const p = plan(named, [...old, ...neu, ...none]);
    const byPort = Object.fromEntries(p.create.map((s) => [s.ports!.map((x) => x.port).join(',') || 'none', podNames(s)]));
    expect(byPort).toEqual({ '8080': ['p0', 'p1'], '9090': ['p10', 'p11', 'p12'], none: ['p20'] });
  });

  it('slices owned by another Service of the same name are replaced (recycled)', () => {
    const foreign = slice('web-old', svc, [], HTTP, { ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'older-uid' }] });
    const p = plan(svc, pods(1), [foreign]);
    // Not owned: never recycled, so a new slice is created and the old one deleted.
    expect(p.create).toHaveLength(1);
    expect(names(p.delete)).toEqual(['web-old']);
  });

  it('a change of the Service labels rewrites the slice labels', () => {
    const ps = pods(1);
    const s = slice('web-a', svc, ps.map((x) => ep(x, svc)), HTTP);
    const relabelled = service('web', { labels: { team: 'b' } });
    const p = plan(relabelled, ps, [s]);
    expect(names(p.update)).toEqual(['web-a']);
    expect(p.update[0]!.metadata.labels).toMatchObject({ team: 'b', 'kubernetes.io/service-name': 'web' });
  });

  it('headless Services get the headless label', () => {
    const p = plan(service('h', { clusterIP: 'None' }), []);
    expect(p.create[0]!.metadata.labels).toHaveProperty('service.kubernetes.io/headless', '');
  });

  it('a pod on an unknown node is left out (and reported), unless all addresses are published', () => {
    const p = plan(svc, [pod('a', { node: 'n9' }), pod('b')]);
    expect(p.missingNodes).toEqual(['n9']);
    expect(p.create.flatMap(podNames)).toEqual(['b']);
    const pub = plan(service('web', { publishNotReadyAddresses: true }), [pod('a', { node: 'n9' })]);
    expect(pub.create.flatMap(podNames)).toEqual(['a']);
  });

  it('slices of an address type the Service no longer has are deleted', () => {
    const v6 = { ...slice('web-v6', svc, [], []), addressType: 'IPv6' as const };
    const p = plan(svc, [], [v6, slice('web-ph', svc, [], [])]);
    expect(names(p.delete)).toEqual(['web-v6']);
  });

  it('sliceToFill picks the slice the endpoints bring closest to full', () => {
    const s = (n: number): EndpointSlice => slice(`s${n}`, svc, Array.from({ length: n }, () => ep(pod('x'), svc)), HTTP);
    expect(sliceToFill([s(10), s(95), s(60)], 5, 100)?.metadata.name).toBe('s95');
    expect(sliceToFill([s(10), s(96), s(60)], 5, 100)?.metadata.name).toBe('s60');
    expect(sliceToFill([s(99)], 5, 100)).toBeUndefined();
  });
});
