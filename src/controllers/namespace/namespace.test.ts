// The namespace controller against a real API server: a deleted namespace is emptied and
// released; content held by a finalizer keeps it Terminating with conditions saying so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Namespace } from '../../api/core.js';
import { isNotFound, type KubeClient } from '../../client/index.js';
import { CONFIGMAPS, NAMESPACES, PODS, SECRETS, SERVICES } from '../resources.js';
import { eventually, startLiveCluster, type LiveCluster } from '../testing/live-cluster.js';
import type { NamespaceCondition } from './conditions.js';
import { NamespaceController } from './namespace.js';

describe('namespace controller', () => {
  let c: LiveCluster;
  let client: KubeClient;

  beforeAll(async () => {
    c = await startLiveCluster([new NamespaceController()]);
    client = c.client;
  });
  afterAll(async () => {
    await c?.stop();
  });

  const getNs = async (name: string): Promise<Namespace | undefined> => {
    try {
      return await client.get<Namespace>(NAMESPACES, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  const condition = (ns: Namespace | undefined, type: string): NamespaceCondition | undefined =>
    (ns?.status?.conditions as unknown as NamespaceCondition[] | undefined)?.find((x) => x.type === type);

  it('empties a deleted namespace, then removes it', async () => {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    for (let i = 0; i < 3; i++) await client.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'doomed' } });
    await client.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'doomed' } });
    await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'doomed' }, spec: { ports: [{ port: 80 }] } });
    await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'doomed' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const deleted = await client.delete<Namespace>(NAMESPACES, 'doomed');
    expect((deleted as Namespace).status?.phase).toBe('Terminating');
    await eventually('the namespace to go', async () => (await getNs('doomed')) === undefined);
    for (const res of [CONFIGMAPS, SECRETS, SERVICES, PODS]) expect((await client.list(res, { namespace: 'doomed' })).items).toEqual([]);
  });

  it('stays Terminating while content is held by a finalizer, and says so in its conditions', async () => {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'held' } });
    await client.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'held', finalizers: ['example.com/hold'] } });
    await client.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'held' } });
    await client.delete(NAMESPACES, 'held');
    const ns = await eventually('the content conditions', async () => {
      const n = await getNs('held');
      return condition(n, 'NamespaceContentRemaining')?.status === 'True' && n;
    });
    expect(ns.status?.phase).toBe('Terminating');
    expect(ns.spec?.finalizers).toEqual(['kubernetes']);
    expect(condition(ns, 'NamespaceContentRemaining')).toMatchObject({ reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
    expect(condition(ns, 'NamespaceFinalizersRemaining')).toMatchObject({ status: 'True', reason: 'SomeFinalizersRemain', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    expect(condition(ns, 'NamespaceDeletionContentFailure')).toMatchObject({ status: 'False', reason: 'ContentDeleted' });
    expect((await client.list(CONFIGMAPS, { namespace: 'held' })).items.map((i) => i.metadata.name)).toEqual(['keep']);

    await client.patch(CONFIGMAPS, 'keep', { metadata: { finalizers: null } }, 'merge', { namespace: 'held' });
    await eventually('the namespace to go once its content is released', async () => (await getNs('held')) === undefined);
  });

  it('leaves active namespaces alone', async () => {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'alive' } });
    await client.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'alive' } });
    await new Promise((r) => setTimeout(r, 300));
    expect((await client.list(CONFIGMAPS, { namespace: 'alive' })).items).toHaveLength(1);
    expect((await getNs('alive'))?.status?.phase).toBe('Active');
  });
});
