// Cluster DNS through `tinykube up`, the real kubectl, the real dig and a pod's own resolver:
// kube-dns answers on its cluster IP with Kubernetes' records, forwards other names to the
// upstream this test runs (never the machine's resolver), and pods find Services by short name.
import { createSocket, type Socket } from 'node:dgram';
import { get as httpGet } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, TestCluster, waitFor } from './harness.js';

let c: TestCluster;
let upstream: Socket;
let dnsIP = '';
const net = `127.87.${process.pid % 200}`;
const UPSTREAM_IP = `${net}.53`;
const upstreamAsked: string[] = [];

/** A stand-in for the internet: every A question gets 127.1.2.3, anything else NOERROR and empty. */
function answerUpstream(q: Buffer): Buffer {
  let i = 12;
  const labels: string[] = [];
  while (q[i]! > 0) {
    labels.push(q.subarray(i + 1, i + 1 + q[i]!).toString('latin1'));
    i += q[i]! + 1;
  }
  const qtype = q.readUInt16BE(i + 1);
  const qEnd = i + 5;
  upstreamAsked.push(`${labels.join('.').toLowerCase()}/${qtype}`); // the case is randomised (0x20)
  const head = Buffer.from(q.subarray(0, qEnd));
  head.writeUInt16BE(0x8180, 2); // QR, RD, RA
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(0, 10);
  if (qtype !== 1) {
    head.writeUInt16BE(0, 6);
    return head;
  }
  head.writeUInt16BE(1, 6);
  const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 1, 2, 3]);
  return Buffer.concat([head, rr]);
}

beforeAll(async () => {
  upstream = createSocket('udp4');
  upstream.on('message', (msg, rinfo) => upstream.send(answerUpstream(msg), rinfo.port, rinfo.address));
  await new Promise<void>((r) => upstream.bind(53, UPSTREAM_IP, r));
  c = await TestCluster.start({ nodes: 1, dns: true, extraArgs: ['--node-ip', `${net}.1`, '--dns-upstream', UPSTREAM_IP] });
  dnsIP = (await c.k(['-n', 'kube-system', 'get', 'svc', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  await c.k(['create', 'deployment', 'web', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--replicas=2', '--', '/agnhost', 'netexec', '--http-port=8080']);
  await c.k(['rollout', 'status', 'deployment/web', '--timeout=60s']);
}, 90_000);

afterAll(async () => {
  await c?.stop();
  upstream?.close();
});

async function dig(...args: string[]): Promise<string> {
  const r = await run('dig', [`@${dnsIP}`, '+time=2', '+tries=1', ...args]);
  return r.stdout;
}

function section(out: string, name: 'ANSWER' | 'AUTHORITY' | 'ADDITIONAL'): string[] {
  const m = new RegExp(`;; ${name} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(out);
  return m ? m[1]!.split('\n').map((l) => l.split(/\s+/).join(' ')) : [];
}

function status(out: string): string {
  return /status: (\w+)/.exec(out)?.[1] ?? 'none';
}

describe('cluster DNS', () => {
  it('answers on kube-dns\'s cluster IP, which its Endpoints name; up says where', async () => {
    expect(c.output).toMatch(new RegExp(`dns\\s+ok\\s+cluster\\.local on ${dnsIP.replaceAll('.', '\\.')}:53 UDP\\+TCP \\(native UDP path\\), other names via ${UPSTREAM_IP.replaceAll('.', '\\.')}`));
    expect(await c.k(['-n', 'kube-system', 'get', 'endpoints', 'kube-dns'])).toMatch(new RegExp(`kube-dns\\s+${dnsIP.replaceAll('.', '\\.')}:53,${dnsIP.replaceAll('.', '\\.')}:53,${dnsIP.replaceAll('.', '\\.')}:9153`));
    const out = await dig('kubernetes.default.svc.cluster.local');
    expect(status(out)).toBe('NOERROR');
    expect(out).toMatch(/flags: qr aa rd ra;/);
    const apiIP = (await c.k(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(section(out, 'ANSWER')).toEqual([`kubernetes.default.svc.cluster.local. 30 IN A ${apiIP}`]);
  });

  it('a ClusterIP Service: A, SRV for its named port, PTR of its address, over UDP and TCP', async () => {
    await c.k(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--name=web']);
    await c.k(['patch', 'svc', 'web', '--type=json', '-p', '[{"op":"add","path":"/spec/ports/0/name","value":"http"}]']);
    const ip = (await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    for (const transport of ['+notcp', '+tcp']) {
      const a = await waitFor('web resolvable', async () => {
        const out = await dig(transport, 'web.default.svc.cluster.local');
        return status(out) === 'NOERROR' && section(out, 'ANSWER').length > 0 ? out : undefined;
      });
      expect(section(a, 'ANSWER')).toEqual([`web.default.svc.cluster.local. 30 IN A ${ip}`]);
    }
    const srv = await waitFor('the SRV record', async () => {
      const out = await dig('SRV', '_http._tcp.web.default.svc.cluster.local');
      return section(out, 'ANSWER').length > 0 ? out : undefined;
    });
    expect(section(srv, 'ANSWER')).toEqual(['_http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 100 80 web.default.svc.cluster.local.']);
    expect(section(srv, 'ADDITIONAL')).toContain(`web.default.svc.cluster.local. 30 IN A ${ip}`);
    expect(section(await dig('-x', ip), 'ANSWER')).toEqual([`${ip.split('.').reverse().join('.')}.in-addr.arpa. 30 IN PTR web.default.svc.cluster.local.`]);
  });

  it('names match in any case, and the answer echoes the question\'s case', async () => {
    const out = await dig('WeB.Default.SVC.cluster.local');
    expect(section(out, 'ANSWER')[0]).toMatch(/^WeB\.Default\.SVC\.cluster\.local\. 30 IN A /);
  });

  it('a headless Service: one A per ready pod; a missing name: NXDOMAIN with the SOA', async () => {
    await c.k(['expose', 'deployment', 'web', '--port=8080', '--name=web-headless', '--cluster-ip=None']);
    const pods = (await c.k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}'])).trim().split(/\s+/).sort();
    const answers = await waitFor('both pods', async () => {
      const ips = section(await dig('web-headless.default.svc.cluster.local'), 'ANSWER').map((l) => l.split(' ')[4]!).sort();
      return ips.length === 2 ? ips : undefined;
    });
    expect(answers).toEqual(pods);
    const nx = await dig('nothing-here.default.svc.cluster.local');
    expect(status(nx)).toBe('NXDOMAIN');
    expect(section(nx, 'AUTHORITY')[0]).toMatch(/^cluster\.local\. 30 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 30$/);
  });

  it('other names go to the upstream; an ExternalName is a CNAME chased there', async () => {
    expect(section(await dig('example.com'), 'ANSWER')).toEqual(['example.com. 60 IN A 127.1.2.3']);
    expect(upstreamAsked).toContain('example.com/1');
    await c.k(['create', 'service', 'externalname', 'outside', '--external-name', 'faraway.example.org']);
    const out = await waitFor('the CNAME', async () => {
      const o = await dig('outside.default.svc.cluster.local');
      return section(o, 'ANSWER').length === 2 ? o : undefined;
    });
    expect(section(out, 'ANSWER')).toEqual(['outside.default.svc.cluster.local. 30 IN CNAME faraway.example.org.', 'faraway.example.org. 60 IN A 127.1.2.3']);
  });

  it('a class other than IN is refused, not forwarded (as CoreDNS)', async () => {
    const before = upstreamAsked.length;
    expect(status(await dig('CH', 'TXT', 'version.bind'))).toBe('REFUSED');
    expect(upstreamAsked.length).toBe(before);
  });

  it('a pod finds a Service by its short name through its resolv.conf', async () => {
    await c.k(['run', 'toolbox', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
    await c.k(['wait', '--for=condition=Ready', 'pod/toolbox', '--timeout=60s']);
    const ip = (await c.k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(await c.k(['exec', 'toolbox', '--', 'cat', '/etc/resolv.conf'])).toContain(`nameserver ${dnsIP}`);
    const out = await c.k(['exec', 'toolbox', '--', 'nslookup', 'web']);
    expect(out).toContain('web.default.svc.cluster.local');
    expect(out).toContain(ip);
  });

  it('/metrics on :9153 counts the queries, as CoreDNS\'s prometheus plugin', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      httpGet(`http://${dnsIP}:9153/metrics`, (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => resolve(b));
      }).on('error', reject);
    });
    expect(text).toMatch(/^coredns_dns_requests_total\{.*type="A".*\} \d+$/m);
    expect(text).toMatch(/^coredns_dns_responses_total\{.*rcode="NXDOMAIN".*\} [1-9]\d*$/m);
    expect(text).toMatch(/^coredns_dns_request_duration_seconds_bucket\{.*le="\+Inf".*\} [1-9]\d*$/m);
    // The headless Service's endpoints, timed from the EndpointSlice's trigger time.
    expect(text).toMatch(/^coredns_kubernetes_dns_programming_duration_seconds_count\{service_kind="headless_with_selector"\} [1-9]\d*$/m);
  });

  it('a deleted Service stops resolving', async () => {
    await c.k(['delete', 'svc', 'web-headless']);
    await waitFor('NXDOMAIN', async () => status(await dig('web-headless.default.svc.cluster.local')) === 'NXDOMAIN');
  });
});
