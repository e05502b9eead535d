// The garbage collector, namespace controller, scheduler and LoadBalancer controller of
// `tinykube up`, driven by the real kubectl. One cluster, on a two-address LoadBalancer pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster, waitFor } from './harness.js';

// A /30 of our own: two assignable addresses (.1 and .2), so exhaustion takes two Services.
const POOL_NET = `127.240.${200 + (process.pid % 50)}`;
const POOL = `${POOL_NET}.0/30`;

const NODE = `apiVersion: v1
kind: Node
metadata:
  name: node-1
  labels:
    kubernetes.io/hostname: node-1
    disk: hdd
`;

const READY = JSON.stringify({
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});

const PICKY_POD = `apiVersion: v1
kind: Pod
metadata:
  name: picky
spec:
  nodeSelector:
    disk: ssd
  containers:
  - name: web
    image: nginx:1.25
`;

describe('controllers under kubectl', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ extraArgs: ['--lb-pool', POOL] });
  });
  afterAll(async () => {
    await c?.stop();
  });

  const externalIP = async (name: string): Promise<string> => (await c.k(['get', 'svc', name, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim();

  it('a LoadBalancer Service gets an EXTERNAL-IP from the pool', async () => {
    expect(await c.k(['create', 'service', 'loadbalancer', 'lb-a', '--tcp=80:8080'])).toBe('service/lb-a created\n');
    await waitFor('the address in status', async () => {
      const r = await c.request('GET', '/api/v1/namespaces/default/services/lb-a');
      return JSON.stringify(r.json).includes(`"ip":"${POOL_NET}.1"`);
    });
    const out = await c.k(['get', 'svc', 'lb-a']);
    expect(out).toMatch(new RegExp(`^NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE\\nlb-a\\s+LoadBalancer\\s+\\S+\\s+${POOL_NET.replace(/\./g, '\\.')}\\.1\\s+80:3\\d{4}/TCP\\s+\\S+\\n$`));
    // Events are written in the background, just after the status: wait for the last one.
    await waitFor('the EnsuredLoadBalancer event', async () => (await c.k(['describe', 'svc', 'lb-a'])).includes('EnsuredLoadBalancer'));
    const describe = await c.k(['describe', 'svc', 'lb-a']);
    expect(describe).toMatch(new RegExp(`LoadBalancer Ingress:\\s+${POOL_NET.replace(/\./g, '\\.')}\\.1`));
    expect(describe).toMatch(/Normal\s+EnsuringLoadBalancer\s+.*\s+service-lb-controller\s+Ensuring load balancer/);
    expect(describe).toMatch(/Normal\s+EnsuredLoadBalancer\s+.*\s+service-lb-controller\s+Ensured load balancer/);
  });

  it('an exhausted pool shows <pending> and a Warning; deleting a Service frees its address for the pending one', async () => {
    await c.k(['create', 'service', 'loadbalancer', 'lb-b', '--tcp=80:8080']);
    await waitFor('lb-b to get .2', async () => (await externalIP('lb-b')) === `${POOL_NET}.2`);
    await c.k(['create', 'service', 'loadbalancer', 'lb-c', '--tcp=80:8080']);
    await waitFor('the AllocationFailed event', async () => (await c.k(['describe', 'svc', 'lb-c'])).includes('AllocationFailed'));
    expect(await c.k(['get', 'svc', 'lb-c'])).toMatch(/lb-c\s+LoadBalancer\s+\S+\s+<pending>\s+80:3\d{4}\/TCP/);
    const describe = await c.k(['describe', 'svc', 'lb-c']);
    expect(describe).toMatch(new RegExp(`Warning\\s+AllocationFailed\\s+.*\\s+service-lb-controller\\s+Failed to allocate IP for "default/lb-c": no available IPs: the pool ${POOL.replace(/\./g, '\\.')} is exhausted \\(2 of 2 addresses in use\\)`));
    expect(await c.k(['delete', 'svc', 'lb-a'])).toBe('service "lb-a" deleted\n');
    await waitFor('lb-c to get the freed address', async () => (await externalIP('lb-c')) === `${POOL_NET}.1`);
    expect(await externalIP('lb-b')).toBe(`${POOL_NET}.2`);
  });

  it('kubectl delete --cascade of a Deployment: background, orphan and foreground', async () => {
    // No node exists yet, so the pods stay Pending and go at once when deleted.
    await c.k(['create', 'deployment', 'bg', '--image=nginx:1.25', '--replicas=2']);
    await waitFor('bg pods', async () => (await c.k(['get', 'pods', '-l', 'app=bg', '-o', 'name'])).trim().split('\n').filter(Boolean).length === 2);
    await c.k(['delete', 'deployment', 'bg', '--cascade=background']);
    await waitFor('bg replicasets and pods collected', async () => (await c.k(['get', 'rs,pods', '-l', 'app=bg', '-o', 'name'])).trim() === '');

    await c.k(['create', 'deployment', 'orphan', '--image=nginx:1.25', '--replicas=1']);
    await waitFor('orphan rs', async () => (await c.k(['get', 'rs', '-l', 'app=orphan', '-o', 'name'])).trim() !== '');
    await c.k(['delete', 'deployment', 'orphan', '--cascade=orphan']);
    const rs = JSON.parse(await c.k(['get', 'rs', '-l', 'app=orphan', '-o', 'json'])) as { items: { metadata: { ownerReferences?: unknown[] } }[] };
    expect(rs.items).toHaveLength(1);
    expect(rs.items[0]!.metadata.ownerReferences).toBeUndefined();
    await c.k(['delete', 'rs', '-l', 'app=orphan']);

    await c.k(['create', 'deployment', 'fg', '--image=nginx:1.25', '--replicas=2']);
    await waitFor('fg pods', async () => (await c.k(['get', 'pods', '-l', 'app=fg', '-o', 'name'])).trim().split('\n').filter(Boolean).length === 2);
    // kubectl waits for the Deployment to be gone; in the foreground it goes last.
    await c.k(['delete', 'deployment', 'fg', '--cascade=foreground']);
    expect((await c.k(['get', 'rs,pods', '-l', 'app=fg', '-o', 'name'])).trim()).toBe('');
  });

  it('deleting a namespace empties it, then removes it', async () => {
    await c.k(['create', 'namespace', 'scratch']);
    await c.k(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2', '-n', 'scratch']);
    await c.k(['create', 'configmap', 'cfg', '--from-literal=a=1', '-n', 'scratch']);
    await c.k(['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-n', 'scratch']);
    await waitFor('scratch pods', async () => (await c.k(['get', 'pods', '-n', 'scratch', '-o', 'name'])).trim().split('\n').filter(Boolean).length === 2);
    expect(await c.k(['delete', 'ns', 'scratch'])).toBe('namespace "scratch" deleted\n');
    const gone = await c.kubectl(['get', 'ns', 'scratch']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('namespaces "scratch" not found');
    for (const kind of ['deployments', 'replicasets', 'pods', 'configmaps', 'services']) {
      const left = await c.request('GET', `/${kind === 'deployments' || kind === 'replicasets' ? 'apis/apps/v1' : 'api/v1'}/namespaces/scratch/${kind}`);
      expect((left.json as { items: unknown[] }).items, kind).toEqual([]);
    }
  });

  it('the scheduler binds pods to a Ready node; a nodeSelector nothing matches shows FailedScheduling', async () => {
    await c.k(['run', 'early', '--image=nginx:1.25']);
    await waitFor('the no-nodes FailedScheduling event', async () => (await c.k(['describe', 'pod', 'early'])).includes('FailedScheduling'));
    expect(await c.k(['describe', 'pod', 'early'])).toMatch(/Warning\s+FailedScheduling\s+.*\s+default-scheduler\s+no nodes available to schedule pods/);

    expect(await c.k(['apply', '-f', '-'], { input: NODE })).toBe('node/node-1 created\n');
    expect(await c.k(['patch', 'node', 'node-1', '--subresource=status', '--type=merge', '-p', READY])).toBe('node/node-1 patched\n');
    await waitFor('early to land on node-1', async () => /early\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+node-1\s/.test(await c.k(['get', 'pod', 'early', '-o', 'wide'])));

    await c.k(['run', 'web', '--image=nginx:1.25']);
    await waitFor('web to land on node-1', async () => /web\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+node-1\s/.test(await c.k(['get', 'pods', '-o', 'wide'])));
    const wide = await c.k(['get', 'pods', '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    await waitFor('the Scheduled event', async () => (await c.k(['describe', 'pod', 'web'])).includes('Successfully assigned'));
    const described = await c.k(['describe', 'pod', 'web']);
    expect(described).toMatch(/Node:\s+node-1/);
    expect(described).toMatch(/Normal\s+Scheduled\s+.*\s+default-scheduler\s+Successfully assigned default\/web to node-1/);

    expect(await c.k(['apply', '-f', '-'], { input: PICKY_POD })).toBe('pod/picky created\n');
    await waitFor('the FailedScheduling event', async () => (await c.k(['describe', 'pod', 'picky'])).includes('FailedScheduling'));
    const picky = await c.k(['describe', 'pod', 'picky']);
    expect(picky).toMatch(/Node:\s+<none>/);
    expect(picky).toContain("Warning  FailedScheduling");
    expect(picky).toContain("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
    expect(await c.k(['get', 'pod', 'picky', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}'])).toBe('Unschedulable');
    expect(await c.k(['get', 'pod', 'picky'])).toMatch(/picky\s+0\/1\s+Pending/);

    // Labelling the node makes it fit: the scheduler tries again.
    await c.k(['label', 'node', 'node-1', 'disk=ssd', '--overwrite']);
    await waitFor('picky to land once the node matches', async () => (await c.k(['get', 'pod', 'picky', '-o', 'jsonpath={.spec.nodeName}'])) === 'node-1');
  });
});
