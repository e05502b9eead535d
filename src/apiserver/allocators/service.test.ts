// The Service admission through a real Registry on a real SQLite store: what a create or update
// gets, what it holds afterwards, and that a refused, conflicting or dry-run write holds nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/types.js';
import { openStore, type Store } from '../../storage/index.js';
import { encode, keyFor } from '../codec.js';
import { ApiError } from '../errors.js';
import { defaultRegistryHooks } from '../plugins.js';
import { NS, Registry } from '../registry.js';
import { composeRegistryHooks, newServiceAllocators, repairFromStorage, SERVICES, type PortRange, type ServiceAllocators } from './index.js';
import { heldClusterIPs, heldNodePorts } from './servicefields.js';

interface Fixture {
  registry: Registry;
  alloc: ServiceAllocators;
  store: Store;
}

const dirs: string[] = [];
const open: Fixture[] = [];

async function fixture(cidr = '127.96.0.0/24', ports: PortRange = { min: 30000, max: 30009 }, dir?: string): Promise<Fixture & { dir: string }> {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'tinykube-alloc-'));
  if (!dir) dirs.push(d);
  const store = await openStore({ path: join(d, 'state.db'), durable: false });
  const log: string[] = [];
  const alloc = newServiceAllocators(cidr, ports, (m) => log.push(m));
  const registry = new Registry(store, composeRegistryHooks(defaultRegistryHooks(), alloc.hooks()));
  await registry.start();
  if (!dir) await registry.create(NS, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const f = { registry, alloc, store, dir: d };
  open.push(f);
  return f;
}

afterEach(async () => {
  for (const f of open.splice(0)) {
    f.registry.stop();
    await f.store.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Spec = Record<string, unknown>;

function svc(name: string, spec: Spec): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80, targetPort: 8080 }], ...spec } };
}

function specOf(o: KubeObject): Spec {
  return o['spec'] as Spec;
}

function nodePorts(o: KubeObject): number[] {
  return (specOf(o)['ports'] as { nodePort?: number }[]).map((p) => p.nodePort ?? 0);
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('the write was not refused');
}

function create(f: Fixture, o: KubeObject, dryRun = false): Promise<KubeObject> {
  return f.registry.create(SERVICES, 'default', o, { dryRun, fieldManager: 'test' });
}

function update(f: Fixture, name: string, change: (spec: Spec, o: KubeObject) => void, opts: { dryRun?: boolean; subresource?: 'status' } = {}): Promise<KubeObject> {
  return f.registry.update(
    SERVICES,
    'default',
    name,
    (cur) => {
      change(specOf(cur), cur);
      return cur;
    },
    { fieldManager: 'test', ...opts },
  );
}

describe('Service admission: create', () => {
  it('gives a ClusterIP Service an address of the range and its IP family fields', async () => {
    const f = await fixture();
    const s = await create(f, svc('web', { selector: { app: 'web' } }));
    const spec = specOf(s);
    expect(spec['clusterIP']).toMatch(/^127\.96\.0\.\d+$/);
    expect(spec['clusterIPs']).toEqual([spec['clusterIP']]);
    expect(spec['ipFamilies']).toEqual(['IPv4']);
    expect(spec['ipFamilyPolicy']).toBe('SingleStack');
    // Dynamic addresses stay out of the lower band (.1-.16) kept for chosen ones.
    expect(Number(String(spec['clusterIP']).split('.')[3])).toBeGreaterThan(16);
    expect(f.alloc.clusterIPs.has(String(spec['clusterIP']))).toBe(true);
    const stored = await f.registry.get(SERVICES, 'default', 'web');
    expect(specOf(stored)['clusterIP']).toBe(spec['clusterIP']);
  });

  it('honours a chosen address and refuses it to the next Service with Kubernetes’ message', async () => {
    const f = await fixture();
    const a = await create(f, svc('a', { clusterIP: '127.96.0.5' }));
    expect(specOf(a)['clusterIPs']).toEqual(['127.96.0.5']);
    const used = f.alloc.clusterIPs.used;
    const e = await refusal(create(f, svc('b', { clusterIP: '127.96.0.5' })));
    expect(e.code).toBe(422);
    expect(e.message).toBe('Service "b" is invalid: spec.clusterIPs: Invalid value: ["127.96.0.5"]: failed to allocate IP 127.96.0.5: provided IP is already allocated');
    const out = await refusal(create(f, svc('c', { clusterIP: '127.97.0.5' })));
    expect(out.message).toBe('Service "c" is invalid: spec.clusterIPs: Invalid value: ["127.97.0.5"]: failed to allocate IP 127.97.0.5: the provided IP (127.97.0.5) is not in the valid range. The range of valid IPs is 127.96.0.0/24');
    expect(f.alloc.clusterIPs.used).toBe(used);
  });

  it('gives NodePort Services node ports, honours chosen ones, refuses taken and out-of-range ones', async () => {
    const f = await fixture();
    const a = await create(f, svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] }));
    expect(nodePorts(a)).toEqual([30005]);
    const b = await create(f, svc('b', { type: 'NodePort' }));
    expect(nodePorts(b)[0]).toBeGreaterThanOrEqual(30000);
    expect(nodePorts(b)[0]).not.toBe(30005);
    const taken = await refusal(create(f, svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] })));
    expect(taken.message).toBe('Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 30005: provided port is already allocated');
    const out = await refusal(create(f, svc('d', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] })));
    expect(out.message).toBe('Service "d" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-30009');
    expect(f.alloc.nodePorts.used).toBe(2);
    // The refused ones did not keep their cluster IPs either.
    expect(f.alloc.clusterIPs.used).toBe(2);
  });

  it('TCP and UDP of one port number share a node port', async () => {
    const f = await fixture();
    const dns = await create(f, svc('dns', { type: 'NodePort', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }));
    const [udp, tcp] = nodePorts(dns);
    expect(udp).toBe(tcp);
    expect(f.alloc.nodePorts.used).toBe(1);
  });

  it('LoadBalancer: node ports unless allocateLoadBalancerNodePorts is false; a health check port for externalTrafficPolicy Local', async () => {
    const f = await fixture();
    const lb = await create(f, svc('lb', { type: 'LoadBalancer' }));
    expect(nodePorts(lb)[0]).toBeGreaterThan(0);
    const bare = await create(f, svc('bare', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }));
    expect(nodePorts(bare)).toEqual([0]);
    const local = await create(f, svc('local', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    const hc = specOf(local)['healthCheckNodePort'];
    expect(typeof hc).toBe('number');
    expect(hc).not.toBe(nodePorts(local)[0]);
    expect(f.alloc.nodePorts.used).toBe(3);
  });

  it('refuses the node port range being full with Kubernetes’ Internal error, holding nothing', async () => {
    const f = await fixture();
    for (let i = 0; i < 10; i++) await create(f, svc(`np-${i}`, { type: 'NodePort' }));
    const ips = f.alloc.clusterIPs.used;
    const e = await refusal(create(f, svc('one-more', { type: 'NodePort' })));
    expect(e.code).toBe(500);
    expect(e.message).toBe('Internal error occurred: failed to allocate a nodePort: range is full');
    expect(f.alloc.clusterIPs.used).toBe(ips);
  });

  it('refuses the service CIDR being full with Kubernetes’ Internal error', async () => {
    const f = await fixture('127.96.0.0/28');
    for (let i = 0; i < 14; i++) await create(f, svc(`s-${i}`, {}));
    const e = await refusal(create(f, svc('s-14', {})));
    expect(e.code).toBe(500);
    expect(e.message).toBe('Internal error occurred: failed to allocate a serviceIP: range is full');
    const all = await f.registry.list(SERVICES, 'default', {});
    const ips = all.items.map((s) => String(specOf(s)['clusterIP']));
    expect(new Set(ips).size).toBe(14);
    expect(ips).not.toContain('127.96.0.0');
    expect(ips).not.toContain('127.96.0.15');
  });

  it.each([
    ['PreferDualStack yields IPv4 only', { ipFamilyPolicy: 'PreferDualStack' }, { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4'] }],
    ['headless with a selector gets a family, no address', { clusterIP: 'None', selector: { app: 'x' } }, { clusterIP: 'None', clusterIPs: ['None'], ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] }],
    ['headless without a selector may list both families', { clusterIP: 'None' }, { clusterIPs: ['None'], ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] }],
  ])('%s', async (_what, spec, want) => {
    const f = await fixture();
    const s = await create(f, svc('x', spec));
    expect(specOf(s)).toMatchObject(want);
    expect(f.alloc.clusterIPs.used).toBe(specOf(s)['ipFamilyPolicy'] === 'PreferDualStack' ? 1 : 0);
  });

  it('ExternalName gets no address and no families', async () => {
    const f = await fixture();
    const s = await create(f, svc('x', { type: 'ExternalName', externalName: 'example.com', ports: [] }));
    for (const field of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) expect(specOf(s)).not.toHaveProperty(field);
    expect(f.alloc.clusterIPs.used).toBe(0);
  });

  it.each([
    ['RequireDualStack', { ipFamilyPolicy: 'RequireDualStack' }, 'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services'],
    ['an IPv6 family', { ipFamilies: ['IPv6'] }, 'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster'],
    ['an IPv6 cluster IP', { clusterIP: 'fd00::10' }, 'spec.clusterIPs[0]: Invalid value: ["fd00::10"]: IPv6 is not configured on this cluster'],
    ['two families on SingleStack', { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] }, "spec.ipFamilyPolicy: Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"],
  ])('refuses %s', async (_what, spec, message) => {
    const f = await fixture();
    const e = await refusal(create(f, svc('x', spec)));
    expect(e.message).toBe(`Service "x" is invalid: ${message}`);
    expect(f.alloc.clusterIPs.used).toBe(0);
  });
});

describe('Service admission: what a refused, conflicting or dry-run write holds', () => {
  it('a dry run shows an address and node port but holds nothing, and still reports conflicts', async () => {
    const f = await fixture();
    const s = await create(f, svc('dry', { type: 'NodePort' }), true);
    expect(specOf(s)['clusterIP']).toMatch(/^127\.96\.0\./);
    expect(nodePorts(s)[0]).toBeGreaterThanOrEqual(30000);
    expect(f.alloc.clusterIPs.used).toBe(0);
    expect(f.alloc.nodePorts.used).toBe(0);
    await create(f, svc('real', { clusterIP: '127.96.0.7' }));
    const e = await refusal(create(f, svc('dry2', { clusterIP: '127.96.0.7' }), true));
    expect(e.message).toContain('provided IP is already allocated');
    expect(f.alloc.clusterIPs.used).toBe(1);
    // A dry-run update that drops the address keeps it held.
    await update(f, 'real', (spec) => {
      spec['type'] = 'ExternalName';
      spec['externalName'] = 'example.com';
    }, { dryRun: true });
    expect(f.alloc.clusterIPs.has('127.96.0.7')).toBe(true);
  });

  it('a create refused by validation, by a missing namespace or as a duplicate holds nothing', async () => {
    const f = await fixture();
    await create(f, svc('dup', { clusterIP: '127.96.0.9' }));
    const before = [f.alloc.clusterIPs.used, f.alloc.nodePorts.used];
    expect((await refusal(create(f, svc('Bad_Name', { type: 'NodePort' })))).code).toBe(422);
    expect((await refusal(f.registry.create(SERVICES, 'nowhere', svc('x', { type: 'NodePort' })))).code).toBe(404);
    expect((await refusal(create(f, svc('dup', { type: 'NodePort' })))).code).toBe(409);
    expect([f.alloc.clusterIPs.used, f.alloc.nodePorts.used]).toEqual(before);
  });

  it('an update that loses on resourceVersion holds nothing', async () => {
    const f = await fixture();
    const s = await create(f, svc('web', { type: 'ClusterIP' }));
    const stale = s.metadata.resourceVersion;
    await update(f, 'web', (_spec, o) => (o.metadata.labels = { a: 'b' }));
    const e = await refusal(
      f.registry.update(SERVICES, 'default', 'web', (cur) => {
        cur.metadata.resourceVersion = stale;
        specOf(cur)['type'] = 'NodePort';
        return cur;
      }),
    );
    expect(e.code).toBe(409);
    expect(f.alloc.nodePorts.used).toBe(0);
  });

  it('a status write does not touch what the Service holds', async () => {
    const f = await fixture();
    await create(f, svc('lb', { type: 'LoadBalancer' }));
    await update(f, 'lb', (_spec, o) => (o['status'] = { loadBalancer: { ingress: [{ ip: '127.240.0.1', ipMode: 'VIP' }] } }), { subresource: 'status' });
    expect([f.alloc.clusterIPs.used, f.alloc.nodePorts.used]).toEqual([1, 1]);
  });
});

describe('Service admission: update and delete', () => {
  it('ClusterIP -> ExternalName releases the address; back to ClusterIP takes a new one', async () => {
    const f = await fixture();
    const s = await create(f, svc('web', {}));
    const ip = String(specOf(s)['clusterIP']);
    const ext = await update(f, 'web', (spec) => {
      spec['type'] = 'ExternalName';
      spec['externalName'] = 'example.com';
    });
    expect(specOf(ext)['clusterIP']).toBeUndefined();
    expect(specOf(ext)['ipFamilies']).toBeUndefined();
    expect(f.alloc.clusterIPs.has(ip)).toBe(false);
    const back = await update(f, 'web', (spec) => {
      spec['type'] = 'ClusterIP';
      delete spec['externalName'];
    });
    expect(specOf(back)['clusterIP']).toMatch(/^127\.96\.0\./);
    expect(specOf(back)['ipFamilies']).toEqual(['IPv4']);
    expect(f.alloc.clusterIPs.used).toBe(1);
  });

  it('NodePort -> ClusterIP releases the node ports; ClusterIP -> NodePort allocates them', async () => {
    const f = await fixture();
    const s = await create(f, svc('web', { type: 'NodePort' }));
    const np = nodePorts(s)[0]!;
    const cip = await update(f, 'web', (spec) => (spec['type'] = 'ClusterIP'));
    expect(nodePorts(cip)).toEqual([0]);
    expect(specOf(cip)['externalTrafficPolicy']).toBeUndefined();
    expect(specOf(cip)['clusterIP']).toBe(specOf(s)['clusterIP']);
    expect(f.alloc.nodePorts.has(np)).toBe(false);
    const again = await update(f, 'web', (spec) => (spec['type'] = 'NodePort'));
    expect(nodePorts(again)[0]).toBeGreaterThan(0);
    expect(f.alloc.nodePorts.used).toBe(1);
  });

  it('a resubmitted object without the allocated values keeps them; a changed port keeps its node port by name', async () => {
    const f = await fixture();
    const s = await create(f, svc('web', { type: 'NodePort', ports: [{ name: 'http', port: 80 }] }));
    const np = nodePorts(s)[0];
    const ip = specOf(s)['clusterIP'];
    const re = await update(f, 'web', (spec) => {
      delete spec['clusterIP'];
      delete spec['clusterIPs'];
      spec['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 }];
    });
    expect(specOf(re)['clusterIP']).toBe(ip);
    expect(nodePorts(re)).toEqual([np]);
    expect(f.alloc.nodePorts.used).toBe(1);
  });

  it('changing a node port takes the new one and gives the old back once stored', async () => {
    const f = await fixture();
    await create(f, svc('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] }));
    await create(f, svc('other', { type: 'NodePort', ports: [{ port: 80, nodePort: 30002 }] }));
    const e = await refusal(update(f, 'web', (spec) => ((spec['ports'] as Spec[])[0]!['nodePort'] = 30002)));
    expect(e.message).toBe('Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30002: provided port is already allocated');
    expect(f.alloc.nodePorts.has(30001)).toBe(true);
    await update(f, 'web', (spec) => ((spec['ports'] as Spec[])[0]!['nodePort'] = 30003));
    expect(f.alloc.nodePorts.has(30001)).toBe(false);
    expect(f.alloc.nodePorts.has(30003)).toBe(true);
  });

  it('externalTrafficPolicy Local -> Cluster releases the health check port, and back allocates one', async () => {
    const f = await fixture();
    const s = await create(f, svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    const hc = specOf(s)['healthCheckNodePort'] as number;
    const cl = await update(f, 'lb', (spec) => (spec['externalTrafficPolicy'] = 'Cluster'));
    expect(specOf(cl)['healthCheckNodePort']).toBeUndefined();
    expect(f.alloc.nodePorts.has(hc)).toBe(false);
    const loc = await update(f, 'lb', (spec) => (spec['externalTrafficPolicy'] = 'Local'));
    expect(typeof specOf(loc)['healthCheckNodePort']).toBe('number');
    expect(f.alloc.nodePorts.used).toBe(2);
  });

  it('delete frees the address for reuse; with a finalizer, only once the finalizer is gone', async () => {
    const f = await fixture();
    await create(f, svc('a', { clusterIP: '127.96.0.3', type: 'NodePort', ports: [{ port: 80, nodePort: 30004 }] }));
    await f.registry.delete(SERVICES, 'default', 'a');
    expect([f.alloc.clusterIPs.used, f.alloc.nodePorts.used]).toEqual([0, 0]);
    const fin = svc('b', { clusterIP: '127.96.0.3' });
    fin.metadata.finalizers = ['example.com/hold'];
    await create(f, fin);
    await f.registry.delete(SERVICES, 'default', 'b');
    expect(f.alloc.clusterIPs.has('127.96.0.3')).toBe(true);
    await update(f, 'b', (_spec, o) => (o.metadata.finalizers = []));
    expect(f.alloc.clusterIPs.has('127.96.0.3')).toBe(false);
    await create(f, svc('c', { clusterIP: '127.96.0.3' }));
  });
});

describe('Service allocators: repair at start', () => {
  it('rebuilds from the stored Services, reporting duplicates and strays without failing', async () => {
    const f = await fixture('127.96.0.0/24');
    await create(f, svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }], clusterIP: '127.96.0.20' }));
    await create(f, svc('b', {}));
    // Written behind the registry's back: a duplicate address and node port, and a stray address.
    const dup = svc('dup', { type: 'NodePort', clusterIP: '127.96.0.20', clusterIPs: ['127.96.0.20'], ports: [{ port: 80, nodePort: 30001 }] });
    dup.metadata.namespace = 'default';
    await f.store.create(keyFor(SERVICES, 'default', 'dup'), encode(dup));
    const stray = svc('stray', { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'] });
    stray.metadata.namespace = 'default';
    await f.store.create(keyFor(SERVICES, 'default', 'stray'), encode(stray));
    f.registry.stop();
    await f.store.close();
    open.splice(open.indexOf(f), 1);

    const g = await fixture('127.96.0.0/24', { min: 30000, max: 30009 }, f.dir);
    const report = await repairFromStorage(g.registry, g.alloc);
    expect(report).toMatchObject({ services: 4, clusterIPs: 2, nodePorts: 1 });
    expect(report.problems).toEqual([
      'the ClusterIP 127.96.0.20 for Service default/dup was assigned to multiple services; please recreate',
      'the node port 30001 for service default/dup was assigned to multiple services; please recreate',
      'the ClusterIP 10.0.0.1 for Service default/stray is not within the service CIDR 127.96.0.0/24; please recreate',
    ]);
    // The duplicate stays held until its last holder is gone.
    await g.registry.delete(SERVICES, 'default', 'dup');
    expect(g.alloc.clusterIPs.has('127.96.0.20')).toBe(true);
    expect(g.alloc.nodePorts.has(30001)).toBe(true);
    await g.registry.delete(SERVICES, 'default', 'a');
    expect(g.alloc.clusterIPs.has('127.96.0.20')).toBe(false);
    expect(g.alloc.nodePorts.has(30001)).toBe(false);
  });
});

describe('Service allocators: what is marked is exactly what the stored Services hold', () => {
  it('over a random run of creates, updates, type changes, dry runs and deletes on tiny ranges', async () => {
    const f = await fixture('127.96.0.0/29', { min: 30000, max: 30004 });
    let seed = 42;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return (seed >>> 16) % n;
    };
    const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
    const randomSpec = (): Spec => {
      const type = types[rand(types.length)]!;
      const spec: Spec = { type, ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] };
      if (type === 'ExternalName') return { ...spec, externalName: 'example.com' };
      if (rand(4) === 0) spec['clusterIP'] = `127.96.0.${1 + rand(7)}`;
      if (rand(8) === 0) spec['clusterIP'] = 'None';
      if (type !== 'ClusterIP' && rand(3) === 0) (spec['ports'] as Spec[])[0]!['nodePort'] = 30000 + rand(6);
      if (type === 'LoadBalancer' && rand(2) === 0) spec['externalTrafficPolicy'] = 'Local';
      if (type === 'LoadBalancer' && rand(4) === 0) spec['allocateLoadBalancerNodePorts'] = false;
      return spec;
    };
    const outcomes = new Map<string, number>();
    for (let step = 0; step < 400; step++) {
      const name = `s-${rand(20)}`;
      const dryRun = rand(5) === 0;
      const op = rand(5);
      try {
        if (op <= 1) await create(f, svc(name, randomSpec()), dryRun);
        else if (op <= 3) {
          const next = randomSpec();
          await update(f, name, (spec) => {
            spec['type'] = next['type'];
            if (next['type'] === 'ExternalName') spec['externalName'] = 'example.com';
            else delete spec['externalName'];
            if (next['externalTrafficPolicy']) spec['externalTrafficPolicy'] = next['externalTrafficPolicy'];
            if (rand(3) === 0) (spec['ports'] as Spec[])[1]!['nodePort'] = 30000 + rand(6);
          }, { dryRun });
        } else await f.registry.delete(SERVICES, 'default', name, { dryRun });
        outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        outcomes.set(String(e.code), (outcomes.get(String(e.code)) ?? 0) + 1);
      }
      const stored = (await f.registry.list(SERVICES, 'default', {})).items;
      const ips = stored.flatMap((s) => heldClusterIPs(s));
      const ports = stored.flatMap((s) => heldNodePorts(s));
      const markedIPs: string[] = [];
      f.alloc.clusterIPs.forEach((ip) => markedIPs.push(ip));
      const markedPorts: number[] = [];
      f.alloc.nodePorts.forEach((p) => markedPorts.push(p));
      expect(new Set(ips).size, `step ${step}: a duplicate address`).toBe(ips.length);
      expect(new Set(ports).size, `step ${step}: a duplicate node port`).toBe(ports.length);
      expect(markedIPs.sort(), `step ${step}: addresses`).toEqual([...ips].sort());
      expect(markedPorts.sort(), `step ${step}: node ports`).toEqual([...ports].sort());
    }
    // The run went through successes and every kind of refusal.
    expect(outcomes.get('ok')).toBeGreaterThan(50);
    for (const code of ['404', '409', '422', '500']) expect(outcomes.get(code), code).toBeGreaterThan(0);
  });
});
