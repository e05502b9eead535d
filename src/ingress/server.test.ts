// The ingress data plane over real sockets: backends are HTTP (and WebSocket) servers on
// 127.93.x addresses; requests go through IngressServer as curl would send them.
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { createSecureContext, connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { Ingress, Secret } from '../api/networking.js';
import { selfSignedServingCert } from '../api/pki.js';
import { backendKey, compileRoutes, type Route } from './routes.js';
import { IngressServer, type IngressConfig } from './server.js';
import { CertStore, defaultCertificate, type CertPair } from './tls.js';
import { Upstream, type Endpoint } from './upstreams.js';

const ADDR = '127.93.0.1';

interface Backend {
  ep: Endpoint;
  server: Server;
  /** Requests seen: method, url, headers, body. */
  seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  connections: number;
}

const backends: Backend[] = [];

/** An HTTP backend that answers "<name> <method> <url>" (or runs `handler`). */
async function backend(ip: string, name: string, handler?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<Backend> {
  const b: Backend = { ep: { ip, port: 0 }, server: createHttpServer(), seen: [], connections: 0 };
  b.server.on('connection', () => b.connections++);
  b.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      b.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (handler) return handler(req, res);
      res.setHeader('Content-Type', 'text/plain');
      res.end(`${name} ${req.method} ${req.url}`);
    });
  });
  await new Promise<void>((r) => b.server.listen(0, ip, () => r()));
  b.ep = { ip, port: (b.server.address() as { port: number }).port };
  backends.push(b);
  return b;
}

function ingress(name: string, spec: Ingress['spec'], annotations?: Record<string, string>): Ingress {
  return { metadata: { name, namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z', ...(annotations && { annotations }) }, spec };
}

function prefix(path: string, service: string, port = 80): { path: string; pathType: 'Prefix'; backend: { service: { name: string; port: { number: number } } } } {
  return { path, pathType: 'Prefix', backend: { service: { name: service, port: { number: port } } } };
}

/** A configuration from Ingresses and the endpoints of each "namespace/service:port". */
function config(ingresses: Ingress[], endpoints: Record<string, Endpoint[]>): IngressConfig {
  const table = compileRoutes(ingresses);
  const ups = new Map<string, Upstream>();
  const byRoute = new Map<Route, Upstream>();
  for (const r of table.routes) {
    if (!r.backend) continue;
    const key = backendKey(r.backend);
    let u = ups.get(key);
    if (!u) {
      ups.set(key, (u = new Upstream(key)));
      u.endpoints = endpoints[key] ?? [];
    }
    byRoute.set(r, u);
  }
  return { table, upstream: (r) => byRoute.get(r) };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, opts: { host?: string; method?: string; headers?: Record<string, string>; body?: string; agent?: import('node:http').Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: ADDR, port, path, method: opts.method ?? 'GET', headers: { Host: opts.host ?? 'app.example', ...opts.headers }, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

let defaultCert: CertPair;
let server: IngressServer;
let certs: CertStore;

beforeAll(async () => {
  defaultCert = await defaultCertificate();
  certs = new CertStore(createSecureContext({ cert: defaultCert.certPem, key: defaultCert.keyPem }));
  server = new IngressServer({ addresses: [ADDR], httpPort: 0, httpsPort: 0, certs, defaultCert, log: () => undefined });
  expect(await server.listen()).toEqual([]);
});

afterAll(async () => {
  await server.close();
});

afterEach(async () => {
  for (const b of backends.splice(0)) {
    b.server.closeAllConnections();
    await new Promise<void>((r) => b.server.close(() => r()));
  }
});

describe('routing and forwarding', () => {
  it('routes by host and path and tells the backend where the request came from', async () => {
    const api = await backend('127.93.1.1', 'api');
    const web = await backend('127.93.1.2', 'web');
    server.setConfig(config([ingress('i', { rules: [{ host: 'app.example', http: { paths: [prefix('/api', 'api'), prefix('/', 'web')] } }] })], { 'default/api:80': [api.ep], 'default/web:80': [web.ep] }));
    expect(await get(server.httpPort, '/api/users?x=1')).toMatchObject({ status: 200, body: 'api GET /api/users?x=1' });
    expect(await get(server.httpPort, '/index.html')).toMatchObject({ status: 200, body: 'web GET /index.html' });
    expect(await get(server.httpPort, '/', { headers: { 'X-Forwarded-For': '203.0.113.7', Connection: 'keep-alive, X-Secret', 'X-Secret': 'hop' } })).toMatchObject({ status: 200 });
    const h = web.seen.at(-1)!.headers;
    expect(h.host).toBe('app.example');
    expect(h['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(h['x-forwarded-host']).toBe('app.example');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-port']).toBe(String(server.httpPort));
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h['x-secret']).toBeUndefined(); // named in Connection: one hop only
  });

  it('answers 404 when nothing matches and 503 when the backend has no ready endpoint', async () => {
    server.setConfig(config([ingress('i', { rules: [{ host: 'app.example', http: { paths: [prefix('/', 'empty')] } }] })], {}));
    const nf = await get(server.httpPort, '/', { host: 'nobody.example' });
    expect(nf.status).toBe(404);
    expect(nf.body).toContain('<title>404 Not Found</title>');
    const su = await get(server.httpPort, '/');
    expect(su.status).toBe(503);
    expect(su.body).toContain('503 Service Temporarily Unavailable');
  });

  it('sends a request whose endpoint refuses to another endpoint; 502 when none is left', async () => {
    const live = await backend('127.93.2.1', 'live');
    const dead: Endpoint = { ip: '127.93.2.2', port: 9 };
    server.setConfig(config([ingress('i', { rules: [{ host: 'app.example', http: { paths: [prefix('/', 'svc')] } }] })], { 'default/svc:80': [dead, live.ep] }));
    for (let i = 0; i < 4; i++) expect(await get(server.httpPort, '/')).toMatchObject({ status: 200, body: 'live GET /' });
    server.setConfig(config([ingress('i', { rules: [{ host: 'app.example', http: { paths: [prefix('/', 'svc')] } }] })], { 'default/svc:80': [dead] }));
    const r = await get(server.httpPort, '/');
    expect(r.status).toBe(502);
    expect(r.body).toContain('502 Bad Gateway');
  });

  it('passes bodies both ways, keeps client connections alive and pools backend connections', async () => {
    const echo = await backend('127.93.3.1', 'echo', (req, res) => {
      res.writeHead(201, { 'X-Echo': 'yes' });
      res.write('got:');
      res.end(echo.seen.at(-1)!.body);
    });
    server.setConfig(config([ingress('i', { rules: [{ http: { paths: [prefix('/', 'echo')] } }] })], { 'default/echo:80': [echo.ep] }));
    const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 20; i++) {
      const r = await get(server.httpPort, '/post', { method: 'POST', body: `n=${i}`, agent });
      expect(r).toMatchObject({ status: 201, body: `got:n=${i}` });
      expect(r.headers['x-echo']).toBe('yes');
    }
    agent.destroy();
    expect(echo.connections).toBe(1);
  });

  it('refuses a body over the limit with 413 (by Content-Length and while streaming)', async () => {
    const b = await backend('127.93.4.1', 'b');
    server.setConfig(config([ingress('i', { rules: [{ http: { paths: [prefix('/', 'b')] } }] }, { 'nginx.ingress.kubernetes.io/proxy-body-size': '1k' })], { 'default/b:80': [b.ep] }));
    expect((await get(server.httpPort, '/', { method: 'POST', body: 'x'.repeat(1024) })).status).toBe(200);
    expect((await get(server.httpPort, '/', { method: 'POST', body: 'x'.repeat(1025) })).status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: ADDR, port: server.httpPort, path: '/', method: 'POST', headers: { Host: 'a', 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('y'.repeat(800));
      setTimeout(() => req.end('y'.repeat(800)), 50);
    });
    expect(chunked).toBe(413);
  });

  it('answers 504 when the backend does not answer within the read timeout', async () => {
    const slow = await backend('127.93.5.1', 'slow', () => undefined); // never answers
    server.setConfig(config([ingress('i', { rules: [{ http: { paths: [prefix('/', 'slow')] } }] }, { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '1' })], { 'default/slow:80': [slow.ep] }));
    const r = await get(server.httpPort, '/');
    expect(r.status).toBe(504);
    expect(r.body).toContain('504 Gateway Time-out');
  });

  it('finishes a request in flight with the configuration it started with', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const b = await backend('127.93.6.1', 'held', (_req, res) => void held.then(() => res.end('finished')));
    server.setConfig(config([ingress('i', { rules: [{ http: { paths: [prefix('/', 'held')] } }] })], { 'default/held:80': [b.ep] }));
    const pending = get(server.httpPort, '/');
    while (b.seen.length === 0) await new Promise((r) => setTimeout(r, 5));
    server.setConfig(config([], {}));
    release();
    expect(await pending).toMatchObject({ status: 200, body: 'finished' });
    expect((await get(server.httpPort, '/')).status).toBe(404);
  });

  it('keeps serving after a malformed request', async () => {
    const b = await backend('127.93.7.1', 'ok');
    server.setConfig(config([ingress('i', { rules: [{ http: { paths: [prefix('/', 'ok')] } }] })], { 'default/ok:80': [b.ep] }));
    const raw = await new Promise<string>((resolve) => {
      const s = netConnect(server.httpPort, ADDR, () => s.write('GARBAGE\r\n\r\n'));
      let out = '';
      s.on('data', (d: Buffer) => (out += d.toString()));
      s.on('close', () => resolve(out));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect((await get(server.httpPort, '/')).status).toBe(200);
  });
});

describe('HTTPS', () => {
  let secure: CertPair;
  let secretVersion = 0;
  const secret = (pair: CertPair): Secret => ({
    metadata: { namespace: 'default', name: 'secure-tls', resourceVersion: String(++secretVersion) },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(pair.certPem).toString('base64'), 'tls.key': Buffer.from(pair.keyPem).toString('base64') },
  });
  const tlsIngress = (annotations?: Record<string, string>): Ingress =>
    ingress('tls', { tls: [{ hosts: ['secure.example'], secretName: 'secure-tls' }], rules: [{ host: 'secure.example', http: { paths: [prefix('/', 'web')] } }, { host: 'plain.example', http: { paths: [prefix('/', 'web')] } }] }, annotations);

  beforeAll(async () => {
    secure = await selfSignedServingCert({ subject: 'CN=secure.example', dnsNames: ['secure.example'], days: 1 });
  });

  function httpsGet(host: string, ca: string, servername = host): Promise<Reply & { cn: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ host: ADDR, port: server.httpsPort, path: '/', headers: { Host: host }, servername, ca, checkServerIdentity: () => undefined }, (res) => {
        const cn = String((res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN ?? '');
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), cn }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('serves the Secret named for the host by SNI, the default certificate otherwise, and X-Forwarded-Proto https', async () => {
    const web = await backend('127.93.8.1', 'web');
    const ing = tlsIngress();
    server.setConfig(config([ing], { 'default/web:80': [web.ep] }));
    certs.update([ing], new Map([['default/secure-tls', secret(secure)]]));
    const r = await httpsGet('secure.example', secure.certPem);
    expect(r).toMatchObject({ status: 200, body: 'web GET /', cn: 'secure.example' });
    expect(web.seen.at(-1)!.headers['x-forwarded-proto']).toBe('https');
    expect((await httpsGet('plain.example', defaultCert.certPem)).cn).toBe('TinyKube Ingress Controller Fake Certificate');
  });

  it('picks up a changed Secret at the next handshake (an RSA key after an ECDSA one)', async () => {
    const web = await backend('127.93.8.2', 'web');
    const ing = tlsIngress();
    server.setConfig(config([ing], { 'default/web:80': [web.ep] }));
    certs.update([ing], new Map([['default/secure-tls', secret(secure)]]));
    const renewed = await selfSignedServingCert({ subject: 'CN=secure.example renewed', dnsNames: ['secure.example'], days: 1, rsa: true });
    certs.update([ing], new Map([['default/secure-tls', secret(renewed)]]));
    expect((await httpsGet('secure.example', renewed.certPem)).cn).toBe('secure.example renewed');
  });

  it('reports a Secret that does not hold a certificate for the host, and serves the default certificate', async () => {
    const other = await selfSignedServingCert({ subject: 'CN=other.example', dnsNames: ['other.example'], days: 1 });
    const problems: string[] = [];
    certs.update([tlsIngress()], new Map([['default/secure-tls', secret(other)]]), (_i, p) => problems.push(p));
    expect(problems).toEqual(['the certificate in secret default/secure-tls is not valid for host secure.example; serving the default certificate for it']);
    certs.update([tlsIngress()], new Map(), (_i, p) => problems.push(p));
    expect(problems.at(-1)).toBe('secret default/secure-tls not found');
    const cn = await new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: ADDR, port: server.httpsPort, servername: 'secure.example', rejectUnauthorized: false }, () => {
        resolve(String(s.getPeerCertificate().subject?.CN ?? ''));
        s.end();
      });
      s.on('error', reject);
    });
    expect(cn).toBe('TinyKube Ingress Controller Fake Certificate');
  });

  it('redirects HTTP to HTTPS with 308 for hosts with TLS, unless ssl-redirect is false; force-ssl-redirect without TLS', async () => {
    const web = await backend('127.93.8.3', 'web');
    server.setConfig(config([tlsIngress()], { 'default/web:80': [web.ep] }));
    const r = await get(server.httpPort, '/path?q=1', { host: 'secure.example' });
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe(`https://secure.example:${server.httpsPort}/path?q=1`);
    expect((await get(server.httpPort, '/', { host: 'plain.example' })).status).toBe(200);
    server.setConfig(config([tlsIngress({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' })], { 'default/web:80': [web.ep] }));
    expect((await get(server.httpPort, '/', { host: 'secure.example' })).status).toBe(200);
    server.setConfig(config([tlsIngress({ 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' })], { 'default/web:80': [web.ep] }));
    expect((await get(server.httpPort, '/', { host: 'plain.example' })).status).toBe(308);
  });
});

describe('upgrades', () => {
  it('carries a WebSocket to the endpoint, with the forwarded headers', async () => {
    const http = createHttpServer();
    const wss = new WebSocketServer({ server: http });
    let seenHeaders: IncomingHttpHeaders = {};
    wss.on('connection', (ws, req) => {
      seenHeaders = req.headers;
      ws.send('hello');
      ws.on('message', (m, isBinary) => ws.send(m, { binary: isBinary }));
    });
    await new Promise<void>((r) => http.listen(0, '127.93.9.1', () => r()));
    const ep = { ip: '127.93.9.1', port: (http.address() as { port: number }).port };
    server.setConfig(config([ingress('ws', { rules: [{ host: 'ws.example', http: { paths: [prefix('/socket', 'ws')] } }] })], { 'default/ws:80': [ep] }));
    const ws = new WebSocket(`ws://${ADDR}:${server.httpPort}/socket/chat`, { headers: { Host: 'ws.example' } });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (m) => {
        got.push(m.toString());
        if (got.length === 1) ws.send('echo me');
        else resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    expect(got).toEqual(['hello', 'echo me']);
    expect(seenHeaders['x-forwarded-for']).toBe('127.0.0.1');
    expect(seenHeaders['x-forwarded-host']).toBe('ws.example');
    expect(seenHeaders.upgrade).toBe('websocket');
    wss.close();
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
  });

  it('answers an upgrade that matches nothing with 404', async () => {
    server.setConfig(config([], {}));
    const ws = new WebSocket(`ws://${ADDR}:${server.httpPort}/`, { headers: { Host: 'none.example' } });
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
  });
});
