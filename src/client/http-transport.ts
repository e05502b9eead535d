// The Transport over node:http(s): JSON requests on a keep-alive pool, watches on a pool of
// their own so that long-lived streams never take the sockets that short requests queue for.

import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { apiErrorFromResponse } from './errors.js';
import { JsonLinesDecoder } from './json-lines.js';
import type { StreamHandle, StreamSink, Transport, TransportRequest, TransportResponse } from './transport.js';

export interface HttpTransportOptions {
  /** https://host:port, optionally with a path prefix (kept in front of every API path). */
  server: string;
  /** Bearer token. */
  token?: string;
  /** A file holding the bearer token; re-read each minute so rotated tokens are picked up. */
  tokenFile?: string;
  /** HTTP basic auth (kubeconfig username/password). */
  username?: string;
  password?: string;
  /** PEM: the CA bundle that signs the server's certificate. */
  ca?: string | Buffer;
  /** PEM: client certificate and key for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Skip server certificate verification (kubeconfig insecure-skip-tls-verify). */
  insecure?: boolean;
  /** Name to verify the server certificate against, when it differs from the URL's host. */
  tlsServerName?: string;
  userAgent?: string;
  /** Fail a non-streaming request whose connection stays silent this long. Default 60 s. */
  timeoutMs?: number;
  /** Concurrent sockets for non-streaming requests. Default 64. */
  maxSockets?: number;
  /** Largest single watch event accepted. */
  maxEventBytes?: number;
}

const TOKEN_FILE_TTL_MS = 60_000;

export class HttpTransport implements Transport {
  private readonly base: URL;
  private readonly lib: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly streamAgent: http.Agent;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private tokenCache?: { value: string; readAt: number };

  constructor(private readonly opts: HttpTransportOptions) {
    let base: URL;
    try {
      base = new URL(opts.server);
    } catch {
      throw new TypeError(`server ${JSON.stringify(opts.server)} is not a URL (want https://host:port)`);
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new TypeError(`server ${opts.server}: scheme must be https or http`);
    }
    this.base = base;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.userAgent = opts.userAgent ?? 'tinykube-client/0.1';
    const pool = { keepAlive: true, keepAliveMsecs: 30_000 };
    if (base.protocol === 'https:') {
      const tls: https.AgentOptions = {
        ...pool,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        rejectUnauthorized: !opts.insecure,
        servername: opts.tlsServerName,
      };
      this.lib = https;
      this.agent = new https.Agent({ ...tls, maxSockets: opts.maxSockets ?? 64 });
      this.streamAgent = new https.Agent(tls);
    } else {
      this.lib = http;
      this.agent = new http.Agent({ ...pool, maxSockets: opts.maxSockets ?? 64 });
      this.streamAgent = new http.Agent(pool);
    }
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    return this.send(req, body, true);
  }

  private send(req: TransportRequest, body: Buffer | undefined, mayRetry: boolean): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const what = `${req.method} ${req.path}`;
      const r = this.lib.request(
        this.url(req),
        { method: req.method, agent: this.agent, headers: this.headers(req, body), signal: req.signal },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('close', () => {
            if (!res.complete) reject(new Error(`${what}: connection lost before the answer was complete`));
          });
          res.on('end', () => {
            const code = res.statusCode ?? 0;
            const raw = Buffer.concat(chunks).toString('utf8');
            const parsed = parseBody(raw, res.headers['content-type']);
            if (code < 200 || code > 299) {
              reject(apiErrorFromResponse(code, parsed, what, header(res.headers['retry-after'])));
            } else if (typeof parsed === 'string') {
              reject(new Error(`${what}: expected a JSON answer, got ${res.headers['content-type'] ?? 'no content type'}`));
            } else {
              resolve({ code, body: parsed });
            }
          });
        },
      );
      r.setTimeout(this.timeoutMs, () => r.destroy(new Error(`${what}: no answer within ${this.timeoutMs} ms`)));
      r.on('error', (err: NodeJS.ErrnoException) => {
        // A pooled socket the server closed just as we reused it: the request never reached
        // the server, so sending it once more on a fresh socket is safe (Node's documented remedy).
        if (mayRetry && r.reusedSocket && err.code === 'ECONNRESET') resolve(this.send(req, body, false));
        else reject(err);
      });
      r.end(body);
    });
  }

  stream(req: TransportRequest, sink: StreamSink): StreamHandle {
    const what = `${req.method} ${req.path}`;
    const decoder = new JsonLinesDecoder(this.opts.maxEventBytes);
    let closed = false;
    const close = (err?: Error): void => {
      if (closed) return;
      closed = true;
      sink.onClose(err);
    };
    const r = this.lib.request(
      this.url(req),
      { method: req.method, agent: this.streamAgent, headers: this.headers(req, undefined), signal: req.signal },
      (res) => {
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => close(e));
          res.on('end', () => {
            const parsed = parseBody(Buffer.concat(chunks).toString('utf8'), res.headers['content-type']);
            close(apiErrorFromResponse(code, parsed, what, header(res.headers['retry-after'])));
          });
          return;
        }
        sink.onOpen?.();
        const deliver = (values: unknown[]): void => {
          for (const v of values) {
            if (closed) return;
            sink.onValue(v);
          }
        };
        res.on('data', (chunk: Buffer) => {
          if (closed) return;
          try {
            deliver(decoder.push(chunk));
          } catch (err) {
            close(err as Error);
            r.destroy();
          }
        });
        res.on('end', () => {
          try {
            deliver(decoder.end());
            close();
          } catch (err) {
            close(err as Error);
          }
        });
        res.on('error', (e) => close(e));
        // A connection cut mid-body: 'end' never comes; say so instead of closing quietly.
        res.on('close', () => {
          if (!res.complete) close(new Error(`${what}: connection lost`));
        });
      },
    );
    r.on('error', (e) => close(e));
    r.end();
    return {
      stop: () => {
        close();
        r.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
    this.streamAgent.destroy();
  }

  private url(req: TransportRequest): URL {
    const url = new URL(this.base.href);
    url.pathname = this.base.pathname.replace(/\/+$/, '') + req.path;
    url.search = req.query ? req.query.toString() : '';
    return url;
  }

  private headers(req: TransportRequest, body: Buffer | undefined): http.OutgoingHttpHeaders {
    const h: http.OutgoingHttpHeaders = { accept: 'application/json', 'user-agent': this.userAgent };
    if (body !== undefined) {
      h['content-type'] = req.contentType ?? 'application/json';
      h['content-length'] = body.length;
    }
    const token = this.bearerToken();
    if (token) h['authorization'] = `Bearer ${token}`;
    else if (this.opts.username !== undefined) {
      const basic = Buffer.from(`${this.opts.username}:${this.opts.password ?? ''}`).toString('base64');
      h['authorization'] = `Basic ${basic}`;
    }
    return h;
  }

  private bearerToken(): string | undefined {
    if (this.opts.token) return this.opts.token;
    const file = this.opts.tokenFile;
    if (!file) return undefined;
    const now = Date.now();
    if (!this.tokenCache || now - this.tokenCache.readAt > TOKEN_FILE_TTL_MS) {
      // Sync read: a few bytes, at most once a minute; an unreadable file must fail loudly.
      this.tokenCache = { value: readFileSync(file, 'utf8').trim(), readAt: now };
    }
    return this.tokenCache.value;
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** JSON when it parses, the text otherwise (error pages from proxies), undefined when empty. */
function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw.trim() === '') return undefined;
  const looksJson = contentType === undefined || contentType.includes('json') || /^\s*[[{]/.test(raw);
  if (!looksJson) return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
