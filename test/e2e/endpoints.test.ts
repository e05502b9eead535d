// Endpoints and EndpointSlices as the real kubectl sees them, from `tinykube up` (every
// controller on its thread). There is no node agent in this test: pod status is patched through
// kubectl's status subresource, as a kubelet would write it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster, kubectlBinary } from './harness.js';

const MANIFESTS = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: http
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  labels:
    app: web
spec:
  containers:
  - name: app
    image: tinykube/demo:1
    ports:
    - name: http
      containerPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: web-2
  labels:
    app: web
spec:
  containers:
  - name: app
    image: tinykube/demo:1
    ports:
    - name: http
      containerPort: 8080
`;

/** A long-running kubectl whose output lines can be awaited; killed by PID when done. */
class KubectlStream {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';
  readonly lines: string[] = [];
  private waiters: (() => void)[] = [];

  constructor(c: TestCluster, args: string[]) {
    this.child = spawn(kubectlBinary(), ['--kubeconfig', c.kubeconfig, ...args], { env: { ...process.env, HOME: c.home, KUBECONFIG: '' } });
    const onData = (b: Buffer): void => {
      this.buffered += b.toString();
      const parts = this.buffered.split('\n');
      this.buffered = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.waiters.splice(0)) w();
    };
    this.child.stdout.on('data', onData);
    this.child.stderr.on('data', (b: Buffer) => this.lines.push(`stderr: ${b.toString().trim()}`));
  }

  /** Resolves with the first line (from `from` on) that matches; fails after timeoutMs. */
  async waitFor(re: RegExp, from = 0, timeoutMs = 15_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex((l, n) => n >= from && re.test(l));
      if (i >= 0) return i;
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no line matching ${re} after ${timeoutMs} ms; got:\n${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.pid) process.kill(this.child.pid, 'SIGKILL');
  }
}

describe('endpoints with kubectl', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start();
    await c.k(['apply', '-f', c.writeFile('web.yaml', MANIFESTS)]);
  });
  afterAll(async () => {
    await c?.stop();
  });

  const setStatus = (pod: string, ip: string, ready: boolean): Promise<string> =>
    c.k([
      'patch',
      'pod',
      pod,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }),
    ]);

  it('get endpoints --watch follows pods turning Ready and not Ready', async () => {
    const watch = new KubectlStream(c, ['get', 'endpoints', 'web', '--watch', '--request-timeout=30s']);
    try {
      // The Service selects pods without addresses yet: Endpoints exist, empty.
      const first = await watch.waitFor(/^web\s+<none>\s+\S+$/);
      expect(watch.lines[0]).toMatch(/^NAME\s+ENDPOINTS\s+AGE$/);
      await setStatus('web-1', '127.77.0.11', true);
      const one = await watch.waitFor(/^web\s+127\.77\.0\.11:8080\s/, first);
      await setStatus('web-2', '127.77.0.12', true);
      const two = await watch.waitFor(/^web\s+127\.77\.0\.11:8080,127\.77\.0\.12:8080\s/, one);
      await setStatus('web-1', '127.77.0.11', false);
      await watch.waitFor(/^web\s+127\.77\.0\.12:8080\s/, two);
    } finally {
      watch.stop();
    }
  });

  it('get endpointslices shows the slice with its ports and endpoints', async () => {
    await setStatus('web-1', '127.77.0.11', true);
    await setStatus('web-2', '127.77.0.12', true);
    let out = '';
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      out = await c.k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web']);
      if (/127\.77\.0\.11,127\.77\.0\.12|127\.77\.0\.12,127\.77\.0\.11/.test(out)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const [header, row, ...rest] = out.trim().split('\n');
    expect(header).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/);
    expect(row).toMatch(/^web-[a-z0-9]{5}\s+IPv4\s+8080\s+(127\.77\.0\.11,127\.77\.0\.12|127\.77\.0\.12,127\.77\.0\.11)\s+\S+$/);
    expect(rest).toEqual([]);
    const slice = JSON.parse(await c.k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'])) as {
      items: { metadata: { labels: Record<string, string>; ownerReferences: { kind: string; name: string }[] } }[];
    };
    expect(slice.items[0]!.metadata.labels['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
    expect(slice.items[0]!.metadata.ownerReferences.map((o) => `${o.kind}/${o.name}`)).toEqual(['Service/web']);
  });

  it('describe svc shows the endpoints', async () => {
    let out = '';
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      out = await c.k(['describe', 'svc', 'web']);
      if (/Endpoints:\s+127\.77\.0\.1[12]:8080,127\.77\.0\.1[12]:8080/.test(out)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).toMatch(/Endpoints:\s+127\.77\.0\.1[12]:8080,127\.77\.0\.1[12]:8080/);
    expect(out).toMatch(/TargetPort:\s+http\/TCP/);
  });
});
