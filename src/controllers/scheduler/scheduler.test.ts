// The scheduler and the pods/binding subresource against a real API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Node, Pod } from '../../api/core.js';
import { ApiError, type KubeClient } from '../../client/index.js';
import { EVENTS, NAMESPACES, NODES, PODS } from '../resources.js';
import { eventually, startLiveCluster, type LiveCluster } from '../testing/live-cluster.js';
import { Scheduler } from './scheduler.js';

const NS = 'sched';

describe('scheduler', () => {
  let c: LiveCluster;
  let client: KubeClient;

  beforeAll(async () => {
    c = await startLiveCluster([new Scheduler()]);
    client = c.client;
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  afterAll(async () => {
    await c?.stop();
  });

  const createPod = (name: string, spec: Partial<Pod['spec']> = {}): Promise<Pod> =>
    client.create<Pod>(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { containers: [{ name: 'c', image: 'web' }], ...spec } });
  const getPod = (name: string): Promise<Pod> => client.get<Pod>(PODS, name, NS);
  const createNode = async (name: string, labels: Record<string, string> = {}, extra: Partial<NonNullable<Node['spec']>> = {}): Promise<void> => {
    const node = await client.create<Node>(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: extra });
    await client.updateStatus<Node>(NODES, { ...node, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready' }] } });
  };
  const events = async (pod: string): Promise<Event[]> => (await client.list<Event>(EVENTS, { namespace: NS })).items.filter((e) => e.involvedObject.name === pod);
  const scheduledCondition = (p: Pod): Record<string, unknown> | undefined => p.status?.conditions?.find((x) => x.type === 'PodScheduled') as Record<string, unknown> | undefined;

  it('with no nodes, a pod stays Pending: Unschedulable, and a FailedScheduling Event', async () => {
    await createPod('early');
    const p = await eventually('the Unschedulable condition', async () => {
      const pod = await getPod('early');
      return scheduledCondition(pod)?.['status'] === 'False' && pod;
    });
    expect(scheduledCondition(p)).toMatchObject({ reason: 'Unschedulable', message: 'no nodes available to schedule pods' });
    expect(p.spec.nodeName).toBeUndefined();
    const ev = await eventually('the FailedScheduling Event', async () => (await events('early')).find((e) => e.reason === 'FailedScheduling'));
    expect(ev).toMatchObject({ type: 'Warning', message: 'no nodes available to schedule pods', source: { component: 'default-scheduler' } });
    // Its own status write does not send the pod round again.
    await new Promise((r) => setTimeout(r, 300));
    expect((await events('early')).find((e) => e.reason === 'FailedScheduling')?.count).toBe(1);
  });

  it('binds the waiting pod once a Ready node appears, with PodScheduled=True and a Scheduled Event', async () => {
    await createNode('node-b', { disk: 'hdd' });
    const p = await eventually('the pod to be bound', async () => {
      const pod = await getPod('early');
      return pod.spec.nodeName !== undefined && pod;
    });
    expect(p.spec.nodeName).toBe('node-b');
    expect(scheduledCondition(p)).toMatchObject({ status: 'True' });
    expect(scheduledCondition(p)?.['reason']).toBeUndefined();
    const ev = await eventually('the Scheduled Event', async () => (await events('early')).find((e) => e.reason === 'Scheduled'));
    expect(ev).toMatchObject({ type: 'Normal', message: `Successfully assigned ${NS}/early to node-b` });
  });

  it('spreads pods over nodes: fewest pods first, ties by name', async () => {
    await createNode('node-a', { disk: 'ssd' });
    for (let i = 0; i < 5; i++) await createPod(`spread-${i}`);
    const placed = await eventually('every pod bound', async () => {
      const pods = await Promise.all([0, 1, 2, 3, 4].map((i) => getPod(`spread-${i}`)));
      return pods.every((x) => x.spec.nodeName) && pods.map((x) => x.spec.nodeName!);
    });
    // node-b already runs one pod: the six pods split three and three.
    const count = (n: string): number => placed.filter((x) => x === n).length;
    expect(count('node-a')).toBe(3);
    expect(count('node-b')).toBe(2);
  });

  it('honours nodeSelector, and retries when a node starts to match', async () => {
    await createPod('picky', { nodeSelector: { gpu: 'yes' } });
    const p = await eventually('the FitError condition', async () => {
      const pod = await getPod('picky');
      return scheduledCondition(pod)?.['reason'] === 'Unschedulable' && pod;
    });
    expect(scheduledCondition(p)?.['message']).toBe(
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    await client.patch(NODES, 'node-b', { metadata: { labels: { gpu: 'yes' } } }, 'merge');
    expect(await eventually('the pod to land on node-b', async () => (await getPod('picky')).spec.nodeName)).toBe('node-b');
  });

  it('leaves alone pods that are bound already or ask for another scheduler, and cordoned nodes', async () => {
    await createPod('pinned', { nodeName: 'elsewhere' });
    await createPod('other', { schedulerName: 'my-scheduler' });
    await client.patch(NODES, 'node-a', { spec: { unschedulable: true } }, 'merge');
    await client.patch(NODES, 'node-b', { spec: { unschedulable: true } }, 'merge');
    await createPod('cordoned');
    const p = await eventually('the cordon to show', async () => {
      const pod = await getPod('cordoned');
      return scheduledCondition(pod)?.['reason'] === 'Unschedulable' && pod;
    });
    expect(scheduledCondition(p)?.['message']).toBe('0/2 nodes are available: 2 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
    expect((await getPod('pinned')).spec.nodeName).toBe('elsewhere');
    const other = await getPod('other');
    expect(other.spec.nodeName).toBeUndefined();
    expect(scheduledCondition(other)).toBeUndefined();
    await client.patch(NODES, 'node-a', { spec: { unschedulable: null } }, 'merge');
    expect(await eventually('the pod to land once uncordoned', async () => (await getPod('cordoned')).spec.nodeName)).toBe('node-a');
  });

  it('pods/binding assigns once; a second binding is a 409 Conflict', async () => {
    await createPod('manual', { schedulerName: 'manual' });
    const body = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'manual' }, target: { kind: 'Node', name: 'node-x' } };
    const ok = await client.createSubresource(PODS, 'manual', 'binding', body, { namespace: NS });
    expect(ok).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    const bound = await getPod('manual');
    expect(bound.spec.nodeName).toBe('node-x');
    expect(scheduledCondition(bound)).toMatchObject({ status: 'True' });
    const again = await client.createSubresource(PODS, 'manual', 'binding', { ...body, target: { kind: 'Node', name: 'node-y' } }, { namespace: NS }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ApiError);
    expect((again as ApiError).code).toBe(409);
    expect((again as ApiError).message).toBe('Operation cannot be fulfilled on pods/binding "manual": pod manual is already assigned to node "node-x"');
    const invalid = await client.createSubresource(PODS, 'manual', 'binding', { ...body, target: { kind: 'Pod', name: '' } }, { namespace: NS }).catch((e: unknown) => e);
    expect((invalid as ApiError).code).toBe(422);
    expect((invalid as ApiError).message).toBe('Binding "manual" is invalid: [target.kind: Invalid value: "Pod": must be empty or \'Node\', target.name: Required value]');
  });
});
