// The ingress data plane: HTTP and HTTPS listeners on the node addresses that route each request
// by the current RouteTable straight to a ready endpoint of the backend Service, over a keep-alive
// pool, as ingress-nginx does:
// - X-Forwarded-For (appended), X-Forwarded-Host/-Port/-Proto and X-Real-IP to the backend;
//   hop-by-hop headers stay on their hop;
// - 404 when nothing matches, 503 when the backend has no ready endpoint, 502 when it cannot be
//   reached, 504 on a connect or read timeout, 413 over the body limit, 308 to HTTPS for
//   ssl-redirect; error pages look like nginx's;
// - a failed connect goes to another endpoint before any byte of the request was sent;
// - Upgrade requests (WebSocket) are spliced to the endpoint once routed.
// A new configuration is a new object swapped in whole: requests in flight keep theirs.
import { Agent, createServer as createHttpServer, request, STATUS_CODES, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { normalizeHost, RouteTable, type Route } from './routes.js';
import type { CertPair, CertStore } from './tls.js';
import type { Endpoint, Upstream } from './upstreams.js';

export interface IngressConfig {
  table: RouteTable;
  /** The upstream of a route with a Service backend. */
  upstream(route: Route): Upstream | undefined;
}

export const EMPTY_CONFIG: IngressConfig = { table: RouteTable.EMPTY, upstream: () => undefined };

export interface IngressServerOptions {
  addresses: string[];
  /** 0 picks a free port (the same one on every address). */
  httpPort: number;
  httpsPort: number;
  certs: CertStore;
  defaultCert: CertPair;
  log: (msg: string) => void;
}

export interface ListenFailure {
  scheme: 'http' | 'https';
  address: string;
  port: number;
  code: string;
  message: string;
}

export interface IngressCounters {
  requests: number;
  /** Responses by status class made here (not the backend's): 404, 503... */
  errors: Record<number, number>;
  upgrades: number;
}

type Scheme = 'http' | 'https';

/** Request headers that belong to one hop (RFC 9110 7.6.1), and ours to set. */
const DROP_REQUEST = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto', 'x-real-ip']);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'trailer']);

export class IngressServer {
  private config: IngressConfig = EMPTY_CONFIG;
  /** One HTTP and one HTTPS server per address. */
  private readonly servers: (HttpServer | HttpsServer)[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, timeout: 60_000, scheduling: 'lifo' });
  private readonly upgraded = new Set<Duplex>();
  readonly counters: IngressCounters = { requests: 0, errors: {}, upgrades: 0 };
  /** The bound ports (after listen). */
  httpPort = 0;
  httpsPort = 0;

  constructor(private readonly opts: IngressServerOptions) {}

  private serverFor(scheme: Scheme): HttpServer | HttpsServer {
    const s =
      scheme === 'http'
        ? createHttpServer({ noDelay: true }, (req, res) => this.handle(req, res, 'http'))
        : createHttpsServer({ noDelay: true, cert: this.opts.defaultCert.certPem, key: this.opts.defaultCert.keyPem, SNICallback: this.opts.certs.sni, ALPNProtocols: ['http/1.1'] }, (req, res) => this.handle(req, res, 'https'));
    // nginx: keepalive_timeout 75s, client_header_timeout 60s.
    s.keepAliveTimeout = 75_000;
    s.headersTimeout = 60_000;
    s.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head, scheme));
    s.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
      socket.end(rawResponse(err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400));
    });
    if (scheme === 'https') s.on('tlsClientError', () => undefined); // a failed handshake is the client's business
    return s;
  }

  /** Swaps in a new configuration; requests already routed keep their upstream. */
  setConfig(config: IngressConfig): void {
    this.config = config;
  }

  /** Binds every address; what cannot be bound is returned (the rest serve). */
  async listen(): Promise<ListenFailure[]> {
    const failures: ListenFailure[] = [];
    for (const [scheme, want] of [['http', this.opts.httpPort], ['https', this.opts.httpsPort]] as const) {
      let port = want;
      for (const address of this.opts.addresses) {
        const server = this.serverFor(scheme);
        try {
          await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen({ host: address, port, backlog: 1024 }, () => {
              server.off('error', reject);
              resolve();
            });
          });
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          failures.push({ scheme, address, port, code: err.code ?? 'ERROR', message: err.message });
          continue;
        }
        this.servers.push(server);
        if (port === 0) port = (server.address() as { port: number }).port;
      }
      if (scheme === 'http') this.httpPort = port;
      else this.httpsPort = port;
    }
    return failures;
  }

  /** Stops listening and closes every connection (requests in flight are cut). */
  async close(): Promise<void> {
    const closed = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    for (const s of this.servers) s.closeAllConnections();
    this.servers.length = 0;
    for (const u of this.upgraded) u.destroy();
    this.agent.destroy();
    await Promise.all(closed);
  }

  private fail(res: ServerResponse, status: number, extra?: Record<string, string>): void {
    this.counters.errors[status] = (this.counters.errors[status] ?? 0) + 1;
    const body = errorPage(status);
    res.writeHead(status, reason(status), { 'Content-Type': 'text/html', 'Content-Length': String(Buffer.byteLength(body)), ...extra });
    res.end(body);
  }

  private handle(req: IncomingMessage, res: ServerResponse, scheme: Scheme): void {
    this.counters.requests++;
    const config = this.config;
    const url = req.url ?? '/';
    const route = routeOf(config.table, req, url);
    if (!route) return this.fail(res, 404);
    if (scheme === 'http' && redirects(route)) return this.redirect(req, res, url);
    const up = config.upstream(route);
    if (!up || up.endpoints.length === 0) {
      this.opts.log(`ingress: 503 for ${normalizeHost(req.headers.host)}${url} (${route.ingress}): ${up ? up.why : 'the backend is not a Service'}`);
      return this.fail(res, 503);
    }
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > route.options.bodyLimit) {
      res.shouldKeepAlive = false;
      return this.fail(res, 413, { Connection: 'close' });
    }
    const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
    res.sendDate = false;
    this.forward(req, res, scheme, route, up, hasBody, new Set(), 0);
  }

  private redirect(req: IncomingMessage, res: ServerResponse, url: string): void {
    const host = normalizeHost(req.headers.host);
    const port = this.httpsPort === 443 ? '' : `:${this.httpsPort}`;
    const body = errorPage(308);
    res.writeHead(308, reason(308), { Location: `https://${host}${port}${url}`, 'Content-Type': 'text/html', 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  private forward(req: IncomingMessage, res: ServerResponse, scheme: Scheme, route: Route, up: Upstream, hasBody: boolean, tried: Set<Endpoint>, attempt: number): void {
    const ep = up.pick(tried);
    if (!ep) return this.fail(res, 502);
    const localPort = req.socket.localPort ?? 0;
    const preq = request({ host: ep.ip, port: ep.port, method: req.method, path: req.url, headers: forwardedHeaders(req, scheme, localPort, false), agent: this.agent, setHost: false });
    let done = false;
    let connectTimer: NodeJS.Timeout | undefined;
    const { connectTimeoutMs, readTimeoutMs, bodyLimit } = route.options;
    preq.on('socket', (s: Socket) => {
      if (!s.connecting) return;
      s.setNoDelay(true);
      connectTimer = setTimeout(() => preq.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT_CONNECT' })), connectTimeoutMs);
      s.once('connect', () => clearTimeout(connectTimer));
    });
    preq.setTimeout(readTimeoutMs, () => preq.destroy(Object.assign(new Error('read timed out'), { code: 'ETIMEDOUT_READ' })));
    preq.on('response', (pres) => {
      clearTimeout(connectTimer);
      res.writeHead(pres.statusCode ?? 502, pres.statusMessage, responseHeaders(pres.rawHeaders));
      pres.pipe(res);
      pres.on('error', () => res.destroy());
      pres.on('aborted', () => res.destroy());
    });
    preq.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      if (done) return;
      done = true;
      if (res.headersSent) return void res.destroy();
      // A pooled connection the backend had just closed: the request never reached it.
      const stale = preq.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      const refused = err.code === 'ECONNREFUSED' || err.code === 'EHOSTUNREACH' || err.code === 'ETIMEDOUT_CONNECT';
      if (!hasBody && attempt < 3 && (stale || refused)) {
        if (refused) tried.add(ep);
        if (stale || up.pick(tried)) return this.forward(req, res, scheme, route, up, hasBody, tried, attempt + 1);
      }
      this.opts.log(`ingress: ${err.code === 'ETIMEDOUT_READ' || err.code === 'ETIMEDOUT_CONNECT' ? 504 : 502} for ${req.url ?? '/'} to ${ep.ip}:${ep.port} (${route.ingress}): ${err.message}`);
      this.fail(res, err.code === 'ETIMEDOUT_READ' || err.code === 'ETIMEDOUT_CONNECT' ? 504 : 502);
    });
    res.on('close', () => {
      if (!res.writableFinished) preq.destroy();
    });
    if (!hasBody) return void preq.end();
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > bodyLimit && !done) {
        done = true;
        preq.destroy();
        res.shouldKeepAlive = false;
        this.fail(res, 413, { Connection: 'close' });
      }
    });
    req.pipe(preq);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, scheme: Scheme): void {
    this.counters.requests++;
    const config = this.config;
    const url = req.url ?? '/';
    const route = routeOf(config.table, req, url);
    const reject = (status: number, extra = ''): void => {
      this.counters.errors[status] = (this.counters.errors[status] ?? 0) + 1;
      socket.end(rawResponse(status, extra));
    };
    if (!route) return reject(404);
    if (scheme === 'http' && redirects(route)) {
      const port = this.httpsPort === 443 ? '' : `:${this.httpsPort}`;
      return reject(308, `Location: https://${normalizeHost(req.headers.host)}${port}${url}\r\n`);
    }
    const up = config.upstream(route);
    if (!up || up.endpoints.length === 0) return reject(503);
    const tried = new Set<Endpoint>();
    const attempt = (): void => {
      const ep = up.pick(tried);
      if (!ep) return reject(502);
      tried.add(ep);
      const upstream = connect({ host: ep.ip, port: ep.port });
      const timer = setTimeout(() => upstream.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })), route.options.connectTimeoutMs);
      upstream.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (upstream.connecting || upstream.bytesWritten === 0) return attempt();
        socket.destroy();
        void err;
      });
      upstream.once('connect', () => {
        clearTimeout(timer);
        this.counters.upgrades++;
        upstream.setNoDelay(true);
        upstream.write(requestHead(req, forwardedHeaders(req, scheme, req.socket.localPort ?? 0, true)));
        if (head.length > 0) upstream.write(head);
        this.upgraded.add(socket);
        const done = (): void => {
          this.upgraded.delete(socket);
          socket.destroy();
          upstream.destroy();
        };
        // nginx's proxy_read_timeout holds for upgraded connections too: idle that long, they close.
        upstream.setTimeout(route.options.readTimeoutMs, done);
        socket.on('error', done);
        upstream.on('error', done);
        socket.on('close', done);
        upstream.on('close', done);
        socket.pipe(upstream);
        upstream.pipe(socket);
      });
    };
    attempt();
  }
}

function routeOf(table: RouteTable, req: IncomingMessage, url: string): Route | undefined {
  const q = url.indexOf('?');
  return table.match(normalizeHost(req.headers.host), q < 0 ? url : url.slice(0, q));
}

function redirects(route: Route): boolean {
  return route.options.forceSslRedirect || (route.options.sslRedirect && route.tls);
}

/** The client's headers for the backend, flat [name, value, ...], with the X-Forwarded set. */
function forwardedHeaders(req: IncomingMessage, scheme: Scheme, localPort: number, upgrade: boolean): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  const connectionTokens = new Set((req.headers.connection ?? '').toLowerCase().split(',').map((t) => t.trim()));
  let forwardedFor: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? raw[i + 1]! : `${forwardedFor}, ${raw[i + 1]!}`;
      continue;
    }
    if (DROP_REQUEST.has(lower) || connectionTokens.has(lower)) {
      if (upgrade && (lower === 'connection' || lower === 'upgrade')) out.push(name, raw[i + 1]!);
      continue;
    }
    out.push(name, raw[i + 1]!);
  }
  const client = req.socket.remoteAddress ?? '';
  out.push('X-Forwarded-For', forwardedFor ? `${forwardedFor}, ${client}` : client);
  out.push('X-Forwarded-Host', req.headers.host ?? '');
  out.push('X-Forwarded-Port', String(localPort));
  out.push('X-Forwarded-Proto', scheme);
  out.push('X-Real-IP', client);
  return out;
}

function responseHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!DROP_RESPONSE.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

function requestHead(req: IncomingMessage, headers: string[]): string {
  let s = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) s += `${headers[i]!}: ${headers[i + 1]!}\r\n`;
  return `${s}\r\n`;
}

/** Status lines as nginx words them where it differs from Node's. */
const REASONS: Record<number, string> = { 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out', 413: 'Request Entity Too Large' };

function reason(status: number): string {
  return REASONS[status] ?? STATUS_CODES[status] ?? 'Error';
}

/** An error page in nginx's shape. */
export function errorPage(status: number): string {
  const title = `${status} ${reason(status)}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>tinykube</center>\r\n</body>\r\n</html>\r\n`;
}

function rawResponse(status: number, extraHeaders = ''): string {
  const body = errorPage(status);
  return `HTTP/1.1 ${status} ${reason(status)}\r\n${extraHeaders}Content-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
