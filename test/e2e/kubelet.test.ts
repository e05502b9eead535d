// The node agent through the real kubectl: pods of a Deployment really run (each on its own
// address, answering HTTP with its name), Services' environment variables, readiness moving
// endpoints, liveness restarts, kill -9 of a pod process, an unknown image, several nodes, a
// joined node, simulated nodes, and no pod process surviving `down` or kill -9 of tinykube.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRuns, ROOT, TestCluster, waitFor } from './harness.js';

interface PodJson {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number; state: Record<string, { reason?: string; message?: string }> }[] };
}

async function pods(c: TestCluster, selector: string): Promise<PodJson[]> {
  return (JSON.parse(await c.k(['get', 'pods', '-l', selector, '-o', 'json'])) as { items: PodJson[] }).items;
}

const isReady = (p: PodJson): boolean => p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

async function text(url: string): Promise<string | undefined> {
  try {
    return await (await fetch(url)).text();
  } catch {
    return undefined;
  }
}

/** The pids of pod processes under a data dir (their pid records), alive or not. */
function recordedPids(dataDir: string): number[] {
  const root = join(dataDir, 'nodes');
  if (!existsSync(root)) return [];
  const out: number[] = [];
  for (const node of readdirSync(root)) {
    const dir = join(root, node, 'pids');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) out.push(Number(readFileSync(join(dir, f), 'utf8').split(' ')[0]));
  }
  return out;
}

function alive(pid: number): boolean {
  return processRuns(pid);
}

describe('pods that really run (one node)', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 1 });
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('kubectl create deployment: 3 Running pods, each with its own IP, each answering with its name', async () => {
    await c.k(['create', 'service', 'clusterip', 'alpaca-prod', '--tcp=8080:8080']);
    await c.k(['create', 'deployment', 'alpaca-prod', '--image=gcr.io/kuar-demo/kuard-amd64:blue', '--port=8080', '--replicas=3']);
    const ready = await waitFor('3 ready pods', async () => {
      const list = await pods(c, 'app=alpaca-prod');
      return list.length === 3 && list.every(isReady) ? list : undefined;
    });
    const ips = ready.map((p) => p.status.podIP!);
    expect(new Set(ips).size).toBe(3);
    for (const p of ready) {
      const page = await waitFor(`kuard on ${p.status.podIP}`, () => text(`http://${p.status.podIP}:8080/`));
      expect(page).toContain(p.metadata.name);
    }
    const wide = await c.k(['get', 'pods', '-o', 'wide']);
    for (const ip of ips) expect(wide).toContain(ip);
    expect(wide).toMatch(/Running/);
  });

  it('pods see the variables of Services that existed when they started', async () => {
    await c.k(['run', 'envdump', '--image=busybox', '--restart=Never', '--', 'env']);
    await waitFor('envdump done', async () => (await c.k(['get', 'pod', 'envdump', '-o', 'jsonpath={.status.phase}'])) === 'Succeeded');
    const env = await c.k(['logs', 'envdump']);
    const ip = (await c.k(['get', 'svc', 'alpaca-prod', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(env).toContain(`ALPACA_PROD_SERVICE_HOST=${ip}\n`);
    expect(env).toContain('ALPACA_PROD_SERVICE_PORT=8080\n');
    expect(env).toContain(`ALPACA_PROD_PORT=tcp://${ip}:8080\n`);
    expect(env).toContain(`ALPACA_PROD_PORT_8080_TCP=tcp://${ip}:8080\n`);
    expect(env).toMatch(/^KUBERNETES_SERVICE_HOST=/m);
    expect(env).toContain('HOSTNAME=envdump\n');
  });

  it('a readiness probe removes the endpoint and brings it back within period x threshold', async () => {
    await c.k(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: flip, labels: {app: flip}}
spec:
  containers:
  - name: web
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    args: [netexec, --http-port=8080]
    readinessProbe:
      exec: {command: [cat, /tmp/tinykube-e2e-${process.pid}-ready]}
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {name: flip}
spec: {selector: {app: flip}, ports: [{port: 80, targetPort: 8080}]}
`,
    });
    const flag = `/tmp/tinykube-e2e-${process.pid}-ready`;
    const addresses = async (): Promise<string> => c.k(['get', 'endpoints', 'flip', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
    await waitFor('pod running', async () => (await c.k(['get', 'pod', 'flip', '-o', 'jsonpath={.status.phase}'])) === 'Running');
    expect((await addresses()).trim()).toBe('');
    writeFileSync(flag, '');
    try {
      const ip = await waitFor('endpoint appears', async () => (await addresses()).trim() || undefined);
      expect(ip).toMatch(/^127\./);
      rmSync(flag);
      await waitFor('endpoint leaves', async () => (await addresses()).trim() === '');
      writeFileSync(flag, '');
      await waitFor('endpoint returns', async () => (await addresses()).trim() === ip);
    } finally {
      rmSync(flag, { force: true });
    }
  });

  it('a failing liveness probe restarts the container, with Events', async () => {
    await c.k(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: live}
spec:
  containers:
  - name: web
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    args: [netexec, --http-port=8080]
    livenessProbe: {httpGet: {path: /healthz, port: 8079}, periodSeconds: 1, failureThreshold: 2}
`,
    });
    await waitFor('restart', async () => Number(await c.k(['get', 'pod', 'live', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])) >= 1);
    const described = await c.k(['describe', 'pod', 'live']);
    expect(described).toMatch(/Unhealthy .* Liveness probe failed: Get "http:\/\/127[.0-9]+:8079\/healthz": dial tcp 127[.0-9]+:8079: connect: connection refused/);
    expect(described).toContain('Container web failed liveness probe, will be restarted');
  });

  it('kill -9 of a pod process: the container restarts and the restart shows', async () => {
    const p = (await pods(c, 'app=alpaca-prod'))[0]!;
    const pid = recordedPids(c.dataDir).find((x) => {
      try {
        return readFileSync(`/proc/${x}/environ`, 'utf8').includes(`HOSTNAME=${p.metadata.name}\0`);
      } catch {
        return false;
      }
    });
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    await waitFor('restarted', async () => (await c.k(['get', 'pod', p.metadata.name, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])) === '1');
    const events = await c.k(['get', 'events', '--field-selector', `involvedObject.name=${p.metadata.name}`]);
    expect(events).toMatch(/Started/);
    expect(await c.k(['get', 'pod', p.metadata.name])).toMatch(/Running\s+1 \(/);
  });

  it('an unknown image: ErrImagePull / ImagePullBackOff with Events', async () => {
    await c.k(['run', 'nosuch', '--image=nosuch-image-tinykube:1']);
    await waitFor('pull failure', async () => /ErrImagePull|ImagePullBackOff/.test(await c.k(['get', 'pod', 'nosuch'])));
    const described = await c.k(['describe', 'pod', 'nosuch']);
    expect(described).toContain('Failed to pull image "nosuch-image-tinykube:1"');
  });

  it('a pod being deleted shows as terminating (serving) in its EndpointSlice until its process ends', async () => {
    await c.k(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: slowstop, labels: {app: slowstop}}
spec:
  terminationGracePeriodSeconds: 30
  containers:
  - name: c
    image: busybox
    command: [sh, -c, "trap 'sleep 2; exit 0' TERM; while true; do sleep 0.1; done"]
---
apiVersion: v1
kind: Service
metadata: {name: slowstop}
spec: {selector: {app: slowstop}, ports: [{port: 80}]}
`,
    });
    type Slice = { endpoints?: { conditions: { ready?: boolean; serving?: boolean; terminating?: boolean } }[] };
    const slice = async (): Promise<Slice | undefined> => (JSON.parse(await c.k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=slowstop', '-o', 'json'])) as { items: Slice[] }).items[0];
    await waitFor('ready endpoint', async () => (await slice())?.endpoints?.[0]?.conditions.ready === true);
    const deleting = c.kubectl(['delete', 'pod', 'slowstop']);
    const seen = await waitFor('terminating endpoint', async () => {
      const e = (await slice())?.endpoints?.[0];
      return e?.conditions.terminating ? e.conditions : undefined;
    });
    expect(seen).toEqual({ ready: false, serving: true, terminating: true });
    expect((await deleting).code).toBe(0);
    expect((await slice())?.endpoints ?? []).toEqual([]);
  });

  it('after down, no pod process remains; after kill -9 of tinykube, none either', async () => {
    const before = recordedPids(c.dataDir).filter(alive);
    expect(before.length).toBeGreaterThanOrEqual(3);
    await c.down('SIGKILL');
    await waitFor('pod processes gone after kill -9', async () => before.every((p) => !alive(p)), 10_000);
    await c.up();
    await waitFor('pods running again', async () => (await pods(c, 'app=alpaca-prod')).filter(isReady).length === 3);
    const again = recordedPids(c.dataDir).filter(alive);
    expect(again.length).toBeGreaterThanOrEqual(3);
    await c.down();
    for (const p of again) expect(alive(p)).toBe(false);
    await c.up();
  });
});

describe('several nodes', () => {
  let c: TestCluster;
  let joined: ChildProcess | undefined;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 2, extraArgs: ['--node-ip', '127.0.0.1', '--simulated-nodes', '1'] });
  }, 60_000);
  afterAll(async () => {
    if (joined && joined.exitCode === null) {
      const gone = new Promise((r) => joined!.once('exit', r));
      joined.kill('SIGTERM');
      await gone;
    }
    await c?.stop();
  });

  it('--nodes 2 --simulated-nodes 1: three Ready nodes, each with its own address and pod /24', async () => {
    const nodes = JSON.parse(await c.k(['get', 'nodes', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { podCIDR?: string }; status: { addresses: { type: string; address: string }[] } }[] };
    const got = await waitFor('3 nodes with pod CIDRs', async () => {
      const list = (JSON.parse(await c.k(['get', 'nodes', '-o', 'json'])) as typeof nodes).items;
      return list.length === 3 && list.every((n) => n.spec.podCIDR) ? list : undefined;
    });
    expect(got.map((n) => n.metadata.name).sort()).toEqual(['tinykube', 'tinykube-m02', 'tinykube-sim-01']);
    expect(new Set(got.map((n) => n.spec.podCIDR)).size).toBe(3);
    expect(new Set(got.map((n) => n.status.addresses.find((a) => a.type === 'InternalIP')!.address)).size).toBe(3);
    expect(await c.k(['get', 'nodes'])).toMatch(/tinykube-m02\s+Ready/);
  });

  it('pods spread over the nodes; a simulated node\'s pods are Ready with an address and run nothing', async () => {
    await c.k(['create', 'deployment', 'spread', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--replicas=6', '--', '/agnhost', 'netexec', '--http-port=8080']);
    const list = await waitFor('6 ready', async () => {
      const l = await pods(c, 'app=spread');
      return l.length === 6 && l.every(isReady) ? l : undefined;
    });
    expect(new Set(list.map((p) => p.spec.nodeName)).size).toBe(3);
    for (const p of list.filter((x) => x.spec.nodeName !== 'tinykube-sim-01')) expect(await waitFor(`pod ${p.metadata.name} answers`, () => text(`http://${p.status.podIP}:8080/hostname`))).toBe(p.metadata.name);
    const sim = list.find((x) => x.spec.nodeName === 'tinykube-sim-01')!;
    expect(sim.status.podIP).toBeDefined();
    await c.k(['annotate', 'pod', sim.metadata.name, 'tinykube.io/ready=false']);
    await waitFor('simulated pod unready', async () => !isReady((await pods(c, 'app=spread')).find((p) => p.metadata.name === sim.metadata.name)!));
  });

  it('tinykube node join adds a node that runs pods', async () => {
    const bin = join(ROOT, 'bin', 'tinykube.js');
    joined = spawn(process.execPath, [bin, 'node', 'join', '--kubeconfig', c.kubeconfig, '--name', 'joined-1', '--node-ip', '127.0.0.1', '--kubelet-port', '0', '--no-proxy', '--data-dir', join(c.dir, 'joined')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: c.home } });
    let out = '';
    joined.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    joined.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor('joined', async () => out.includes('joined'));
    await waitFor('node Ready', async () => /joined-1\s+Ready/.test(await c.k(['get', 'nodes'])));
    await c.k(['run', 'on-joined', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--overrides', JSON.stringify({ spec: { nodeName: 'joined-1' } }), '--', 'netexec', '--http-port=8080']);
    const ip = await waitFor('on-joined running', async () => {
      const p = JSON.parse(await c.k(['get', 'pod', 'on-joined', '-o', 'json'])) as PodJson;
      return isReady(p) ? p.status.podIP : undefined;
    });
    expect(await waitFor('answers', () => text(`http://${ip}:8080/hostname`))).toBe('on-joined');
  });
});
