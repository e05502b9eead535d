import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../../api/core.js';
import type { EndpointInfo } from '../types.js';
import { ChangeTracker } from './tracker.js';
import { ep, slice, svc } from './testing/fixtures.js';

const NODE = 'node-a';

function tracker(services: Service[], slices: EndpointSlice[]): ChangeTracker {
  const t = new ChangeTracker({ nodeName: NODE });
  for (const s of services) t.onServiceUpsert(s);
  for (const s of slices) t.onEndpointSliceUpsert(s);
  return t;
}

/** ip:port and flags, for compact expectations. */
function eps(t: ChangeTracker, key: string): string[] | undefined {
  return t.state().get(key)?.endpoints.map(brief);
}
function brief(e: EndpointInfo): string {
  const flags = [e.ready && 'ready', e.serving && 'serving', e.terminating && 'terminating', e.local && 'local'].filter(Boolean);
  return `${e.ip}:${e.port}${flags.length ? ` ${flags.join(',')}` : ''}`;
}

const web = svc('web', { ports: [{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }] });
const HTTP = 'default/web:http/TCP';
const METRICS = 'default/web:metrics/TCP';

// Objects in -> endpoints of default/web:http/TCP.
const cases: { name: string; slices: EndpointSlice[]; want: string[] | undefined }[] = [
  {
    name: 'ready nil = true, serving nil = ready, terminating nil = false; local by nodeName',
    slices: [slice('web-1', 'web', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep('10.0.0.1', NODE), ep('10.0.0.2', 'node-b')])],
    want: ['10.0.0.1:8080 ready,serving,local', '10.0.0.2:8080 ready,serving'],
  },
  {
    name: 'explicit conditions; serving nil follows ready=false',
    slices: [
      slice('web-1', 'web', [{ name: 'http', port: 8080, protocol: 'TCP' }], [
        ep('10.0.0.3', undefined, { ready: false }),
        ep('10.0.0.4', undefined, { ready: false, serving: true, terminating: true }),
      ]),
    ],
    want: ['10.0.0.3:8080', '10.0.0.4:8080 serving,terminating'],
  },
  {
    name: 'several slices per Service are merged and sorted',
    slices: [
      slice('web-2', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.9')]),
      slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]),
    ],
    want: ['10.0.0.1:8080 ready,serving', '10.0.0.9:8080 ready,serving'],
  },
  {
    name: 'port matched by name: the slice port named "metrics" does not feed "http"',
    slices: [slice('web-1', 'web', [{ name: 'metrics', port: 9100 }, { name: 'http', port: 8080 }], [ep('10.0.0.1')])],
    want: ['10.0.0.1:8080 ready,serving'],
  },
  {
    name: 'port matched by protocol too',
    slices: [slice('web-1', 'web', [{ name: 'http', port: 8080, protocol: 'UDP' }], [ep('10.0.0.1')])],
    want: [],
  },
  {
    name: 'a service port without a matching slice port has no endpoints',
    slices: [slice('web-1', 'web', [{ name: 'other', port: 8080 }], [ep('10.0.0.1')])],
    want: [],
  },
  {
    name: 'a slice port without a number is ignored',
    slices: [slice('web-1', 'web', [{ name: 'http' }], [ep('10.0.0.1')])],
    want: [],
  },
  {
    name: 'slices of other Services, without the label, or of another namespace are ignored',
    slices: [
      slice('db-1', 'db', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]),
      slice('stray', undefined, [{ name: 'http', port: 8080 }], [ep('10.0.0.2')]),
      slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.3')], { namespace: 'other' }),
    ],
    want: [],
  },
  {
    name: 'IPv6 and FQDN slices are ignored; only the first address of an endpoint counts',
    slices: [
      slice('web-v6', 'web', [{ name: 'http', port: 8080 }], [ep('fd00::1')], { addressType: 'IPv6' }),
      slice('web-fqdn', 'web', [{ name: 'http', port: 8080 }], [ep('example.com')], { addressType: 'FQDN' }),
      slice('web-1', 'web', [{ name: 'http', port: 8080 }], [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: [] }]),
    ],
    want: ['10.0.0.1:8080 ready,serving'],
  },
  {
    name: 'the same ip:port in two slices appears once, the ready copy winning (either order)',
    slices: [
      slice('web-old', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1', NODE, { ready: false, serving: false })]),
      slice('web-new', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1', NODE)]),
      slice('web-z', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.2', undefined, { ready: true })]),
      slice('web-a', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.2', undefined, { ready: false })]),
    ],
    want: ['10.0.0.1:8080 ready,serving,local', '10.0.0.2:8080 ready,serving'],
  },
];

describe('ChangeTracker endpoints', () => {
  it.each(cases)('$name', ({ slices, want }) => {
    expect(eps(tracker([web], slices), HTTP)).toEqual(want);
  });

  it('an unnamed Service port matches the unnamed slice port (name "" or absent)', () => {
    const t = tracker([svc('api', {})], [slice('api-1', 'api', [{ port: 8080 }], [ep('10.0.0.1')]), slice('api-2', 'api', [{ name: '', port: 8080 }], [ep('10.0.0.2')])]);
    expect(eps(t, 'default/api/TCP')).toEqual(['10.0.0.1:8080 ready,serving', '10.0.0.2:8080 ready,serving']);
  });

  it('slices before their Service, and a Service before its slices, give the same state', () => {
    const s = slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]);
    const a = new ChangeTracker({ nodeName: NODE });
    a.onEndpointSliceUpsert(s);
    a.onServiceUpsert(web);
    expect(a.state()).toEqual(tracker([web], [s]).state());
  });
});

describe('ChangeTracker services', () => {
  it('skips headless and ExternalName Services but keeps the rest', () => {
    const t = tracker(
      [svc('headless', { clusterIP: 'None', clusterIPs: ['None'] }), svc('ext', { type: 'ExternalName', externalName: 'example.com', clusterIP: undefined, clusterIPs: undefined }), web],
      [slice('headless-1', 'headless', [{ port: 80 }], [ep('10.0.0.1')])],
    );
    expect([...t.state().keys()].sort()).toEqual([HTTP, METRICS]);
  });

  it('with headless: keeps a headless Service (no cluster IPs, its endpoints) but still skips ExternalName', () => {
    const t = new ChangeTracker({ nodeName: NODE, headless: true });
    t.onServiceUpsert(svc('headless', { clusterIP: 'None', clusterIPs: ['None'] }));
    t.onServiceUpsert(svc('ext', { type: 'ExternalName', externalName: 'example.com', clusterIP: undefined, clusterIPs: undefined }));
    t.onEndpointSliceUpsert(slice('headless-1', 'headless', [{ port: 80 }], [ep('10.0.0.1')]));
    expect([...t.state().keys()]).toEqual(['default/headless/TCP']);
    expect(t.state().get('default/headless/TCP')).toMatchObject({ clusterIPs: [], port: 80 });
    expect(eps(t, 'default/headless/TCP')).toEqual(['10.0.0.1:80 ready,serving']);
  });

  it('a Service turned headless loses its ports', () => {
    const t = tracker([web], []);
    t.onServiceUpsert(svc('web', { clusterIP: 'None', clusterIPs: ['None'], ports: web.spec.ports }));
    expect(t.state().size).toBe(0);
  });

  it('deleting a Service removes its ports; its slices come back with it', () => {
    const s = slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]);
    const t = tracker([web], [s]);
    t.onServiceDelete(web);
    expect(t.state().size).toBe(0);
    t.onServiceUpsert(web);
    expect(eps(t, HTTP)).toEqual(['10.0.0.1:8080 ready,serving']);
  });

  it('deleting a slice removes its endpoints only', () => {
    const s1 = slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]);
    const s2 = slice('web-2', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.2')]);
    const t = tracker([web], [s1, s2]);
    t.onEndpointSliceDelete(s1);
    expect(eps(t, HTTP)).toEqual(['10.0.0.2:8080 ready,serving']);
    t.onEndpointSliceDelete(s2);
    expect(eps(t, HTTP)).toEqual([]);
  });

  it('a slice relabelled to another Service moves its endpoints', () => {
    const db = svc('db', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ name: 'http', port: 80 }] });
    const t = tracker([web, db], [slice('s-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')])]);
    expect(eps(t, HTTP)).toEqual(['10.0.0.1:8080 ready,serving']);
    t.onEndpointSliceUpsert(slice('s-1', 'db', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]));
    expect(eps(t, HTTP)).toEqual([]);
    expect(eps(t, 'default/db:http/TCP')).toEqual(['10.0.0.1:8080 ready,serving']);
  });

  it('a slice losing its service-name label drops its endpoints', () => {
    const t = tracker([web], [slice('s-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')])]);
    t.onEndpointSliceUpsert(slice('s-1', undefined, [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]));
    expect(eps(t, HTTP)).toEqual([]);
  });

  it('state() is not mutated by later changes (backends diff successive states)', () => {
    const t = tracker([web], [slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')])]);
    const before = t.state();
    const snapshot = structuredClone([...before]);
    t.onEndpointSliceUpsert(slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.2')]));
    t.onServiceDelete(svc('other', {}));
    const after = t.state();
    expect([...before]).toEqual(snapshot);
    expect(after).not.toBe(before);
    expect(t.state()).toBe(after); // nothing changed since: the same map
    expect(after.get(METRICS)).toBe(before.get(METRICS)); // unchanged ports keep their object
  });
});

describe('ChangeTracker.takeChanges', () => {
  const later = (ms: number) => new Date(Date.now() + ms).toISOString();

  it('reports exactly the service port keys that changed', () => {
    const t = new ChangeTracker({ nodeName: NODE });
    expect(t.takeChanges()).toEqual({ changed: new Set(), triggerTimes: [] });

    t.onServiceUpsert(web);
    t.onServiceUpsert(svc('db', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'] }));
    expect(t.takeChanges().changed).toEqual(new Set([HTTP, METRICS, 'default/db/TCP']));

    // Endpoints for the http port only: metrics has no matching slice port, so it is unchanged.
    t.onEndpointSliceUpsert(slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]));
    expect(t.takeChanges().changed).toEqual(new Set([HTTP]));

    // The same slice again (a resync) and a Service update kube-proxy does not render.
    t.onEndpointSliceUpsert(slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]));
    t.onServiceUpsert({ ...web, metadata: { ...web.metadata, labels: { team: 'x' } } });
    expect(t.takeChanges().changed).toEqual(new Set());

    // A change that is undone before the sync is no change.
    t.onEndpointSliceUpsert(slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.2')]));
    t.onEndpointSliceUpsert(slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]));
    expect(t.takeChanges().changed).toEqual(new Set());

    // A port renamed: the old key goes, the new one comes.
    t.onServiceUpsert(svc('web', { ports: [{ name: 'http', port: 80 }, { name: 'prom', port: 9090 }] }));
    expect(t.takeChanges().changed).toEqual(new Set([METRICS, 'default/web:prom/TCP']));

    t.onServiceDelete(svc('db', {}));
    expect(t.takeChanges().changed).toEqual(new Set(['default/db/TCP']));
  });

  it('state() between changes does not lose them', () => {
    const t = tracker([web], []);
    t.takeChanges();
    t.onEndpointSliceUpsert(slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]));
    t.state();
    expect(t.takeChanges().changed).toEqual(new Set([HTTP]));
  });

  it('collects trigger times from the last-change-trigger-time annotation (RFC 3339)', () => {
    const t = tracker([web], []);
    t.takeChanges();
    const t1 = later(2000);
    const t2 = later(1000);
    // Whole seconds, as the EndpointSlice controller writes it.
    const t3 = new Date(Math.ceil((Date.now() + 5000) / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
    t.onEndpointSliceUpsert(slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')], { triggerTime: t1 }));
    t.onEndpointSliceUpsert(slice('web-2', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.2')], { triggerTime: t2 }));
    t.onEndpointSliceUpsert(slice('web-3', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.3')], { triggerTime: t3 }));
    expect(t.takeChanges().triggerTimes).toEqual([Date.parse(t2), Date.parse(t1), Date.parse(t3)]); // ascending: [0] is the earliest
    expect(t.takeChanges().triggerTimes).toEqual([]);
  });

  it('ignores trigger times that are absent, unparsable, from before the tracker started, or of no-op updates', () => {
    const t = tracker([web], []);
    const s = (triggerTime: string, ip = '10.0.0.1') => slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep(ip)], { triggerTime });
    t.onEndpointSliceUpsert(slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')]));
    t.onEndpointSliceUpsert(s('not a time', '10.0.0.2'));
    t.onEndpointSliceUpsert(s('2020-01-01T00:00:00Z', '10.0.0.3'));
    expect(t.takeChanges().triggerTimes).toEqual([]);
    t.onEndpointSliceUpsert(s(later(1000), '10.0.0.3')); // same content as before: not a change
    expect(t.takeChanges()).toEqual({ changed: new Set(), triggerTimes: [] });
  });

  it('a slice deletion drops the pending trigger times of its Service', () => {
    const t = tracker([web], []);
    const s1 = slice('web-1', 'web', [{ name: 'http', port: 8080 }], [ep('10.0.0.1')], { triggerTime: later(1000) });
    t.onEndpointSliceUpsert(s1);
    t.onEndpointSliceDelete(s1);
    expect(t.takeChanges().triggerTimes).toEqual([]);
  });
});

describe('ChangeTracker at scale', () => {
  it('builds 1,000 Services x 10 endpoints, then rebuilds after one change', () => {
    const t = new ChangeTracker({ nodeName: NODE });
    for (let i = 0; i < 1000; i++) {
      const name = `svc-${i}`;
      t.onServiceUpsert(svc(name, { clusterIP: `10.96.${i >> 8}.${i & 255}`, clusterIPs: [`10.96.${i >> 8}.${i & 255}`], ports: [{ name: 'http', port: 80 }] }));
      const endpoints = Array.from({ length: 10 }, (_, j) => ep(`10.1.${i >> 4}.${(i & 15) * 16 + j}`, j % 2 ? NODE : 'node-b'));
      t.onEndpointSliceUpsert(slice(`${name}-abc`, name, [{ name: 'http', port: 8080 }], endpoints));
    }
    const state = t.state();
    expect(state.size).toBe(1000);
    expect([...state.values()].every((sp) => sp.endpoints.length === 10)).toBe(true);
    expect(t.takeChanges().changed.size).toBe(1000);

    t.onEndpointSliceUpsert(slice('svc-7-abc', 'svc-7', [{ name: 'http', port: 8080 }], [ep('10.2.0.1')]));
    expect(t.state().get('default/svc-7:http/TCP')?.endpoints).toHaveLength(1);
    expect(t.takeChanges().changed).toEqual(new Set(['default/svc-7:http/TCP']));
  });
});
