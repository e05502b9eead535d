// The ReplicaSet controller against a real API server, with a fake node playing the kubelet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Pod, ReplicaSet } from '../../api/core.js';
import type { KubeList } from '../../api/types.js';
import { EVENTS, NAMESPACES, PODS, REPLICASETS } from '../resources.js';
import { eventually, startLiveCluster, type LiveCluster } from '../testing/live-cluster.js';
import { FakeNode } from '../testing/pods.js';
import { ReplicaSetController } from './controller.js';

const NS = 'rs-it';

function replicaSet(name: string, replicas: number, opts: { minReadySeconds?: number; nodeName?: string; labels?: Record<string, string> } = {}): ReplicaSet {
  const labels = opts.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      minReadySeconds: opts.minReadySeconds,
      selector: { matchLabels: labels },
      template: { metadata: { labels, annotations: { note: 'copied' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], ...(opts.nodeName ? { nodeName: opts.nodeName } : {}) } },
    },
  };
}

describe('ReplicaSet controller', () => {
  let c: LiveCluster;
  let node: FakeNode;
  const pods = async (selector: string): Promise<Pod[]> => (await c.client.list<Pod>(PODS, { namespace: NS, labelSelector: selector })).items;
  const rs = (name: string): Promise<ReplicaSet> => c.client.get<ReplicaSet>(REPLICASETS, name, NS);
  const events = async (name: string): Promise<Event[]> =>
    (await c.client.list<Event>(EVENTS, { namespace: NS })).items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === 'ReplicaSet');

  beforeAll(async () => {
    c = await startLiveCluster([new ReplicaSetController()]);
    await c.client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    node = new FakeNode(c.client, { namespace: NS, terminateAfterMs: 1500 });
    await node.start();
  });

  afterAll(async () => {
    await node?.stop();
    await c?.stop();
  });

  it('creates replicas pods it controls, named after it, and reports them in status', async () => {
    const created = await c.client.create(REPLICASETS, replicaSet('web', 3));
    const list = await eventually('3 pods', async () => {
      const p = await pods('app=web');
      return p.length === 3 ? p : undefined;
    });
    for (const p of list) {
      expect(p.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.metadata.labels).toEqual({ app: 'web' });
      expect(p.metadata.annotations).toEqual({ note: 'copied' });
    }
    const status = await eventually('status 3/3', async () => {
      const s = (await rs('web')).status;
      return s?.readyReplicas === 3 && s.availableReplicas === 3 ? s : undefined;
    });
    expect(status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    const created3 = await eventually('3 SuccessfulCreate events', async () => {
      const e = (await events('web')).filter((x) => x.reason === 'SuccessfulCreate');
      return e.length === 3 ? e : undefined;
    });
    expect(created3.map((e) => e.message).sort()).toEqual(list.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(created3[0]!.source).toEqual({ component: 'replicaset-controller' });
  });

  it('scales down deleting the least useful pods first (not ready before ready)', async () => {
    const before = await pods('app=web');
    const victim = before[1]!;
    await node.setReady(NS, victim.metadata.name!, false);
    await eventually('the RS sees 2 ready', async () => ((await rs('web')).status?.readyReplicas === 2 ? true : undefined));
    await c.client.patch(REPLICASETS, 'web', { spec: { replicas: 2 } }, 'merge', { namespace: NS });
    const after = await eventually('2 pods', async () => {
      const p = await pods('app=web');
      return p.length === 2 ? p : undefined;
    });
    expect(after.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    await eventually('SuccessfulDelete event', async () => (await events('web')).some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted pod: ${victim.metadata.name}`));
    await eventually('status 2', async () => {
      const r = await rs('web');
      return r.status?.replicas === 2 && r.status.observedGeneration === 2 ? true : undefined;
    });
  });

  it('adopts a matching orphan instead of creating, and releases a pod that stops matching', async () => {
    const orphan: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: NS, labels: { app: 'adopter' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    await c.client.create(PODS, orphan);
    const owner = await c.client.create(REPLICASETS, replicaSet('adopter', 2));
    const adopted = await eventually('stray adopted', async () => {
      const p = await c.client.get<Pod>(PODS, 'stray', NS);
      return p.metadata.ownerReferences?.[0]?.uid === owner.metadata.uid ? p : undefined;
    });
    expect(adopted.metadata.ownerReferences![0]).toMatchObject({ controller: true, blockOwnerDeletion: true, kind: 'ReplicaSet', name: 'adopter' });
    const two = await eventually('2 pods, one of them the orphan', async () => {
      const p = await pods('app=adopter');
      return p.length === 2 ? p : undefined;
    });
    const made = two.filter((p) => p.metadata.name !== 'stray');
    expect(made).toHaveLength(1);
    // Events are written in the background, after the pod: wait for them, then count.
    const creates = await eventually('a SuccessfulCreate event', async () => {
      const e = (await events('adopter')).filter((x) => x.reason === 'SuccessfulCreate');
      return e.length > 0 ? e : undefined;
    });
    expect(creates.map((e) => e.message)).toEqual([`Created pod: ${made[0]!.metadata.name}`]);

    // Relabel the adopted pod: the ReplicaSet lets go of it and makes a replacement.
    await c.client.patch(PODS, 'stray', { metadata: { labels: { app: 'elsewhere' } } }, 'merge', { namespace: NS });
    await eventually('stray released', async () => ((await c.client.get<Pod>(PODS, 'stray', NS)).metadata.ownerReferences ?? []).length === 0);
    await eventually('a replacement', async () => ((await pods('app=adopter')).length === 2 ? true : undefined));
  });

  it('does not count a terminating pod: its replacement starts before it is gone', async () => {
    await c.client.create(REPLICASETS, replicaSet('graceful', 2, { nodeName: 'fake-node' }));
    await eventually('2 ready', async () => ((await rs('graceful')).status?.readyReplicas === 2 ? true : undefined));
    const [first] = await pods('app=graceful');
    await c.client.delete(PODS, first!.metadata.name!, { namespace: NS });
    const seen = await eventually('3 pods, one terminating, status counting 2', async () => {
      const p = await pods('app=graceful');
      const counted = (await rs('graceful')).status?.replicas;
      return p.length === 3 && p.some((x) => x.metadata.deletionTimestamp) && counted === 2 ? p : undefined;
    });
    expect(seen.filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(2);
    await eventually('the terminating pod is gone', async () => ((await pods('app=graceful')).length === 2 ? true : undefined));
  });

  it('counts a pod available only minReadySeconds after it is ready', async () => {
    await c.client.create(REPLICASETS, replicaSet('slow', 1, { minReadySeconds: 2 }));
    await eventually('ready', async () => ((await rs('slow')).status?.readyReplicas === 1 ? true : undefined));
    expect((await rs('slow')).status?.availableReplicas ?? 0).toBe(0);
    await eventually('available after 2 s', async () => ((await rs('slow')).status?.availableReplicas === 1 ? true : undefined), 6_000);
  });

  it('never creates twice while its creations are on their way (expectations)', async () => {
    await c.client.create(REPLICASETS, replicaSet('burst', 20));
    await eventually('20 pods', async () => ((await pods('app=burst')).length === 20 ? true : undefined));
    // Give any duplicate create a chance to show, then count again.
    await new Promise((r) => setTimeout(r, 500));
    expect(await pods('app=burst')).toHaveLength(20);
    // Events are written in the background and may trail the pods: wait for them, then count.
    const creates = await eventually('20 SuccessfulCreate events', async () => {
      const e = (await events('burst')).filter((x) => x.reason === 'SuccessfulCreate');
      return e.length >= 20 ? e : undefined;
    }, 30_000);
    expect(creates).toHaveLength(20);
    expect(new Set(creates.map((e) => e.message)).size).toBe(20);
    await c.client.patch(REPLICASETS, 'burst', { spec: { replicas: 0 } }, 'merge', { namespace: NS });
    await eventually('none left', async () => ((await pods('app=burst')).length === 0 ? true : undefined));
    const list = await c.client.list<Pod>(PODS, { namespace: NS, labelSelector: 'app=burst' });
    expect((list as KubeList<Pod>).items).toHaveLength(0);
    expect(c.logs.filter((l) => !/conflict|modified/i.test(l))).toEqual([]);
  });
});
