// Ingress through the real kubectl and curl: Ingress YAML applied with kubectl, requests with
// curl --resolve / -H Host: for each rule type and precedence case, defaultBackend, 404 and 503,
// TLS from a Secret made with openssl (curl --cacert), HTTP -> HTTPS redirect, a renewed
// certificate served live, other controllers' classes left alone, a port that cannot be bound,
// and configuration changes under load without a failed request.
import { spawn } from 'node:child_process';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, run, TestCluster, waitFor } from './harness.js';

let c: TestCluster;
const net = `127.92.${process.pid % 200}`;
const nodeIP = `${net}.1`;
const HTTP = 8080;
const HTTPS = 8443;

beforeAll(async () => {
  c = await TestCluster.start({ nodes: 1, ingress: true, extraArgs: ['--node-ip', nodeIP, '--ingress-http-port', String(HTTP), '--ingress-https-port', String(HTTPS)] });
  await c.k(['create', 'deployment', 'web1', '--image=gcr.io/google-samples/hello-app:1.0', '--replicas=2']);
  await c.k(['create', 'deployment', 'web2', '--image=gcr.io/google-samples/hello-app:2.0']);
  await c.k(['create', 'deployment', 'late', '--image=gcr.io/google-samples/hello-app:1.0', '--replicas=0']);
  // web1's port has a name (Ingresses name it), web2's is reached by number.
  await c.k(['create', 'service', 'clusterip', 'web1', '--tcp=80:8080']);
  await c.k(['patch', 'service', 'web1', '--type=json', '-p', '[{"op":"replace","path":"/spec/ports/0/name","value":"http"}]']);
  await c.k(['expose', 'deployment', 'web2', '--port=8080']);
  await c.k(['expose', 'deployment', 'late', '--port=80', '--target-port=8080']);
  for (const d of ['web1', 'web2']) await c.k(['rollout', 'status', `deployment/${d}`, '--timeout=60s']);
}, 120_000);

afterAll(async () => {
  await c?.stop();
});

/** curl through the ingress: `host` resolved to the node address; the status code and body. */
async function curl(url: string, extra: string[] = []): Promise<{ status: number; body: string; headers: string }> {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const r = await run('curl', ['-sS', '--max-time', '5', '-D', '-', '--resolve', `${u.hostname}:${port}:${nodeIP}`, ...extra, url]);
  if (r.code !== 0) return { status: 0, body: r.stderr, headers: '' };
  const split = r.stdout.indexOf('\r\n\r\n');
  const headers = r.stdout.slice(0, split);
  return { status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(headers)?.[1] ?? 0), body: r.stdout.slice(split + 4), headers };
}

/** Which app answered: "1.0.0" (web1), "2.0.0" (web2), or the status when it is not 200. */
async function who(host: string, path: string): Promise<string> {
  const r = await curl(`http://${host}:${HTTP}${path}`);
  if (r.status !== 200) return String(r.status);
  return /Version: (\S+)/.exec(r.body)?.[1] ?? r.body;
}

async function apply(yaml: string): Promise<void> {
  await c.k(['apply', '-f', '-'], { input: yaml });
}

const ROUTES = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: routes
spec:
  rules:
  - host: paths.example
    http:
      paths:
      - path: /exact
        pathType: Exact
        backend: {service: {name: web2, port: {number: 8080}}}
      - path: /exact
        pathType: Prefix
        backend: {service: {name: web1, port: {name: http}}}
      - path: /app
        pathType: Prefix
        backend: {service: {name: web1, port: {name: http}}}
      - path: /app/v2/
        pathType: Prefix
        backend: {service: {name: web2, port: {number: 8080}}}
      - path: /impl
        pathType: ImplementationSpecific
        backend: {service: {name: web2, port: {number: 8080}}}
  - host: "*.wild.example"
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web2, port: {number: 8080}}}
`;

describe('ingress', () => {
  it('makes the default class at start; an Ingress without a class gets it and is published at the node address', async () => {
    const classes = await c.k(['get', 'ingressclass']);
    expect(classes).toMatch(/^nginx\s+tinykube\.io\/ingress/m);
    expect(classes).toMatch(/^tinykube\s+tinykube\.io\/ingress/m);
    expect((await c.k(['get', 'ingressclass', 'tinykube', '-o', 'jsonpath={.metadata.annotations.ingressclass\\.kubernetes\\.io/is-default-class}'])).trim()).toBe('true');
    await apply(ROUTES);
    expect((await c.k(['get', 'ingress', 'routes', '-o', 'jsonpath={.spec.ingressClassName}'])).trim()).toBe('tinykube');
    await waitFor('the ADDRESS column', async () => /^routes\s+tinykube\s+paths\.example,\*\.wild\.example\s+(\S+)\s+80\s/m.exec(await c.k(['get', 'ingress']))?.[1] === nodeIP);
    expect(await c.k(['describe', 'ingress', 'routes'])).toMatch(/Normal\s+Sync\s+.*tinykube-ingress-controller\s+Scheduled for sync/);
  });

  it.each([
    ['Exact wins over Prefix for the same path', 'paths.example', '/exact', '2.0.0'],
    ['the Prefix of that path takes what Exact does not', 'paths.example', '/exact/more', '1.0.0'],
    ['Prefix, by name of the Service port', 'paths.example', '/app', '1.0.0'],
    ['Prefix matches element-wise, not as a string', 'paths.example', '/appendix', '404'],
    ['the longest Prefix wins (its trailing slash ignored)', 'paths.example', '/app/v2', '2.0.0'],
    ['the longest Prefix wins for a sub-path', 'paths.example', '/app/v2/items?id=1', '2.0.0'],
    ['a shorter Prefix takes a sibling', 'paths.example', '/app/v3', '1.0.0'],
    ['ImplementationSpecific is a string prefix', 'paths.example', '/implicit', '2.0.0'],
    ['a path no rule matches', 'paths.example', '/', '404'],
    ['a wildcard host matches one label', 'a.wild.example', '/anything', '2.0.0'],
    ['a wildcard host does not match two labels', 'a.b.wild.example', '/', '404'],
    ['a wildcard host does not match the bare domain', 'wild.example', '/', '404'],
    ['an unknown host', 'nobody.example', '/', '404'],
  ])('%s: %s%s -> %s', async (_name, host, path, want) => {
    await waitFor('the routes to be served', async () => (await who('paths.example', '/app')) === '1.0.0');
    expect(await who(host, path)).toBe(want);
  });

  it('matches the Host header (curl -H Host:) and answers 404 with an nginx-style page', async () => {
    const r = await run('curl', ['-sS', '-H', 'Host: paths.example', `http://${nodeIP}:${HTTP}/app/v2/`]);
    expect(r.stdout).toContain('Version: 2.0.0');
    const nf = await curl(`http://nobody.example:${HTTP}/`);
    expect(nf.status).toBe(404);
    expect(nf.body).toContain('<title>404 Not Found</title>');
  });

  it('spreads requests over the ready endpoints of the Service', async () => {
    const names = (await c.k(['get', 'pods', '-l', 'app=web1', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/).sort();
    const seen = new Set<string>();
    await waitFor('both pods of web1 to answer', async () => {
      const body = (await curl(`http://paths.example:${HTTP}/app`)).body;
      const host = /Hostname: (\S+)/.exec(body)?.[1];
      if (host) seen.add(host);
      return seen.size === names.length;
    });
    expect([...seen].sort()).toEqual(names);
  });

  it('serves an Ingress made by kubectl create ingress (class, host, path from --rule)', async () => {
    await c.k(['create', 'ingress', 'made', '--rule=made.example/*=web1:80']);
    expect((await c.k(['get', 'ingress', 'made', '-o', 'jsonpath={.spec.ingressClassName} {.spec.rules[0].http.paths[0].pathType}'])).trim()).toBe('tinykube Prefix');
    await waitFor('kubectl create ingress', async () => (await who('made.example', '/deep/path')) === '1.0.0');
  });

  it('sends requests no rule matches to a defaultBackend', async () => {
    await apply(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: fallback}
spec:
  defaultBackend: {service: {name: web1, port: {number: 80}}}
`);
    await waitFor('the defaultBackend', async () => (await who('nobody.example', '/')) === '1.0.0');
    expect(await who('paths.example', '/app/v2')).toBe('2.0.0'); // rules still come first
    await c.k(['delete', 'ingress', 'fallback']);
    await waitFor('no defaultBackend', async () => (await who('nobody.example', '/')) === '404');
  });

  it('answers 503 while the backend has no ready endpoint, and serves once it has one', async () => {
    await apply(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: late}
spec:
  rules:
  - host: late.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: late, port: {number: 80}}}}
`);
    const r = await waitFor('503', async () => {
      const x = await curl(`http://late.example:${HTTP}/`);
      return x.status === 503 ? x : undefined;
    });
    expect(r.body).toContain('503 Service Temporarily Unavailable');
    await c.k(['scale', 'deployment', 'late', '--replicas=1']);
    await waitFor('the new pod to serve', async () => (await who('late.example', '/')) === '1.0.0', 60_000);
  });

  it('leaves Ingresses of another controller alone', async () => {
    await apply(`
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: other}
spec: {controller: example.com/other}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: theirs}
spec:
  ingressClassName: other
  rules:
  - host: theirs.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web1, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ours-after}
spec:
  ingressClassName: nginx
  rules:
  - host: ours.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web1, port: {number: 80}}}}
`);
    // Once the Ingress applied after it is served, the other one has been seen and left alone.
    await waitFor('ours to be served', async () => (await who('ours.example', '/')) === '1.0.0');
    await waitFor('ours to be published', async () => (await c.k(['get', 'ingress', 'ours-after', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim() === nodeIP);
    expect(await who('theirs.example', '/')).toBe('404');
    expect((await c.k(['get', 'ingress', 'theirs', '-o', 'jsonpath={.status.loadBalancer}'])).trim()).toMatch(/^(\{\})?$/);
  });

  it('terminates TLS with a Secret made by openssl (curl --cacert), redirects HTTP to HTTPS, and serves a renewed certificate live', async () => {
    const cert = async (name: string, cn: string): Promise<{ crt: string; key: string }> => {
      const crt = c.writeFile(`${name}.crt`, '');
      const key = c.writeFile(`${name}.key`, '');
      const r = await run('openssl', ['req', '-x509', '-nodes', '-days', '2', '-newkey', 'rsa:2048', '-keyout', key, '-out', crt, '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=DNS:secure.example']);
      expect(r.code, r.stderr).toBe(0);
      return { crt, key };
    };
    const first = await cert('first', 'first');
    await c.k(['create', 'secret', 'tls', 'secure-tls', `--cert=${first.crt}`, `--key=${first.key}`]);
    await apply(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: secure}
spec:
  tls:
  - hosts: [secure.example]
    secretName: secure-tls
  rules:
  - host: secure.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web2, port: {number: 8080}}}}
`);
    const ok = await waitFor('HTTPS with the Secret', async () => {
      const r = await curl(`https://secure.example:${HTTPS}/x`, ['--cacert', first.crt]);
      return r.status === 200 ? r : undefined;
    });
    expect(ok.body).toContain('Version: 2.0.0');
    const redirect = await curl(`http://secure.example:${HTTP}/x?y=1`);
    expect(redirect.status).toBe(308);
    expect(redirect.headers).toMatch(new RegExp(`^location: https://secure\\.example:${HTTPS}/x\\?y=1\\r?$`, 'im'));
    // curl -L follows it to the same answer.
    expect((await curl(`http://secure.example:${HTTP}/x`, ['-L', '--cacert', first.crt, '--resolve', `secure.example:${HTTPS}:${nodeIP}`])).body).toContain('Version: 2.0.0');
    // A host without a certificate gets the default one (not signed by our CA: curl refuses it).
    const other = await curl(`https://paths.example:${HTTPS}/app`, ['--cacert', first.crt]);
    expect(other.status).toBe(0);
    expect((await curl(`https://paths.example:${HTTPS}/app`, ['-k'])).body).toContain('Version: 1.0.0');

    const second = await cert('second', 'second');
    const yaml = await c.k(['create', 'secret', 'tls', 'secure-tls', `--cert=${second.crt}`, `--key=${second.key}`, '--dry-run=client', '-o', 'yaml']);
    await apply(yaml);
    await waitFor('the renewed certificate', async () => (await curl(`https://secure.example:${HTTPS}/`, ['--cacert', second.crt])).status === 200);
  });

  it('changes configuration under load without a failed request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const one = (): Promise<void> =>
      new Promise((resolve) => {
        const req = request({ host: nodeIP, port: HTTP, path: '/app', headers: { Host: 'paths.example' }, agent, timeout: 5000 }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) ok++;
            else failures.push(String(res.statusCode));
            resolve();
          });
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (e) => {
          failures.push(e.message);
          resolve();
        });
        req.end();
      });
    // Four clients, at most 20,000 requests or 60 s, whichever comes first.
    const deadline = Date.now() + 60_000;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!stop && ok + failures.length < 20_000 && Date.now() < deadline) await one();
      }),
    );
    const changes: [string, () => Promise<unknown>, () => Promise<boolean>][] = [
      ['a new path', () => c.k(['patch', 'ingress', 'routes', '--type=json', '-p', '[{"op":"add","path":"/spec/rules/0/http/paths/-","value":{"path":"/new","pathType":"Prefix","backend":{"service":{"name":"web2","port":{"number":8080}}}}}]']), async () => (await who('paths.example', '/new')) === '2.0.0'],
      ['/app to web2', () => c.k(['patch', 'ingress', 'routes', '--type=json', '-p', '[{"op":"replace","path":"/spec/rules/0/http/paths/2/backend","value":{"service":{"name":"web2","port":{"number":8080}}}}]']), async () => (await who('paths.example', '/app')) === '2.0.0'],
      ['another Ingress', () => apply('{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"extra"},"spec":{"rules":[{"host":"extra.example","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web1","port":{"number":80}}}}]}}]}}'), async () => (await who('extra.example', '/')) === '1.0.0'],
      ['web2 scaled up', () => c.k(['scale', 'deployment', 'web2', '--replicas=2']), async () => (await c.k(['get', 'deployment', 'web2', '-o', 'jsonpath={.status.readyReplicas}'])).trim() === '2'],
      ['/app back to web1', () => c.k(['patch', 'ingress', 'routes', '--type=json', '-p', '[{"op":"replace","path":"/spec/rules/0/http/paths/2/backend","value":{"service":{"name":"web1","port":{"name":"http"}}}}]']), async () => (await who('paths.example', '/app')) === '1.0.0'],
    ];
    for (const [what, change, done] of changes) {
      await change();
      await waitFor(what, done, 30_000);
    }
    stop = true;
    await load;
    agent.destroy();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(100);
  }, 120_000);
});

describe('ingress listeners', () => {
  it('listens on every node address; says which port it cannot bind and how to choose another, and serves on the rest', async () => {
    const first = `${net}.9`;
    const second = `${net}.10`;
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(18080, first, () => r()));
    let d: TestCluster | undefined;
    try {
      d = await TestCluster.start({ nodes: 2, ingress: true, extraArgs: ['--node-ip', first, '--ingress-http-port', '18080', '--ingress-https-port', '18443'] });
      expect(d.output).toContain(`ingress: cannot listen on ${first}:18080 (http): the port is already in use; choose another with --ingress-http-port`);
      expect(d.output).toContain(`ingress     ok  class tinykube (default), nginx; HTTP on ${second}:18080, HTTPS on ${first}:18443, ${second}:18443`);
      await d.k(['create', 'ingress', 'both', '--rule=both.example/=nothing:80']);
      await waitFor('both node addresses in the status', async () => (await d!.k(['get', 'ingress', 'both', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}'])).trim() === `${first} ${second}`);
      const r = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: both.example', `http://${second}:18080/`]);
      expect(r.stdout).toBe('503'); // served there; the Service does not exist
    } finally {
      await d?.stop();
      busy.close();
    }
  }, 60_000);
});

describe('tinykube ingress (standalone, against a cluster run with --no-ingress)', () => {
  it('makes IngressClass tinykube, serves its Ingresses and stops on SIGTERM', async () => {
    const nodeIp = `${net}.20`;
    const backendIp = `${net}.21`;
    const backend = createHttpServer((req, res) => res.end(`standalone backend ${req.url ?? ''}`));
    await new Promise<void>((r) => backend.listen(8080, backendIp, () => r()));
    const d = await TestCluster.start({ extraArgs: ['--node-ip', nodeIp] });
    const child = spawn(process.execPath, [BIN, 'ingress', '--kubeconfig', d.kubeconfig, '--node-ip', nodeIp, '--ingress-http-port', '8080', '--ingress-https-port', '8443'], { env: { ...process.env, HOME: d.home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    try {
      await waitFor('the controller to run', async () => output.includes(`ingress controller (class tinykube) running against ${d.url}; HTTP on ${nodeIp}:8080, HTTPS on ${nodeIp}:8443`));
      expect(await d.k(['get', 'ingressclass', 'tinykube', '-o', 'jsonpath={.spec.controller}'])).toBe('tinykube.io/ingress');
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
endpoints: [{addresses: [${backendIp}], conditions: {ready: true}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: outside}
spec:
  ingressClassName: tinykube
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: outside, port: {number: 80}}}}
`,
      });
      const body = await waitFor('the standalone ingress to serve', async () => {
        const r = await run('curl', ['-sS', '--max-time', '2', `http://${nodeIp}:8080/x`]);
        return r.stdout.startsWith('standalone backend') ? r.stdout : undefined;
      });
      expect(body).toBe('standalone backend /x');
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await d.stop();
      backend.close();
    }
  }, 60_000);
});
