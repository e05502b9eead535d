// The service proxy through the real kubectl and real clients: a ClusterIP spreads over every
// ready pod, NodePort and LoadBalancer addresses answer, UDP goes through, ClientIP affinity
// sticks, no endpoints means refused at once, and a deleted Service's listeners close.
import { createSocket } from 'node:dgram';
import { get as httpGet } from 'node:http';
import { connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster, waitFor } from './harness.js';

let c: TestCluster;
const nodeIP = `127.88.${process.pid % 200}.1`;

beforeAll(async () => {
  c = await TestCluster.start({ nodes: 1, extraArgs: ['--node-ip', nodeIP] });
  await c.k(['create', 'deployment', 'web', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--replicas=3', '--', '/agnhost', 'netexec', '--http-port=8080', '--udp-port=8081']);
  await c.k(['rollout', 'status', 'deployment/web', '--timeout=60s']);
}, 90_000);

afterAll(async () => {
  await c?.stop();
});

/** One HTTP GET on a new connection (no keep-alive: a reused connection stays on one pod). */
function get(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = httpGet(url, { agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** How a TCP connect ends: 'open' or the error code (ECONNREFUSED...). */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.setTimeout(3000, () => {
      s.destroy();
      resolve('timeout');
    });
    s.once('connect', () => {
      s.destroy();
      resolve('open');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

function udpAsk(host: string, port: number, msg: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, 2000);
    sock.once('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m.toString());
    });
    sock.send(msg, port, host);
  });
}

async function podNames(): Promise<string[]> {
  return (await c.k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/).sort();
}

describe('the service proxy', () => {
  it('a ClusterIP spreads connections over every ready pod', async () => {
    await c.k(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--name=web']);
    const ip = (await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const names = await podNames();
    const seen = new Set<string>();
    await waitFor('every pod answers through the cluster IP', async () => {
      const r = await get(`http://${ip}/hostname`);
      if (r) seen.add(r);
      return names.every((n) => seen.has(n));
    });
    expect([...seen].sort()).toEqual(names);
  });

  it('NodePort on the node address and the LoadBalancer address', async () => {
    await c.k(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--name=web-lb', '--type=LoadBalancer']);
    const nodePort = Number(await c.k(['get', 'svc', 'web-lb', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    const lb = await waitFor('LB address', async () => (await c.k(['get', 'svc', 'web-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim() || undefined);
    const names = await podNames();
    expect(names).toContain(await waitFor('node port answers', () => get(`http://${nodeIP}:${nodePort}/hostname`)));
    expect(names).toContain(await waitFor('LB answers', () => get(`http://${lb}/hostname`)));
  });

  it('an external IP carries the Service port', async () => {
    const ext = nodeIP.replace(/\.1$/, '.50');
    await c.k(['expose', 'deployment', 'web', '--port=8090', '--target-port=8080', '--name=web-ext', `--external-ip=${ext}`]);
    expect(await c.k(['get', 'svc', 'web-ext'])).toContain(ext);
    expect(await podNames()).toContain(await waitFor('the external IP answers', () => get(`http://${ext}:8090/hostname`)));
  });

  it('an address the proxy cannot bind: a FailedToListen Warning on the Service, and a line from up', async () => {
    const ext = nodeIP.replace(/\.1$/, '.51');
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(8091, ext, r));
    try {
      await c.k(['expose', 'deployment', 'web', '--port=8091', '--target-port=8080', '--name=web-busy', `--external-ip=${ext}`]);
      const events = await waitFor('the Warning', async () => {
        const out = await c.k(['get', 'events', '--field-selector', 'involvedObject.name=web-busy,reason=FailedToListen']);
        return out.includes('FailedToListen') ? out : undefined;
      });
      expect(events).toMatch(new RegExp(`Warning\\s+FailedToListen\\s+service/web-busy\\s+cannot listen on ${ext.replace(/\./g, '\\.')}:8091/TCP for default/web-busy/TCP: .*EADDRINUSE`));
      expect(c.output).toContain(`the proxy of node tinykube: cannot listen on ${ext}:8091/TCP`);
    } finally {
      squatter.close();
    }
  });

  it('UDP through a Service', async () => {
    await c.k(['expose', 'deployment', 'web', '--port=53', '--target-port=8081', '--protocol=UDP', '--name=web-udp']);
    const ip = (await c.k(['get', 'svc', 'web-udp', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const names = await podNames();
    expect(names).toContain(await waitFor('UDP answers', () => udpAsk(ip, 53, 'hostname')));
  });

  it('ClientIP session affinity sticks to one pod', async () => {
    await c.k(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--name=web-sticky', '--session-affinity=ClientIP']);
    const ip = (await c.k(['get', 'svc', 'web-sticky', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const first = await waitFor('sticky answers', () => get(`http://${ip}/hostname`));
    for (let i = 0; i < 10; i++) expect(await get(`http://${ip}/hostname`)).toBe(first);
  });

  it('scaled to 0: refused at once; back to 1: answers again', async () => {
    const ip = (await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await c.k(['scale', 'deployment', 'web', '--replicas=0']);
    await waitFor('refused', async () => (await tryConnect(ip, 80)) === 'ECONNREFUSED');
    await c.k(['scale', 'deployment', 'web', '--replicas=1']);
    const name = await waitFor('answers again', () => get(`http://${ip}/hostname`));
    expect(await podNames()).toContain(name);
  });

  it('/healthz and /metrics on the node address, as kube-proxy serves them', async () => {
    const url = /metrics (http:\/\/\S+)\/metrics/.exec(c.output)?.[1];
    expect(url).toMatch(new RegExp(`^http://${nodeIP.replace(/\./g, '\\.')}:\\d+$`));
    expect((await get(`${url}/healthz`)) ?? '').toContain('"nodeEligible":true');
    expect((await get(`${url}/metrics`)) ?? '').toMatch(/^kubeproxy_network_programming_duration_seconds_count \d+$/m);
  });

  it('a long-lived connection survives an unrelated endpoint change; a deleted pod gets no new connections', async () => {
    const ip = (await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    // One keep-alive connection, two requests on it, the deployment scaled in between.
    const sock = connect({ host: ip, port: 80 });
    await new Promise((r, j) => sock.once('connect', r).once('error', j));
    let buf = '';
    sock.on('data', (d: Buffer) => (buf += d.toString()));
    const ask = async (): Promise<string> => {
      buf = '';
      sock.write(`GET /hostname HTTP/1.1\r\nHost: ${ip}\r\n\r\n`);
      return waitFor('a response on the open connection', async () => {
        const m = /\r\n\r\n(.+)$/s.exec(buf);
        return m && /content-length: (\d+)/i.exec(buf) && m[1]!.length >= Number(/content-length: (\d+)/i.exec(buf)![1]) ? m[1] : undefined;
      });
    };
    const first = await ask();
    await c.k(['scale', 'deployment', 'web', '--replicas=3']);
    await waitFor('3 ready', async () => (await c.k(['get', 'deployment', 'web', '-o', 'jsonpath={.status.readyReplicas}'])) === '3');
    expect(await ask()).toBe(first);
    sock.destroy();
    // Delete one pod at once: new connections go only to pods that exist.
    await c.k(['delete', 'pod', first, '--grace-period=0', '--force']);
    await waitFor('the deleted pod left the endpoints', async () => !(await c.k(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].targetRef.name}'])).includes(first));
    for (let i = 0; i < 6; i++) {
      const name = await waitFor('an answer', () => get(`http://${ip}/hostname`));
      expect(name).not.toBe(first);
    }
  });

  it('a deleted Service stops listening', async () => {
    const ip = (await c.k(['get', 'svc', 'web-sticky', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await waitFor('open', async () => (await tryConnect(ip, 80)) === 'open');
    await c.k(['delete', 'svc', 'web-sticky']);
    await waitFor('closed', async () => (await tryConnect(ip, 80)) === 'ECONNREFUSED');
  });
});
