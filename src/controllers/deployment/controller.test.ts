// The Deployment and ReplicaSet controllers together against a real API server, a fake node
// playing the kubelet: rollouts step by step, with the invariants checked at every change seen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, DeploymentStrategy, Event, Pod, ReplicaSet } from '../../api/core.js';
import { Informer, type JsonPatchOperation } from '../../client/index.js';
import { isPodReady } from '../replicaset/pods.js';
import { ReplicaSetController } from '../replicaset/index.js';
import { DEPLOYMENTS, EVENTS, NAMESPACES, PODS, REPLICASETS } from '../resources.js';
import { eventually, startLiveCluster, type LiveCluster } from '../testing/live-cluster.js';
import { FakeNode } from '../testing/pods.js';
import { DeploymentController } from './controller.js';
import { POD_TEMPLATE_HASH_LABEL } from './hash.js';

/** Template annotations the fake node reads: how long until ready, or never. */
const READY_AFTER = 'test.tinykube.io/ready-after-ms';
const NEVER_READY = 'test.tinykube.io/never-ready';
const HASH = /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/;
const revision = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

interface DeploymentOpts {
  replicas?: number;
  image?: string;
  strategy?: DeploymentStrategy;
  readyAfterMs?: number;
  neverReady?: boolean;
  nodeName?: string;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  annotations?: Record<string, string>;
}

function deployment(ns: string, name: string, o: DeploymentOpts = {}): Deployment {
  const annotations: Record<string, string> = {};
  if (o.readyAfterMs) annotations[READY_AFTER] = String(o.readyAfterMs);
  if (o.neverReady) annotations[NEVER_READY] = 'true';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      ...(o.strategy ? { strategy: o.strategy } : {}),
      ...(o.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: o.revisionHistoryLimit } : {}),
      ...(o.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: o.progressDeadlineSeconds } : {}),
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: { containers: [{ name: 'web', image: o.image ?? 'nginx:1.25' }], ...(o.nodeName ? { nodeName: o.nodeName } : {}) },
      },
    },
  };
}

describe('Deployment controller', () => {
  let c: LiveCluster;
  let node: FakeNode;
  let nsCount = 0;

  const newNamespace = async (): Promise<string> => {
    const name = `deploy-it-${++nsCount}`;
    await c.client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  };
  const getD = (ns: string, name: string): Promise<Deployment> => c.client.get<Deployment>(DEPLOYMENTS, name, ns);
  const replicaSets = async (ns: string): Promise<ReplicaSet[]> => (await c.client.list<ReplicaSet>(REPLICASETS, { namespace: ns })).items;
  const pods = async (ns: string): Promise<Pod[]> => (await c.client.list<Pod>(PODS, { namespace: ns })).items;
  const events = async (ns: string, kind = 'Deployment'): Promise<Event[]> => (await c.client.list<Event>(EVENTS, { namespace: ns })).items.filter((e) => e.involvedObject.kind === kind);
  const patchSpec = (ns: string, name: string, spec: Record<string, unknown>): Promise<Deployment> => c.client.patch<Deployment>(DEPLOYMENTS, name, { spec }, 'strategic', { namespace: ns });
  const setImage = (ns: string, name: string, image: string): Promise<Deployment> => patchSpec(ns, name, { template: { spec: { containers: [{ name: 'web', image }] } } });

  /** What `kubectl rollout status` waits for. */
  const rolledOut = (ns: string, name: string, timeoutMs = 15_000): Promise<Deployment> =>
    eventually(
      `deployment ${ns}/${name} rolled out`,
      async () => {
        const d = await getD(ns, name);
        const s = d.status ?? {};
        const replicas = d.spec.replicas ?? 1;
        const done = (d.metadata.generation ?? 0) <= (s.observedGeneration ?? 0) && (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === (s.updatedReplicas ?? 0) && (s.availableReplicas ?? 0) === (s.updatedReplicas ?? 0);
        return done ? d : undefined;
      },
      timeoutMs,
    );

  beforeAll(async () => {
    c = await startLiveCluster([new ReplicaSetController(), new DeploymentController()]);
    node = new FakeNode(c.client, {
      terminateAfterMs: 200,
      readyAfterMs: (pod) => Number(pod.metadata.annotations?.[READY_AFTER] ?? 0),
      neverReady: (pod) => pod.metadata.annotations?.[NEVER_READY] === 'true',
    });
    await node.start();
  });

  afterAll(async () => {
    await node?.stop();
    await c?.stop();
  });

  it('creates <name>-<pod-template-hash> with the hash in labels and selector, and reports a finished rollout', async () => {
    const ns = await newNamespace();
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web', { annotations: { 'kubernetes.io/change-cause': 'first' } }));
    const d = await rolledOut(ns, 'web');
    const [rs, ...more] = await replicaSets(ns);
    expect(more).toEqual([]);
    const hash = rs!.metadata.labels![POD_TEMPLATE_HASH_LABEL]!;
    expect(hash).toMatch(HASH);
    expect(rs!.metadata.name).toBe(`web-${hash}`);
    expect(rs!.spec.selector.matchLabels).toEqual({ app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash });
    expect(rs!.spec.template!.metadata!.labels).toEqual({ app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash });
    expect(rs!.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(rs!.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
      'kubernetes.io/change-cause': 'first',
    });
    for (const p of await pods(ns)) expect(p.metadata.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status?.unavailableReplicas).toBeUndefined();
    const conditions = (await eventually('NewReplicaSetAvailable', async () => {
      const cs = (await getD(ns, 'web')).status?.conditions;
      return cs?.find((x) => x.type === 'Progressing')?.reason === 'NewReplicaSetAvailable' ? cs : undefined;
    }))!;
    expect(conditions.map((x) => [x.type, x.status, x.reason, x.message])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "web-${hash}" has successfully progressed.`],
    ]);
    const ev = await eventually('ScalingReplicaSet', async () => (await events(ns)).find((e) => e.reason === 'ScalingReplicaSet'));
    expect(ev).toMatchObject({ type: 'Normal', message: `Scaled up replica set web-${hash} from 0 to 3`, source: { component: 'deployment-controller' } });
  });

  it('scales the only ReplicaSet up and down with events', async () => {
    const ns = await newNamespace();
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web'));
    await rolledOut(ns, 'web');
    const [rs] = await replicaSets(ns);
    await c.client.patch(DEPLOYMENTS, 'web', { spec: { replicas: 5 } }, 'merge', { namespace: ns, subresource: 'scale' });
    await rolledOut(ns, 'web');
    expect((await pods(ns)).length).toBe(5);
    await patchSpec(ns, 'web', { replicas: 1 });
    await rolledOut(ns, 'web');
    await eventually('1 pod', async () => ((await pods(ns)).length === 1 ? true : undefined));
    const msgs = (await eventually('3 events', async () => {
      const e = (await events(ns)).filter((x) => x.reason === 'ScalingReplicaSet');
      return e.length === 3 ? e : undefined;
    })).map((e) => e.message);
    const name = rs!.metadata.name!;
    expect(msgs).toEqual(expect.arrayContaining([`Scaled up replica set ${name} from 0 to 3`, `Scaled up replica set ${name} from 3 to 5`, `Scaled down replica set ${name} from 5 to 1`]));
    expect((await replicaSets(ns))[0]!.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '1', 'deployment.kubernetes.io/max-replicas': '2' });
  });

  it.each<[string, number, number | string, number | string, number, number]>([
    // name, replicas, maxSurge, maxUnavailable -> the most pods (by ReplicaSet sizes), the fewest ready pods
    ['surge 1, unavailable 1', 4, 1, 1, 5, 3],
    ['surge 0, unavailable 1', 4, 0, 1, 4, 3],
    ['surge 1, unavailable 0', 4, 1, 0, 5, 4],
    ['25%/25% of 10', 10, '25%', '25%', 13, 8],
  ])('rolls out step by step within maxSurge and maxUnavailable: %s', async (_n, replicas, maxSurge, maxUnavailable, maxPods, minReady) => {
    const ns = await newNamespace();
    const strategy: DeploymentStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } };
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web', { replicas, strategy, readyAfterMs: 150 }));
    await rolledOut(ns, 'web');
    const violations: string[] = [];
    let mostPods = 0;
    let fewestReady = Infinity;
    const rsInformer = new Informer<ReplicaSet>(c.client, REPLICASETS, { namespace: ns });
    const podInformer = new Informer<Pod>(c.client, PODS, { namespace: ns });
    let armed = false;
    const check = (): void => {
      if (!armed) return;
      const total = rsInformer.list().reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      mostPods = Math.max(mostPods, total);
      if (total > maxPods) violations.push(`ReplicaSets want ${total} pods > ${maxPods}`);
      const ready = podInformer.list().filter((p) => !p.metadata.deletionTimestamp && isPodReady(p)).length;
      fewestReady = Math.min(fewestReady, ready);
      if (ready < minReady) violations.push(`${ready} ready pods < ${minReady}`);
    };
    for (const inf of [rsInformer, podInformer]) inf.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
    await Promise.all([rsInformer.start().waitForSync(), podInformer.start().waitForSync()]);
    armed = true;
    try {
      await setImage(ns, 'web', 'nginx:1.26');
      const d = await rolledOut(ns, 'web', 30_000);
      expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    } finally {
      rsInformer.stop();
      podInformer.stop();
    }
    expect(violations).toEqual([]);
    // The rollout did use its room.
    expect(mostPods).toBe(maxPods);
    expect(fewestReady).toBeLessThanOrEqual(replicas);
    const rss = await replicaSets(ns);
    expect(rss).toHaveLength(2);
    const old = rss.find((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'] === '1')!;
    expect(old.spec.replicas).toBe(0);
    const pending = (await pods(ns)).filter((p) => p.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === old.metadata.labels?.[POD_TEMPLATE_HASH_LABEL]);
    expect(pending.filter((p) => !p.metadata.deletionTimestamp)).toEqual([]);
    // Events are written in the background: the first scale-down's may still be on its way.
    await eventually('the first scale-down event', async () => (await events(ns)).some((e) => e.message?.startsWith(`Scaled down replica set ${old.metadata.name} from ${replicas} to `)));
  });

  it('Recreate: every old pod is gone before the first new one exists', async () => {
    const ns = await newNamespace();
    // Bound to the fake node, so deletion is graceful and old pods linger while terminating.
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web', { replicas: 3, strategy: { type: 'Recreate' }, nodeName: 'fake-node' }));
    await rolledOut(ns, 'web');
    const [oldRS] = await replicaSets(ns);
    const oldHash = oldRS!.metadata.labels![POD_TEMPLATE_HASH_LABEL]!;
    const violations: string[] = [];
    let sawTerminating = false;
    const podInformer = new Informer<Pod>(c.client, PODS, { namespace: ns });
    const check = (): void => {
      const all = podInformer.list();
      const old = all.filter((p) => p.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === oldHash);
      if (old.some((p) => p.metadata.deletionTimestamp)) sawTerminating = true;
      const fresh = all.filter((p) => p.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] !== oldHash);
      if (old.length > 0 && fresh.length > 0) violations.push(`${old.length} old and ${fresh.length} new pods at once`);
    };
    podInformer.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
    await podInformer.start().waitForSync();
    try {
      await setImage(ns, 'web', 'nginx:1.26');
      await rolledOut(ns, 'web');
    } finally {
      podInformer.stop();
    }
    expect(sawTerminating).toBe(true);
    expect(violations).toEqual([]);
    // Events are written in the background: wait for it rather than read once.
    await eventually('the scale-down event', async () => (await events(ns)).some((e) => e.message === `Scaled down replica set ${oldRS!.metadata.name} from 3 to 0`));
  });

  it('pause stops the rollout (scaling still works), resume continues it', async () => {
    const ns = await newNamespace();
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web', { replicas: 2 }));
    await rolledOut(ns, 'web');
    await patchSpec(ns, 'web', { paused: true });
    const paused = await eventually('DeploymentPaused', async () => (await getD(ns, 'web')).status?.conditions?.find((x) => x.type === 'Progressing' && x.reason === 'DeploymentPaused'));
    expect(paused).toMatchObject({ status: 'Unknown', message: 'Deployment is paused' });
    await setImage(ns, 'web', 'nginx:1.26');
    await patchSpec(ns, 'web', { replicas: 3 });
    await eventually('scaled while paused', async () => ((await replicaSets(ns))[0]?.spec.replicas === 3 ? true : undefined));
    await eventually('observed', async () => {
      const d = await getD(ns, 'web');
      return d.status?.observedGeneration === d.metadata.generation ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await replicaSets(ns)).toHaveLength(1);
    await patchSpec(ns, 'web', { paused: false });
    await rolledOut(ns, 'web');
    const rss = await replicaSets(ns);
    expect(rss).toHaveLength(2);
    expect(rss.find((r) => r.spec.template?.spec.containers[0]!.image === 'nginx:1.26')?.spec.replicas).toBe(3);
    await eventually('NewReplicaSetAvailable', async () => (await getD(ns, 'web')).status?.conditions?.find((x) => x.reason === 'NewReplicaSetAvailable'));
  });

  it('rollback (kubectl rollout undo patches the old template back) reuses the old ReplicaSet', async () => {
    const ns = await newNamespace();
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web', { annotations: { 'kubernetes.io/change-cause': 'v1' } }));
    await rolledOut(ns, 'web');
    const [first] = await replicaSets(ns);
    await c.client.patch(DEPLOYMENTS, 'web', { metadata: { annotations: { 'kubernetes.io/change-cause': 'v2' } }, spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } }, 'strategic', { namespace: ns });
    await rolledOut(ns, 'web');
    expect(await replicaSets(ns)).toHaveLength(2);
    // What kubectl 1.27+ sends: the old ReplicaSet's template as a Go client re-encodes it
    // (hash label removed, creationTimestamp: null) and the old ReplicaSet's annotations.
    const old = await c.client.get<ReplicaSet>(REPLICASETS, first!.metadata.name!, ns);
    const template = structuredClone(old.spec.template!);
    delete template.metadata!.labels![POD_TEMPLATE_HASH_LABEL];
    const d = await getD(ns, 'web');
    const annotations: Record<string, string> = { 'deployment.kubernetes.io/revision': d.metadata.annotations!['deployment.kubernetes.io/revision']! };
    for (const [k, v] of Object.entries(old.metadata.annotations ?? {})) if (!k.startsWith('deployment.kubernetes.io/')) annotations[k] = v;
    const ops: JsonPatchOperation[] = [
      { op: 'replace', path: '/spec/template', value: { ...template, metadata: { ...template.metadata, creationTimestamp: null } } },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ];
    await c.client.patch(DEPLOYMENTS, 'web', ops, 'json', { namespace: ns });
    const back = await rolledOut(ns, 'web');
    const rss = await replicaSets(ns);
    expect(rss).toHaveLength(2);
    const reused = rss.find((r) => r.metadata.name === first!.metadata.name)!;
    expect(reused.spec.replicas).toBe(3);
    expect(reused.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'v1' });
    expect(back.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  });

  it('restart (a restartedAt template annotation) replaces every pod through a new ReplicaSet', async () => {
    const ns = await newNamespace();
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web', { replicas: 2 }));
    await rolledOut(ns, 'web');
    const before = new Set((await pods(ns)).map((p) => p.metadata.name));
    await patchSpec(ns, 'web', { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } });
    await rolledOut(ns, 'web');
    const after = await eventually('old pods gone', async () => {
      const p = (await pods(ns)).filter((x) => !x.metadata.deletionTimestamp);
      return p.length === 2 && p.every((x) => !before.has(x.metadata.name)) ? p : undefined;
    });
    expect(after[0]!.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    expect(await replicaSets(ns)).toHaveLength(2);
  });

  it('keeps only revisionHistoryLimit old ReplicaSets', async () => {
    const ns = await newNamespace();
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web', { replicas: 1, revisionHistoryLimit: 1 }));
    await rolledOut(ns, 'web');
    for (const image of ['nginx:1.26', 'nginx:1.27', 'nginx:1.28']) {
      await setImage(ns, 'web', image);
      await rolledOut(ns, 'web');
    }
    const rss = await eventually('2 ReplicaSets left', async () => {
      const r = await replicaSets(ns);
      return r.length === 2 ? r : undefined;
    });
    expect(rss.map((r) => r.spec.template!.spec.containers[0]!.image).sort()).toEqual(['nginx:1.27', 'nginx:1.28']);
    expect(rss.map((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision']).sort()).toEqual(['3', '4']);
  });

  it('adopts a matching orphan ReplicaSet: one with its template becomes the new one, others are scaled away', async () => {
    const ns = await newNamespace();
    const d = deployment(ns, 'web', { replicas: 2 });
    const orphan = (name: string, image: string): ReplicaSet => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: ns, labels: { app: 'web' } },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { ...d.spec.template, spec: { containers: [{ name: 'web', image }] } } },
    });
    await c.client.create(REPLICASETS, orphan('legacy', 'nginx:1.25'));
    await c.client.create(REPLICASETS, orphan('older', 'nginx:1.0'));
    const created = await c.client.create(DEPLOYMENTS, d);
    await rolledOut(ns, 'web');
    const rss = await replicaSets(ns);
    expect(rss.map((r) => r.metadata.name).sort()).toEqual(['legacy', 'older']);
    for (const r of rss) expect(r.metadata.ownerReferences?.[0]?.uid).toBe(created.metadata.uid);
    expect(rss.find((r) => r.metadata.name === 'older')!.spec.replicas).toBe(0);
    expect(rss.find((r) => r.metadata.name === 'legacy')!.spec.replicas).toBe(2);
  });

  it('releases a ReplicaSet that stops matching, and a name collision moves to the next hash', async () => {
    const ns = await newNamespace();
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web', { replicas: 1 }));
    await rolledOut(ns, 'web');
    const [rs] = await replicaSets(ns);
    await c.client.patch(REPLICASETS, rs!.metadata.name!, { metadata: { labels: { app: 'gone' } } }, 'merge', { namespace: ns });
    await eventually('released', async () => ((await c.client.get<ReplicaSet>(REPLICASETS, rs!.metadata.name!, ns)).metadata.ownerReferences ?? []).length === 0);
    // Its template is still the deployment's, under the same name: a collision, so the hash moves on.
    await eventually('a collision counted', async () => ((await getD(ns, 'web')).status?.collisionCount === 1 ? true : undefined));
    await eventually('a new ReplicaSet', async () => ((await replicaSets(ns)).length === 2 ? true : undefined));
    const d = await rolledOut(ns, 'web');
    expect(d.status?.collisionCount).toBe(1);
    const owned = (await replicaSets(ns)).filter((r) => r.metadata.ownerReferences?.length);
    expect(owned).toHaveLength(1);
    expect(owned[0]!.metadata.name).not.toBe(rs!.metadata.name);
    expect(owned[0]!.metadata.name).toBe(`web-${owned[0]!.metadata.labels![POD_TEMPLATE_HASH_LABEL]}`);
  });

  it('scales proportionally in the middle of a rollout', async () => {
    const ns = await newNamespace();
    const strategy: DeploymentStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web', { replicas: 10, strategy }));
    await rolledOut(ns, 'web');
    // A template whose pods never become ready: the rollout stalls at old 8 / new 5.
    await patchSpec(ns, 'web', { template: { metadata: { annotations: { [NEVER_READY]: 'true' } } } });
    const sizes = async (): Promise<number[]> => (await replicaSets(ns)).sort((a, b) => revision(a) - revision(b)).map((r) => r.spec.replicas ?? 0);
    await eventually('stalled at 8 + 5', async () => ((await sizes()).join() === '8,5' ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect((await sizes()).join()).toBe('8,5');
    // 20 replicas and surge 3 allow 23 pods, shared 8:5 as the 13 were: 14 and 9.
    await patchSpec(ns, 'web', { replicas: 20 });
    await eventually('scaled in proportion', async () => ((await sizes()).join() === '14,9' ? true : undefined));
    const d = await getD(ns, 'web');
    expect(d.status?.conditions?.find((x) => x.type === 'Progressing')?.status).toBe('True');
  });

  it('reports ProgressDeadlineExceeded when the new pods never become ready', async () => {
    const ns = await newNamespace();
    await c.client.create(DEPLOYMENTS, deployment(ns, 'web', { replicas: 2, progressDeadlineSeconds: 1 }));
    await rolledOut(ns, 'web');
    await patchSpec(ns, 'web', { template: { metadata: { annotations: { [NEVER_READY]: 'true' } } } });
    const cond = await eventually('timed out', async () => (await getD(ns, 'web')).status?.conditions?.find((x) => x.type === 'Progressing' && x.reason === 'ProgressDeadlineExceeded'), 10_000);
    const newRS = (await replicaSets(ns)).find((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2')!;
    expect(cond).toMatchObject({ status: 'False', message: `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` });
    // maxUnavailable 25% of 2 rounds to 0: the old pods all stay.
    expect((await replicaSets(ns)).find((r) => r !== newRS && r.metadata.name !== newRS.metadata.name)!.spec.replicas).toBe(2);
  });

  it('logged nothing but conflicts', () => {
    expect(c.logs.filter((l) => !/conflict|modified/i.test(l))).toEqual([]);
    expect(node.errors).toEqual([]);
  });
});
