// The LoadBalancer controller against a real API server, on a six-address pool.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Service, ServiceSpec } from '../../api/core.js';
import type { KubeClient } from '../../client/index.js';
import { ControllerManager } from '../manager.js';
import { EVENTS, NAMESPACES, SERVICES } from '../resources.js';
import { eventually, startLiveCluster, TEST_CLUSTER, type LiveCluster } from '../testing/live-cluster.js';
import { LOAD_BALANCER_CLASS, LoadBalancerController } from './controller.js';

const NS = 'lb';
const POOL = '127.240.0.0/29';

describe('LoadBalancer controller', () => {
  let c: LiveCluster;
  let client: KubeClient;

  beforeAll(async () => {
    c = await startLiveCluster([new LoadBalancerController()], { lbPool: POOL });
    client = c.client;
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  afterEach(async () => {
    await client.deleteCollection(SERVICES, { namespace: NS });
    await eventually('the services to go', async () => (await client.list(SERVICES, { namespace: NS })).items.length === 0);
  });
  afterAll(async () => {
    await c?.stop();
  });

  const svc = (name: string, spec: Partial<ServiceSpec> = {}): Promise<Service> =>
    client.create<Service>(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 8080 }], ...spec } });
  const get = (name: string): Promise<Service> => client.get<Service>(SERVICES, name, NS);
  const ipOf = async (name: string): Promise<string | undefined> => (await get(name)).status?.loadBalancer?.ingress?.[0]?.ip;
  const address = (name: string, timeoutMs = 5_000): Promise<string> => eventually(`an address for ${name}`, () => ipOf(name), timeoutMs);
  const events = async (name: string): Promise<Event[]> => (await client.list<Event>(EVENTS, { namespace: NS })).items.filter((e) => e.involvedObject.name === name);
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

  // How fast is bench material; here only that it happens (the e2e bench-free deadline is generous).
  it('gives a LoadBalancer the lowest free address as a VIP, with Ensuring/Ensured Events', async () => {
    await svc('first');
    expect(await address('first')).toBe('127.240.0.1');
    expect((await get('first')).status?.loadBalancer).toEqual({ ingress: [{ ip: '127.240.0.1', ipMode: 'VIP' }] });
    const reasons = await eventually('both Events', async () => {
      const r = (await events('first')).map((e) => `${e.type} ${e.reason} ${e.message}`);
      return r.length >= 2 && r;
    });
    expect(reasons).toEqual(expect.arrayContaining(['Normal EnsuringLoadBalancer Ensuring load balancer', 'Normal EnsuredLoadBalancer Ensured load balancer']));
  });

  it('leaves other types and other classes alone; handles its own class', async () => {
    await svc('plain', { type: 'ClusterIP' });
    await svc('foreign', { loadBalancerClass: 'example.com/other-lb' });
    await svc('mine', { loadBalancerClass: LOAD_BALANCER_CLASS });
    expect(await address('mine')).toBe('127.240.0.1');
    await settle();
    expect((await get('plain')).status?.loadBalancer).toEqual({});
    expect((await get('foreign')).status?.loadBalancer).toEqual({});
  });

  it('honours spec.loadBalancerIP when it is a free address of the pool, and warns otherwise', async () => {
    await svc('wants-5', { loadBalancerIP: '127.240.0.5' });
    expect(await address('wants-5')).toBe('127.240.0.5');
    await svc('wants-outside', { loadBalancerIP: '127.241.0.9' });
    await svc('wants-taken', { loadBalancerIP: '127.240.0.5' });
    const outside = await eventually('the outside warning', async () => (await events('wants-outside')).find((e) => e.reason === 'AllocationFailed'));
    expect(outside).toMatchObject({ type: 'Warning', message: `Failed to allocate IP for "${NS}/wants-outside": spec.loadBalancerIP 127.241.0.9 is not an address of the pool ${POOL}` });
    const taken = await eventually('the taken warning', async () => (await events('wants-taken')).find((e) => e.reason === 'AllocationFailed'));
    expect(taken.message).toBe(`Failed to allocate IP for "${NS}/wants-taken": spec.loadBalancerIP 127.240.0.5 is already in use by ${NS}/wants-5`);
    expect(await ipOf('wants-outside')).toBeUndefined();
    expect(await ipOf('wants-taken')).toBeUndefined();
    // Once the holder goes, the waiting Service gets the address it asked for.
    await client.delete(SERVICES, 'wants-5', { namespace: NS });
    expect(await address('wants-taken')).toBe('127.240.0.5');
  });

  it('an exhausted pool leaves the status empty with a Warning; a freed address goes to the waiting Service', async () => {
    for (let i = 1; i <= 6; i++) await svc(`fill-${i}`);
    const ips = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => address(`fill-${i}`)));
    expect(new Set(ips).size).toBe(6);
    await svc('overflow');
    const warning = await eventually('the exhaustion warning', async () => (await events('overflow')).find((e) => e.reason === 'AllocationFailed'));
    expect(warning).toMatchObject({ type: 'Warning', message: `Failed to allocate IP for "${NS}/overflow": no available IPs: the pool ${POOL} is exhausted (6 of 6 addresses in use)` });
    expect((await get('overflow')).status?.loadBalancer).toEqual({});
    const freed = await ipOf('fill-3');
    await client.delete(SERVICES, 'fill-3', { namespace: NS });
    expect(await address('overflow')).toBe(freed);
  });

  it('a Service that stops being a LoadBalancer loses its address and status; the address is reused', async () => {
    await svc('changing');
    expect(await address('changing')).toBe('127.240.0.1');
    const s = await get('changing');
    await client.update(SERVICES, { ...s, spec: { ...s.spec, type: 'ClusterIP', ports: s.spec.ports?.map((p) => ({ ...p, nodePort: undefined })), allocateLoadBalancerNodePorts: undefined, externalTrafficPolicy: undefined } });
    await eventually('the status to clear', async () => (await ipOf('changing')) === undefined);
    await svc('next');
    expect(await address('next')).toBe('127.240.0.1');
  });

  it('after a restart, addresses stay with their Services and are never given twice', async () => {
    await svc('keep-a');
    await svc('keep-b');
    const a = await address('keep-a');
    const b = await address('keep-b');
    await c.manager.stop();
    // While no controller runs, a status write makes two Services claim one address; the older
    // keeps it (creationTimestamp has whole seconds: make it a later one).
    await new Promise((r) => setTimeout(r, 1_100));
    const dupe = await svc('dupe');
    await client.updateStatus<Service>(SERVICES, { ...dupe, status: { loadBalancer: { ingress: [{ ip: a, ipMode: 'VIP' }] } } });
    await svc('fresh');
    c.manager = new ControllerManager({ client, cluster: { ...TEST_CLUSTER, lbPool: POOL }, controllers: [new LoadBalancerController()], log: (m) => c.logs.push(m) });
    await c.manager.start();
    const fresh = await address('fresh');
    const moved = await eventually('the duplicate to move', async () => {
      const ip = await ipOf('dupe');
      return ip !== a && ip;
    });
    expect(await ipOf('keep-a')).toBe(a);
    expect(await ipOf('keep-b')).toBe(b);
    expect(new Set([a, b, fresh, moved]).size).toBe(4);
  });
});
