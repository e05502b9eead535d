// Cluster IPs and node ports with the real kubectl: what Services get, the built-in Services,
// Kubernetes' refusals, exhaustion of tiny ranges, concurrency, dry run, reuse after delete, and
// a kill -9 mid-burst after which no address is duplicated and none leaked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from './harness.js';

const SVC_PATH = '/api/v1/namespaces/default/services';
const JSON_HEADERS = { 'Content-Type': 'application/json' };

interface Svc {
  metadata: { name: string; namespace: string };
  spec: { type: string; clusterIP?: string; clusterIPs?: string[]; ports?: { port: number; nodePort?: number }[]; healthCheckNodePort?: number };
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join('.');
}

/** The cluster's service CIDR as `tinykube up` recorded it. */
function serviceCidrOf(c: TestCluster): { base: number; prefix: number; nth(n: number): string; contains(ip: string): boolean } {
  const cidr = (JSON.parse(readFileSync(join(c.dataDir, 'cluster.json'), 'utf8')) as { serviceCidr: string }).serviceCidr;
  const [ip, prefix] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(prefix));
  const base = ipToNumber(ip) - (ipToNumber(ip) % size);
  return {
    base,
    prefix: Number(prefix),
    nth: (n) => numberToIp(base + n),
    contains: (a) => /^\d+\.\d+\.\d+\.\d+$/.test(a) && ipToNumber(a) > base && ipToNumber(a) < base + size - 1,
  };
}

/** A /28 of our own per test process, inside 127/8 and outside the harness's ranges. */
function tinyCidr(salt: number): string {
  return `127.${180 + ((process.pid + salt) % 20)}.${(process.pid >> 3) % 250}.${16 * (salt % 16)}/28`;
}

async function allServices(c: TestCluster): Promise<Svc[]> {
  return (JSON.parse(await c.k(['get', 'svc', '-A', '-o', 'json'])) as { items: Svc[] }).items;
}

function heldIPs(items: Svc[]): string[] {
  return items.flatMap((s) => (s.spec.type === 'ExternalName' ? [] : (s.spec.clusterIPs ?? []).filter((ip) => ip !== 'None')));
}

function heldPorts(items: Svc[]): number[] {
  return items.flatMap((s) => {
    const ports = new Set((s.spec.ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p !== 0));
    if (s.spec.healthCheckNodePort) ports.add(s.spec.healthCheckNodePort);
    return [...ports];
  });
}

function postService(c: TestCluster, name: string, spec: Record<string, unknown>): Promise<{ status: number; body: string; json: unknown }> {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80, targetPort: 8080 }], ...spec } });
  return c.request('POST', SVC_PATH, { body, headers: JSON_HEADERS });
}

const svcYaml = (name: string, spec: string): string => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
${spec}`;

describe('Service allocators with kubectl', () => {
  let c: TestCluster;
  let cidr: ReturnType<typeof serviceCidrOf>;
  beforeAll(async () => {
    c = await TestCluster.start();
    cidr = serviceCidrOf(c);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('the built-in Services: kubernetes at the first address, kube-dns at .10', async () => {
    const k = await c.k(['get', 'svc', 'kubernetes']);
    expect(k).toMatch(new RegExp(`^kubernetes\\s+ClusterIP\\s+${cidr.nth(1).replaceAll('.', '\\.')}\\s+<none>\\s+443/TCP\\s+`, 'm'));
    const dns = await c.k(['-n', 'kube-system', 'get', 'svc', 'kube-dns', '-o', 'wide']);
    expect(dns).toMatch(new RegExp(`^kube-dns\\s+ClusterIP\\s+${cidr.nth(10).replaceAll('.', '\\.')}\\s+<none>\\s+53/UDP,53/TCP,9153/TCP\\s+\\S+\\s+<none>$`, 'm'));
    const ep = JSON.parse(await c.k(['get', 'endpoints', 'kubernetes', '-o', 'json'])) as { subsets: { addresses: { ip: string }[]; ports: { name: string; port: number }[] }[] };
    expect(ep.subsets[0]!.addresses[0]!.ip).toBe('127.0.0.1');
    expect(ep.subsets[0]!.ports[0]).toMatchObject({ name: 'https', port: c.port });
    expect(await c.k(['get', 'endpointslices', 'kubernetes', '-o', 'jsonpath={.metadata.labels}'])).toBe('{"kubernetes.io/service-name":"kubernetes"}');
  });

  it('kubectl create service clusterip|nodeport|loadbalancer|externalname', async () => {
    expect(await c.k(['create', 'service', 'clusterip', 'web', '--tcp=80:8080'])).toBe('service/web created\n');
    expect(await c.k(['create', 'service', 'nodeport', 'np', '--tcp=80:8080'])).toBe('service/np created\n');
    expect(await c.k(['create', 'service', 'loadbalancer', 'lb', '--tcp=80:8080'])).toBe('service/lb created\n');
    expect(await c.k(['create', 'service', 'externalname', 'ext', '--external-name', 'example.com'])).toBe('service/ext created\n');
    const wide = await c.k(['get', 'svc', 'web', 'np', 'lb', 'ext', '-o', 'wide']);
    const row = (name: string): string[] => wide.split('\n').find((l) => l.startsWith(`${name} `))!.trim().split(/\s+/);
    expect(row('web').slice(1, 5)).toEqual(['ClusterIP', row('web')[2], '<none>', '80/TCP']);
    expect(cidr.contains(row('web')[2]!)).toBe(true);
    expect(row('np')[1]).toBe('NodePort');
    expect(cidr.contains(row('np')[2]!)).toBe(true);
    expect(row('np')[4]).toMatch(/^80:3\d{4}\/TCP$/);
    expect(row('lb')[1]).toBe('LoadBalancer');
    expect(row('lb')[4]).toMatch(/^80:3\d{4}\/TCP$/);
    expect(row('ext').slice(1, 5)).toEqual(['ExternalName', '<none>', 'example.com', '<none>']);
    // Dynamic addresses stay out of the lower band (.1-.16 of this /24), where chosen ones go.
    expect(ipToNumber(row('web')[2]!) - cidr.base).toBeGreaterThan(16);
    const ips = [row('web')[2], row('np')[2], row('lb')[2], cidr.nth(1), cidr.nth(10)];
    expect(new Set(ips).size).toBe(ips.length);
  });

  it('kubectl expose gets an address and a node port', async () => {
    await c.k(['create', 'deployment', 'app', '--image=nginx:1.25', '--port=8080']);
    expect(await c.k(['expose', 'deployment', 'app', '--port=80', '--target-port=8080', '--type=NodePort'])).toBe('service/app exposed\n');
    const s = JSON.parse(await c.k(['get', 'svc', 'app', '-o', 'json'])) as Svc;
    expect(cidr.contains(s.spec.clusterIP!)).toBe(true);
    expect(s.spec.clusterIPs).toEqual([s.spec.clusterIP]);
    expect(s.spec.ports![0]!.nodePort).toBeGreaterThanOrEqual(30000);
    expect(JSON.parse(await c.k(['get', 'svc', 'app', '-o', 'jsonpath={.spec.ipFamilies}']))).toEqual(['IPv4']);
    expect(await c.k(['get', 'svc', 'app', '-o', 'jsonpath={.spec.ipFamilyPolicy}'])).toBe('SingleStack');
  });

  it('kubectl expose of each type: ClusterIP, headless, NodePort, LoadBalancer', async () => {
    await c.k(['create', 'deployment', 'each', '--image=nginx:1.25', '--port=8080']);
    for (const [name, args] of [
      ['each-cip', ['--type=ClusterIP']],
      ['each-none', ['--cluster-ip=None']],
      ['each-np', ['--type=NodePort']],
      ['each-lb', ['--type=LoadBalancer']],
    ] as const) {
      expect(await c.k(['expose', 'deployment', 'each', `--name=${name}`, '--port=80', '--target-port=8080', ...args])).toBe('service/' + name + ' exposed\n');
    }
    // The LoadBalancer controller hands out an address of this cluster's --lb-pool within a second.
    const lbPool = (JSON.parse(readFileSync(join(c.dataDir, 'cluster.json'), 'utf8')) as { lbPool: string }).lbPool;
    const pool = lbPool.replace(/\.0\/24$/, '.');
    expect(pool.endsWith('.')).toBe(true);
    let wide = '';
    for (let i = 0; i < 40 && !wide.includes(` ${pool}`); i++) {
      wide = await c.k(['get', 'svc', 'each-cip', 'each-none', 'each-np', 'each-lb', '-o', 'wide']);
      if (!wide.includes(` ${pool}`)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(wide.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR$/);
    const row = (name: string): string[] => wide.split('\n').find((l) => l.startsWith(`${name} `))!.trim().split(/\s+/);
    expect(row('each-cip')[1]).toBe('ClusterIP');
    expect(cidr.contains(row('each-cip')[2]!)).toBe(true);
    expect(row('each-cip').slice(3, 5)).toEqual(['<none>', '80/TCP']);
    expect(row('each-none').slice(1, 5)).toEqual(['ClusterIP', 'None', '<none>', '80/TCP']);
    expect(row('each-np')[4]).toMatch(/^80:3\d{4}\/TCP$/);
    expect(row('each-lb')[1]).toBe('LoadBalancer');
    expect(row('each-lb')[3]!.startsWith(pool)).toBe(true);
    expect(row('each-lb')[4]).toMatch(/^80:3\d{4}\/TCP$/);
    expect(row('each-lb')[6]).toBe('app=each');
  });

  it('honours a chosen cluster IP and node port, and refuses them to the next Service via kubectl apply', async () => {
    const chosen = cidr.nth(5);
    expect(await c.k(['create', 'service', 'clusterip', 'chosen', `--clusterip=${chosen}`, '--tcp=80:8080'])).toBe('service/chosen created\n');
    expect(await c.k(['get', 'svc', 'chosen', '-o', 'jsonpath={.spec.clusterIP}'])).toBe(chosen);
    expect(await c.k(['create', 'service', 'nodeport', 'fixed', '--tcp=80:8080', '--node-port=30080'])).toBe('service/fixed created\n');
    expect(await c.k(['get', 'svc', 'fixed'])).toMatch(/fixed\s+NodePort\s+\S+\s+<none>\s+80:30080\/TCP/);

    const clash = c.writeFile('clash.yaml', svcYaml('clash', `  clusterIP: ${chosen}\n  ports:\n  - port: 80\n`));
    const r1 = await c.kubectl(['apply', '-f', clash]);
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toContain(`The Service "clash" is invalid: spec.clusterIPs: Invalid value: ["${chosen}"]: failed to allocate IP ${chosen}: provided IP is already allocated`);

    const np = c.writeFile('clash-np.yaml', svcYaml('clash-np', '  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080\n'));
    const r2 = await c.kubectl(['apply', '-f', np]);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain('The Service "clash-np" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');

    const outside = c.writeFile('outside.yaml', svcYaml('outside', '  clusterIP: 127.1.2.3\n  type: NodePort\n  ports:\n  - port: 80\n'));
    const r3 = await c.kubectl(['apply', '-f', outside]);
    expect(r3.stderr).toContain(`failed to allocate IP 127.1.2.3: the provided IP (127.1.2.3) is not in the valid range. The range of valid IPs is ${numberToIp(cidr.base)}/${cidr.prefix}`);
    const badPort = c.writeFile('bad-port.yaml', svcYaml('bad-port', '  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 8080\n'));
    const r4 = await c.kubectl(['apply', '-f', badPort]);
    expect(r4.stderr).toContain('spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767');
    const dual = c.writeFile('dual.yaml', svcYaml('dual', '  ipFamilyPolicy: RequireDualStack\n  ports:\n  - port: 80\n'));
    expect((await c.kubectl(['apply', '-f', dual])).stderr).toContain('spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services');
    // None of the refused ones exist.
    expect((await c.kubectl(['get', 'svc', 'clash', 'clash-np', 'outside', 'bad-port', 'dual'])).stderr).toMatch(/NotFound/);
  });

  it('a server-side dry run holds nothing; delete frees the address for reuse', async () => {
    const six = cidr.nth(6);
    const dry = await c.k(['create', 'service', 'clusterip', 'dry', `--clusterip=${six}`, '--tcp=80', '--dry-run=server', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(dry).toBe(six);
    const dryNp = await c.k(['create', 'service', 'nodeport', 'dry-np', '--tcp=80', '--node-port=30081', '--dry-run=server', '-o', 'jsonpath={.spec.ports[0].nodePort}']);
    expect(dryNp).toBe('30081');
    expect((await c.kubectl(['get', 'svc', 'dry'])).code).not.toBe(0);
    await c.k(['create', 'service', 'clusterip', 'six', `--clusterip=${six}`, '--tcp=80']);
    await c.k(['create', 'service', 'nodeport', 'np81', '--tcp=80', '--node-port=30081']);

    const five = cidr.nth(5);
    expect(await c.k(['delete', 'svc', 'chosen', 'fixed'])).toBe('service "chosen" deleted\nservice "fixed" deleted\n');
    await c.k(['create', 'service', 'clusterip', 'chosen-again', `--clusterip=${five}`, '--tcp=80']);
    await c.k(['create', 'service', 'nodeport', 'fixed-again', '--tcp=80', '--node-port=30080']);
    expect(await c.k(['get', 'svc', 'chosen-again', 'fixed-again', '-o', 'jsonpath={.items[*].spec.clusterIP} {.items[1].spec.ports[0].nodePort}'])).toMatch(new RegExp(`^${five.replaceAll('.', '\\.')} \\S+ 30080$`));
  });

  it('type changes give back what the new type does not use', async () => {
    const before = JSON.parse(await c.k(['get', 'svc', 'np', '-o', 'json'])) as Svc;
    const nodePort = before.spec.ports![0]!.nodePort!;
    await c.k(['patch', 'svc', 'np', '-p', '{"spec":{"type":"ClusterIP"}}']);
    const after = JSON.parse(await c.k(['get', 'svc', 'np', '-o', 'json'])) as Svc;
    expect(after.spec.ports![0]!.nodePort).toBeUndefined();
    expect(after.spec.clusterIP).toBe(before.spec.clusterIP);
    // The node port is free again: a user may ask for it.
    await c.k(['create', 'service', 'nodeport', 'took-it', '--tcp=80', `--node-port=${nodePort}`]);
    await c.k(['patch', 'svc', 'web', '-p', '{"spec":{"type":"ExternalName","externalName":"example.org"}}']);
    expect(await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}|{.spec.externalName}'])).toBe('|example.org');
  });

  it('200 Services created concurrently get 200 distinct addresses and distinct node ports', async () => {
    const names = Array.from({ length: 200 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < names.length) {
          const i = next++;
          const r = await postService(c, names[i]!, { type: i % 2 ? 'NodePort' : 'ClusterIP' });
          statuses.push(r.status);
          if (r.status !== 201) throw new Error(`${names[i]}: ${r.status} ${r.body}`);
        }
      }),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(200);
    const items = await allServices(c);
    const ips = heldIPs(items);
    expect(new Set(ips).size).toBe(ips.length);
    expect(ips.every((ip) => cidr.contains(ip))).toBe(true);
    const ports = heldPorts(items);
    expect(new Set(ports).size).toBe(ports.length);
    expect(items.filter((s) => s.metadata.name.startsWith('many-'))).toHaveLength(200);
  });
});

describe('tiny ranges: exhaustion and reuse', () => {
  let c: TestCluster;
  const tiny = tinyCidr(1);
  const base = ipToNumber(tiny.split('/')[0]!);
  beforeAll(async () => {
    c = await TestCluster.start({ extraArgs: ['--service-cidr', tiny, '--node-port-range', '30000-30009'] });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('the built-in Services take .1 and .10 of the /28', async () => {
    expect(await c.k(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])).toBe(numberToIp(base + 1));
    expect(await c.k(['-n', 'kube-system', 'get', 'svc', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}'])).toBe(numberToIp(base + 10));
  });

  it('node ports run out first, then addresses, each with Kubernetes’ Internal error', async () => {
    for (let i = 0; i < 10; i++) await c.k(['create', 'service', 'nodeport', `np-${i}`, '--tcp=80']);
    const ports = await c.kubectl(['create', 'service', 'nodeport', 'np-10', '--tcp=80']);
    expect(ports.code).not.toBe(0);
    expect(ports.stderr).toContain('Internal error occurred: failed to allocate a nodePort: range is full');
    // 14 addresses: kubernetes, kube-dns and 10 NodePort Services hold 12.
    await c.k(['create', 'service', 'clusterip', 'c-0', '--tcp=80']);
    await c.k(['create', 'service', 'clusterip', 'c-1', '--tcp=80']);
    const full = c.writeFile('full.yaml', svcYaml('c-2', '  ports:\n  - port: 80\n'));
    const ips = await c.kubectl(['apply', '-f', full]);
    expect(ips.code).not.toBe(0);
    expect(ips.stderr).toContain('Internal error occurred: failed to allocate a serviceIP: range is full');
    const items = await allServices(c);
    const held = heldIPs(items);
    expect(held).toHaveLength(14);
    expect(new Set(held).size).toBe(14);
    expect(held).not.toContain(numberToIp(base));
    expect(held).not.toContain(numberToIp(base + 15));
    expect(new Set(heldPorts(items)).size).toBe(10);
  });

  it('a deleted Service’s address and node port go to the next one', async () => {
    const gone = JSON.parse(await c.k(['get', 'svc', 'np-3', '-o', 'json'])) as Svc;
    await c.k(['delete', 'svc', 'np-3']);
    await c.k(['create', 'service', 'nodeport', 'np-new', '--tcp=80']);
    const s = JSON.parse(await c.k(['get', 'svc', 'np-new', '-o', 'json'])) as Svc;
    expect(s.spec.clusterIP).toBe(gone.spec.clusterIP);
    expect(s.spec.ports![0]!.nodePort).toBe(gone.spec.ports![0]!.nodePort);
  });
});

describe('kill -9 during a burst of Service writes', () => {
  let c: TestCluster;
  const tiny = tinyCidr(2);
  const WORKERS = 8;
  const KILL_AFTER = 60;
  let acked = 0;

  beforeAll(async () => {
    c = await TestCluster.start({ extraArgs: ['--service-cidr', tiny, '--node-port-range', '30000-30009'] });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('creates and deletes Services until SIGKILL lands mid-burst', async () => {
    let killed: Promise<void> | undefined;
    let transportErrors = 0;
    // Each worker keeps at most one Service of its own, so the ranges never fill during the burst.
    const worker = async (w: number): Promise<void> => {
      for (let k = 0; !killed; k++) {
        const name = `burst-${w}-${k}`;
        try {
          const r = await postService(c, name, { type: k % 2 ? 'NodePort' : 'ClusterIP' });
          if (r.status !== 201) throw new Error(`${name}: ${r.status} ${r.body}`);
          acked++;
          if (acked >= KILL_AFTER && !killed) killed = c.down('SIGKILL');
          const d = await c.request('DELETE', `${SVC_PATH}/${name}`);
          if (d.status !== 200) throw new Error(`delete ${name}: ${d.status} ${d.body}`);
        } catch (e) {
          if (!killed) throw e;
          transportErrors++;
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await killed;
    expect(acked).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(transportErrors).toBeGreaterThan(0);
  });

  it('after a restart no address or node port is duplicated, and exactly the free ones can be had', async () => {
    await c.up();
    expect(c.output).not.toContain('please recreate');
    const items = await allServices(c);
    const ips = heldIPs(items);
    const ports = heldPorts(items);
    expect(new Set(ips).size).toBe(ips.length);
    expect(new Set(ports).size).toBe(ports.length);
    // Free values computed from the stored Services alone: a /28 has 14 addresses, the range 10 ports.
    const freeIPs = 14 - ips.length;
    const freePorts = 10 - ports.length;
    expect(freeIPs).toBeGreaterThan(0);
    let nodePortServices = 0;
    for (;;) {
      const r = await postService(c, `fill-np-${nodePortServices}`, { type: 'NodePort' });
      if (r.status !== 201) {
        expect(r.status).toBe(500);
        // Addresses are taken before node ports: when both run out together, the address is what fails.
        expect(r.body).toContain(freePorts < freeIPs ? 'failed to allocate a nodePort: range is full' : 'failed to allocate a serviceIP: range is full');
        break;
      }
      nodePortServices++;
    }
    expect(nodePortServices).toBe(Math.min(freePorts, freeIPs));
    let clusterIPServices = 0;
    for (;;) {
      const r = await postService(c, `fill-ip-${clusterIPServices}`, {});
      if (r.status !== 201) {
        expect(r.status).toBe(500);
        expect(r.body).toContain('failed to allocate a serviceIP: range is full');
        break;
      }
      clusterIPServices++;
    }
    expect(nodePortServices + clusterIPServices).toBe(freeIPs);
    const after = heldIPs(await allServices(c));
    expect(after).toHaveLength(14);
    expect(new Set(after).size).toBe(14);
  });
});
