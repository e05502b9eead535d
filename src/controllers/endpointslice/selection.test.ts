import { describe, expect, it } from 'vitest';
import type { Pod, Service } from '../../api/core.js';
import { ServiceSelectionIndex } from './selection.js';
import { EndpointSliceTracker } from './tracker.js';
import { serviceKeyOfSlice } from './slice-index.js';
import { FakeInformer, pod, service, slice } from './testing/fixtures.js';

function setup(): { pods: FakeInformer<Pod>; services: FakeInformer<Service>; idx: ServiceSelectionIndex } {
  const pods = new FakeInformer<Pod>();
  const services = new FakeInformer<Service>();
  return { pods, services, idx: new ServiceSelectionIndex(pods, services) };
}

describe('ServiceSelectionIndex', () => {
  it('finds the pods a selector matches, in the Service namespace only', () => {
    const { pods, services, idx } = setup();
    pods.set(pod('a', { labels: { app: 'web', tier: 'fe' } }));
    pods.set(pod('b', { labels: { app: 'web' } }));
    pods.set(pod('c', { labels: { app: 'db' } }));
    pods.set(pod('d', { labels: { app: 'web' }, ns: 'other' }));
    const names = (s: Service): string[] => idx.podsFor(s).map((p) => p.metadata.name!).sort();
    expect(names(service('web', { selector: { app: 'web' } }))).toEqual(['a', 'b']);
    expect(names(service('fe', { selector: { app: 'web', tier: 'fe' } }))).toEqual(['a']);
    expect(names(service('none', { selector: { app: 'nope' } }))).toEqual([]);
    expect(names(service('all', { selector: {} }))).toEqual(['a', 'b', 'c']);
    expect(names(service('manual', { selector: null }))).toEqual([]);
    services.set(service('x'));
    // Relabelling and deletion move pods in and out.
    pods.set(pod('c', { labels: { app: 'web' } }));
    pods.delete('default/a');
    expect(names(service('web', { selector: { app: 'web' } }))).toEqual(['b', 'c']);
  });

  it('finds the Services selecting a pod (GetServicesToUpdate)', () => {
    const { services, idx } = setup();
    services.set(service('web', { selector: { app: 'web' } }));
    services.set(service('fe', { selector: { app: 'web', tier: 'fe' } }));
    services.set(service('all', { selector: {} }));
    services.set(service('manual', { selector: null }));
    services.set(service('web2', { selector: { app: 'web' }, ns: 'other' }));
    const keys = (s: Set<string>): string[] => [...s].sort();
    const a = pod('a', { labels: { app: 'web' }, rv: '1' });
    expect(keys(idx.servicesToUpdate(undefined, a))).toEqual(['default/all', 'default/web']);
    expect(keys(idx.servicesToUpdate(a, undefined))).toEqual(['default/all', 'default/web']);
    // A change that affects no endpoint: nothing.
    expect(keys(idx.servicesToUpdate(a, pod('a', { labels: { app: 'web' }, rv: '2' })))).toEqual([]);
    // Readiness: every Service selecting it.
    expect(keys(idx.servicesToUpdate(a, pod('a', { labels: { app: 'web' }, rv: '2', ready: false })))).toEqual(['default/all', 'default/web']);
    // Labels only: the Services it joined or left.
    expect(keys(idx.servicesToUpdate(a, pod('a', { labels: { app: 'web', tier: 'fe' }, rv: '2' })))).toEqual(['default/fe']);
    expect(keys(idx.servicesToUpdate(a, pod('a', { labels: { app: 'db' }, rv: '2' })))).toEqual(['default/web']);
    // Labels and readiness: old and new.
    expect(keys(idx.servicesToUpdate(a, pod('a', { labels: { app: 'db' }, rv: '2', ready: false })))).toEqual(['default/all', 'default/web']);
    // A Service whose selector changes is refiled.
    services.set(service('web', { selector: { app: 'db' } }));
    expect(keys(idx.servicesFor('default', { app: 'db' }))).toEqual(['default/all', 'default/web']);
    services.delete('default/web');
    expect(keys(idx.servicesFor('default', { app: 'db' }))).toEqual(['default/all']);
  });
});

describe('EndpointSliceTracker', () => {
  const svc = service('web');
  const s = (uid: string, generation: number) => slice(`web-${uid}`, svc, [], [], { uid, generation });

  it('knows its own writes from others and a cache that is behind', () => {
    const t = new EndpointSliceTracker(serviceKeyOfSlice);
    expect(t.shouldSync(s('a', 1))).toBe(true);
    expect(t.staleSlices('default/web', [])).toBe(false);
    t.update(s('a', 2));
    expect(t.shouldSync(s('a', 2))).toBe(false);
    expect(t.shouldSync(s('a', 3))).toBe(true);
    // The cache still has generation 1, or not the slice at all: stale.
    expect(t.staleSlices('default/web', [s('a', 1)])).toBe(true);
    expect(t.staleSlices('default/web', [])).toBe(true);
    expect(t.staleSlices('default/web', [s('a', 2)])).toBe(false);
    t.expectDeletion(s('a', 2));
    expect(t.staleSlices('default/web', [s('a', 2)])).toBe(true);
    expect(t.staleSlices('default/web', [])).toBe(false);
    expect(t.handleDeletion(s('a', 2))).toBe(true);
    t.update(s('b', 1));
    expect(t.handleDeletion(s('b', 1))).toBe(false);
    t.deleteService('default/web');
    expect(t.has(s('b', 1))).toBe(false);
  });
});
