// One proxy per node (`up --nodes 2`): each node's proxy serves node ports and health check node
// ports on its own address with its own idea of which endpoints are local, as kube-proxy does on
// every node; the first node's proxy holds the cluster IPs. A joined node brings its proxy along.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, get as httpGet, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, freePort, TestCluster, waitFor } from './harness.js';

let c: TestCluster;
const net = `127.89.${process.pid % 200}`;
const node1 = `${net}.1`;
const node2 = `${net}.2`;
let metricsPort = 0;
let joined: ChildProcess | undefined;

beforeAll(async () => {
  metricsPort = await freePort(node1);
  c = await TestCluster.start({ nodes: 2, extraArgs: ['--node-ip', node1, '--proxy-metrics-port', String(metricsPort)] });
  await c.k(['create', 'deployment', 'two', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--replicas=2', '--', '/agnhost', 'netexec', '--http-port=8080']);
  await c.k(['rollout', 'status', 'deployment/two', '--timeout=60s']);
}, 90_000);

afterAll(async () => {
  if (joined && joined.exitCode === null) {
    const gone = new Promise((r) => joined!.once('exit', r));
    joined.kill('SIGTERM');
    await gone;
  }
  await c?.stop();
});

/** One GET on a fresh connection: status and body, or undefined when it fails. */
function get(url: string): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = httpGet(url, { agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

async function hostname(url: string): Promise<string | undefined> {
  const r = await get(url);
  return r?.status === 200 ? r.body : undefined;
}

/** Pod name -> its node. */
async function podsByNode(): Promise<Map<string, string>> {
  const out = await c.k(['get', 'pods', '-l', 'app=two', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName}{"\\n"}{end}']);
  const m = new Map<string, string>();
  for (const line of out.trim().split('\n')) {
    const [pod, node] = line.split(' ');
    if (pod && node) m.set(node, pod);
  }
  return m;
}

async function answers(url: string, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await waitFor(`an answer from ${url}`, () => hostname(url)));
  return seen;
}

describe('a proxy per node', () => {
  it('up names a proxy for each node; each serves /metrics on its own address', async () => {
    expect(c.output).toMatch(/proxy\s+ok\s+userspace, native TCP relay, one per node \(tinykube, tinykube-m02\): cluster IPs on tinykube/);
    for (const ip of [node1, node2]) {
      const r = await get(`http://${ip}:${metricsPort}/healthz`);
      expect(r?.status).toBe(200);
      expect(r?.body).toContain('"nodeEligible":true');
    }
  });

  it('externalTrafficPolicy Local: each node port reaches only that node\'s pod', async () => {
    const byNode = await podsByNode();
    expect([...byNode.keys()].sort()).toEqual(['tinykube', 'tinykube-m02']);
    await c.k(['expose', 'deployment', 'two', '--port=80', '--target-port=8080', '--name=two-local', '--type=NodePort', '--overrides={"spec":{"externalTrafficPolicy":"Local"}}']);
    const nodePort = Number(await c.k(['get', 'svc', 'two-local', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    expect(await answers(`http://${node1}:${nodePort}/hostname`, 6)).toEqual(new Set([byNode.get('tinykube')]));
    expect(await answers(`http://${node2}:${nodePort}/hostname`, 6)).toEqual(new Set([byNode.get('tinykube-m02')]));
  });

  it('externalTrafficPolicy Cluster: any node port reaches every pod; the cluster IP too', async () => {
    await c.k(['expose', 'deployment', 'two', '--port=80', '--target-port=8080', '--name=two-cluster', '--type=NodePort']);
    const nodePort = Number(await c.k(['get', 'svc', 'two-cluster', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    const ip = (await c.k(['get', 'svc', 'two-cluster', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const all = new Set((await podsByNode()).values());
    for (const url of [`http://${node2}:${nodePort}/hostname`, `http://${ip}/hostname`]) {
      const seen = new Set<string>();
      await waitFor(`both pods through ${url}`, async () => {
        const name = await hostname(url);
        if (name) seen.add(name);
        return seen.size === all.size;
      });
      expect(seen).toEqual(all);
    }
  });

  it('a LoadBalancer with Local: each node\'s health check port says whether it has a local endpoint', async () => {
    await c.k(['expose', 'deployment', 'two', '--port=80', '--target-port=8080', '--name=two-lb', '--type=LoadBalancer', '--overrides={"spec":{"externalTrafficPolicy":"Local"}}']);
    const hc = Number(await c.k(['get', 'svc', 'two-lb', '-o', 'jsonpath={.spec.healthCheckNodePort}']));
    expect(hc).toBeGreaterThan(0);
    for (const ip of [node1, node2]) {
      const r = await waitFor(`health check on ${ip}`, async () => (await get(`http://${ip}:${hc}/`))?.status === 200 && get(`http://${ip}:${hc}/`));
      expect(JSON.parse(r!.body)).toMatchObject({ service: { namespace: 'default', name: 'two-lb' }, localEndpoints: 1 });
    }
    // Move both pods to the first node: the second node's check turns 503, the first counts 2.
    await c.k(['cordon', 'tinykube-m02']);
    const onM02 = (await podsByNode()).get('tinykube-m02')!;
    await c.k(['delete', 'pod', onM02, '--wait=false']);
    const r2 = await waitFor('503 on the second node', async () => {
      const r = await get(`http://${node2}:${hc}/`);
      return r?.status === 503 ? r : undefined;
    });
    expect(JSON.parse(r2.body)).toMatchObject({ localEndpoints: 0 });
    await waitFor('2 local endpoints on the first node', async () => ((await get(`http://${node1}:${hc}/`))?.body ?? '').includes('"localEndpoints":2'));
    await c.k(['uncordon', 'tinykube-m02']);
  });

  it('a joined node brings its own proxy: its node port answers on its address', async () => {
    const node3 = `${net}.3`;
    joined = spawn(process.execPath, [BIN, 'node', 'join', '--kubeconfig', c.kubeconfig, '--name', 'worker-3', '--node-ip', node3, '--kubelet-port', '0', '--proxy-metrics-port', '0', '--data-dir', `${c.dir}/worker-3`], {
      env: { ...process.env, HOME: c.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    joined.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    joined.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor('the node joined', async () => out.includes('joined'));
    expect(out).toContain(`its proxy serves NodePorts on ${node3}`);
    const nodePort = Number(await c.k(['get', 'svc', 'two-cluster', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    const name = await waitFor('the joined node\'s node port answers', () => hostname(`http://${node3}:${nodePort}/hostname`));
    expect((await c.k(['get', 'pods', '-l', 'app=two', '-o', 'name'])).split('\n')).toContain(`pod/${name}`);
  });
});

describe('up --no-proxy, and tinykube proxy against its kubeconfig', () => {
  let d: TestCluster;
  let proxy: ChildProcess | undefined;
  let backend: Server;
  const net2 = `127.89.${(process.pid + 100) % 200}`;

  beforeAll(async () => {
    d = await TestCluster.start({ extraArgs: ['--node-ip', `${net2}.1`, '--no-proxy'] });
    backend = createServer((_req, res) => res.end('from the backend'));
    await new Promise<void>((r) => backend.listen(8080, `${net2}.20`, r));
  }, 60_000);

  afterAll(async () => {
    if (proxy && proxy.exitCode === null && proxy.signalCode === null) {
      const gone = new Promise((r) => proxy!.once('exit', r));
      proxy.kill('SIGTERM');
      await gone;
    }
    backend?.close();
    await d?.stop();
  });

  it('runs no proxy: a cluster IP refuses until a standalone proxy serves it, which stops cleanly', async () => {
    expect(d.output).not.toMatch(/^\s+proxy\s+ok/m);
    await d.k(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Service
metadata: {name: outside}
spec: {ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: outside-1, labels: {kubernetes.io/service-name: outside}}
addressType: IPv4
ports: [{port: 8080, protocol: TCP}]
endpoints: [{addresses: [${net2}.20], conditions: {ready: true}}]
`,
    });
    const ip = (await d.k(['get', 'svc', 'outside', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(await get(`http://${ip}/`)).toBeUndefined();
    proxy = spawn(process.execPath, [BIN, 'proxy', '--kubeconfig', d.kubeconfig, '--node-ip', `${net2}.1`, '--name', 'tinykube', '--proxy-metrics-port', '0'], { env: { ...process.env, HOME: d.home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proxy.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    proxy.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor('the proxy runs', async () => out.includes('service proxy for node tinykube'));
    expect((await waitFor('the cluster IP answers', () => get(`http://${ip}/`)))?.body).toBe('from the backend');
    const code = new Promise((r) => proxy!.once('exit', r));
    proxy.kill('SIGTERM');
    expect(await code).toBe(0);
    expect(await get(`http://${ip}/`)).toBeUndefined();
  });
});
