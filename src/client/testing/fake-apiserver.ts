// A small, controllable API server for ConfigMaps over plain HTTP, for the client's unit tests:
// list with pagination, watch with replay, bookmarks and 410 after compaction, CRUD with the
// real error Statuses. Tests drive the failures the real server only shows under load: a watch
// cut mid-stream, an ERROR 410 event, changes missed while disconnected.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject, Status, StatusCause } from '../../api/types.js';

export interface RequestRecord {
  method: string;
  path: string;
  query: URLSearchParams;
}

interface Watcher {
  res: http.ServerResponse;
  namespace?: string;
  bookmarks: boolean;
}

interface LogEntry {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

const COLLECTION = /^\/api\/v1(?:\/namespaces\/([^/]+))?\/configmaps$/;
const ITEM = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/;

export class FakeApiServer {
  readonly requests: RequestRecord[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private log: LogEntry[] = [];
  private rv = 100;
  private compactedRv = 0;
  private watchers = new Set<Watcher>();
  private server: http.Server | undefined;
  private port = 0;
  /** Split every watch event write into pieces of this many bytes (adversarial framing). */
  chunkBytes = 0;
  /** Answer every request with this HTTP code (e.g. 503) while set. */
  failWith: number | undefined;
  /** Answer watch requests (only) with this HTTP code while set, e.g. 410. */
  failWatchesWith: number | undefined;
  /** End every watch right after its replay, as a misbehaving server might. */
  closeWatchesAtOnce = false;

  constructor(private readonly token?: string) {}

  async start(port = 0): Promise<string> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Close the listener and every connection (clients then see connection refused). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    this.dropWatches();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Come back on the same port after stop(). */
  async restart(): Promise<void> {
    await this.start(this.port);
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  watchRequests(): RequestRecord[] {
    return this.requests.filter((r) => r.query.get('watch') === 'true');
  }

  /** Create or replace an object, recording and broadcasting the event. */
  put(obj: KubeObject): KubeObject {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const existed = this.objects.has(key);
    const stored = this.write(key, obj);
    this.emit({ rv: this.rv, type: existed ? 'MODIFIED' : 'ADDED', object: stored });
    return stored;
  }

  remove(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const old = this.objects.get(key);
    if (!old) return;
    this.objects.delete(key);
    this.rv++;
    this.emit({ rv: this.rv, type: 'DELETED', object: { ...old, metadata: { ...old.metadata, resourceVersion: String(this.rv) } } });
  }

  /** Change state with no event reaching anyone: what a client misses while disconnected. */
  silently(fn: () => void): void {
    const watchers = this.watchers;
    this.watchers = new Set();
    try {
      fn();
    } finally {
      this.watchers = watchers;
    }
  }

  /** Forget the event log: watches from older versions now get 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.log = [];
  }

  /** Send every open watch an ERROR 410 Expired event and end it, as after compaction. */
  expireWatches(): void {
    for (const w of this.watchers) {
      this.send(w, { type: 'ERROR', object: expired(this.compactedRv) });
      w.res.end();
    }
    this.watchers.clear();
  }

  /** End every watch cleanly (as timeoutSeconds would). */
  endWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Cut every watch connection mid-stream. */
  dropWatches(): void {
    for (const w of this.watchers) w.res.socket?.destroy();
    this.watchers.clear();
  }

  /** A BOOKMARK carrying the current version to watches that allowed them. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) this.send(w, { type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: this.resourceVersion } } });
    }
  }

  /** Advance the version without touching ConfigMaps (other resources' writes). */
  bumpVersion(by = 1): void {
    this.rv += by;
  }

  private write(key: string, obj: KubeObject): KubeObject {
    this.rv++;
    const prev = this.objects.get(key);
    const stored: KubeObject = {
      ...obj,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        ...obj.metadata,
        uid: prev?.metadata.uid ?? `uid-${this.rv}`,
        resourceVersion: String(this.rv),
        creationTimestamp: prev?.metadata.creationTimestamp ?? new Date().toISOString(),
      },
    };
    this.objects.set(key, stored);
    return stored;
  }

  private emit(e: LogEntry): void {
    this.log.push(e);
    for (const w of this.watchers) if (!w.namespace || w.namespace === e.object.metadata.namespace) this.send(w, e);
  }

  private send(w: Watcher, e: { type: string; object: unknown }): void {
    const bytes = Buffer.from(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    if (this.chunkBytes <= 0) {
      w.res.write(bytes);
      return;
    }
    for (let i = 0; i < bytes.length; i += this.chunkBytes) w.res.write(bytes.subarray(i, i + this.chunkBytes));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: url.searchParams });
    if (this.token && req.headers.authorization !== `Bearer ${this.token}`) return reply(res, failure(401, 'Unauthorized', 'Unauthorized'));
    if (this.failWith !== undefined) return reply(res, failure(this.failWith, 'ServiceUnavailable', 'try later'));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text ? JSON.parse(text) : undefined;
      const col = COLLECTION.exec(url.pathname);
      const item = ITEM.exec(url.pathname);
      if (col && method === 'GET') {
        if (url.searchParams.get('watch') === 'true') return this.watch(res, col[1], url.searchParams);
        return this.list(res, col[1], url.searchParams);
      }
      if (col && method === 'POST' && col[1]) return this.create(res, col[1], body as KubeObject);
      if (item) return this.item(res, method, decodeURIComponent(item[1] ?? ''), decodeURIComponent(item[2] ?? ''), body);
      reply(res, failure(404, 'NotFound', 'the server could not find the requested resource'));
    });
  }

  private list(res: http.ServerResponse, ns: string | undefined, q: URLSearchParams): void {
    const token = q.get('continue');
    let after = '';
    let listRv = this.rv;
    if (token) {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { rv: number; after: string };
      if (parsed.rv < this.compactedRv) return reply(res, failure(410, 'Expired', 'The provided continue parameter is too old'));
      after = parsed.after;
      listRv = parsed.rv;
    }
    const keys = [...this.objects.keys()].filter((k) => (!ns || k.startsWith(`${ns}/`)) && k > after).sort();
    const limit = Number(q.get('limit') ?? 0);
    const page = limit > 0 ? keys.slice(0, limit) : keys;
    const more = page.length < keys.length;
    const metadata: Record<string, string> = { resourceVersion: String(listRv) };
    if (more) metadata['continue'] = Buffer.from(JSON.stringify({ rv: listRv, after: page[page.length - 1] })).toString('base64');
    reply(res, { code: 200, body: { kind: 'ConfigMapList', apiVersion: 'v1', metadata, items: page.map((k) => this.objects.get(k)) } });
  }

  private watch(res: http.ServerResponse, ns: string | undefined, q: URLSearchParams): void {
    if (this.failWatchesWith !== undefined) {
      const code = this.failWatchesWith;
      return reply(res, failure(code, code === 410 ? 'Expired' : 'InternalError', `watch refused with ${code}`));
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: Watcher = { res, namespace: ns, bookmarks: q.get('allowWatchBookmarks') === 'true' };
    const from = q.get('resourceVersion');
    if (from === null || from === '' || from === '0') {
      for (const obj of this.objects.values()) if (!ns || obj.metadata.namespace === ns) this.send(w, { type: 'ADDED', object: obj });
    } else if (Number(from) < this.compactedRv) {
      this.send(w, { type: 'ERROR', object: expired(Number(from)) });
      res.end();
      return;
    } else {
      for (const e of this.log) if (e.rv > Number(from) && (!ns || e.object.metadata.namespace === ns)) this.send(w, e);
    }
    if (this.closeWatchesAtOnce) {
      res.end();
      return;
    }
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }

  private create(res: http.ServerResponse, ns: string, obj: KubeObject): void {
    const name = obj.metadata?.name;
    if (!name) {
      return reply(res, failure(422, 'Invalid', 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required', [
        { reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' },
      ]));
    }
    if (this.objects.has(`${ns}/${name}`)) return reply(res, failure(409, 'AlreadyExists', `configmaps "${name}" already exists`));
    const stored = this.put({ ...obj, metadata: { ...obj.metadata, namespace: ns } });
    reply(res, { code: 201, body: stored });
  }

  private item(res: http.ServerResponse, method: string, ns: string, name: string, body: unknown): void {
    const key = `${ns}/${name}`;
    const current = this.objects.get(key);
    if (!current) return reply(res, failure(404, 'NotFound', `configmaps "${name}" not found`));
    if (method === 'GET') return reply(res, { code: 200, body: current });
    if (method === 'DELETE') {
      this.remove(ns, name);
      return reply(res, { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200, details: { name, kind: 'configmaps' } } });
    }
    const obj = body as KubeObject;
    if (method === 'PUT') {
      const rv = obj.metadata.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) {
        return reply(res, failure(409, 'Conflict', `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`));
      }
      return reply(res, { code: 200, body: this.put({ ...obj, metadata: { ...obj.metadata, namespace: ns, name } }) });
    }
    if (method === 'PATCH') {
      const patch = body as Record<string, unknown>;
      const data = { ...(current['data'] as Record<string, string> | undefined), ...(patch['data'] as Record<string, string> | undefined) };
      return reply(res, { code: 200, body: this.put({ ...current, data }) });
    }
    reply(res, failure(405, 'MethodNotAllowed', `${method} is not supported`));
  }
}

function reply(res: http.ServerResponse, r: { code: number; body: unknown }): void {
  res.writeHead(r.code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(r.body));
}

function failure(code: number, reason: string, message: string, causes?: StatusCause[]): { code: number; body: Status } {
  const body: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message };
  if (causes) body.details = { causes };
  return { code, body };
}

function expired(rv: number): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 410, reason: 'Expired', message: `too old resource version: ${rv}` };
}

export function configMap(namespace: string, name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name }, data };
}
