import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { KubeClient } from './client.js';
import { ApiError, isAlreadyExists, isConflict, isGone, isInvalid, isNotFound, isStatus } from './errors.js';
import { resourcePath, resourceRef } from './resource.js';
import { FakeApiServer, configMap } from './testing/fake-apiserver.js';
import type { WatchEvent } from './watch-event.js';

const CM = resourceRef('', 'v1', 'configmaps');

describe('resourcePath', () => {
  const cases: { res: ReturnType<typeof resourceRef>; parts: Parameters<typeof resourcePath>[1]; path: string }[] = [
    { res: CM, parts: {}, path: '/api/v1/configmaps' },
    { res: CM, parts: { namespace: 'ns' }, path: '/api/v1/namespaces/ns/configmaps' },
    { res: CM, parts: { namespace: 'ns', name: 'a b' }, path: '/api/v1/namespaces/ns/configmaps/a%20b' },
    { res: resourceRef('apps', 'v1', 'deployments'), parts: { namespace: 'd', name: 'web', subresource: 'scale' }, path: '/apis/apps/v1/namespaces/d/deployments/web/scale' },
    { res: resourceRef('', 'v1', 'nodes', false), parts: { namespace: 'ignored', name: 'n1', subresource: 'status' }, path: '/api/v1/nodes/n1/status' },
  ];
  for (const c of cases) it(c.path, () => expect(resourcePath(c.res, c.parts)).toBe(c.path));
});

describe('KubeClient against a fake API server', () => {
  const server = new FakeApiServer('t0ken');
  let client: KubeClient;
  beforeAll(async () => {
    client = new KubeClient({ server: await server.start(), token: 't0ken' });
  });
  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('creates, gets, updates, patches, lists and deletes', async () => {
    const created = await client.create(CM, configMap('default', 'crud', { a: '1' }));
    expect(created.metadata.resourceVersion).toBeTruthy();
    const got = await client.get(CM, 'crud', 'default');
    expect(got['data']).toEqual({ a: '1' });
    const updated = await client.update(CM, { ...got, data: { a: '2' } });
    expect(updated['data']).toEqual({ a: '2' });
    const patched = await client.patch(CM, 'crud', { data: { b: '3' } }, 'merge', { namespace: 'default' });
    expect(patched['data']).toEqual({ a: '2', b: '3' });
    const patchReq = server.requests.at(-1);
    expect(patchReq?.method).toBe('PATCH');
    const list = await client.list(CM, { namespace: 'default' });
    expect(list.items.map((i) => i.metadata.name)).toContain('crud');
    const gone = await client.delete(CM, 'crud', { namespace: 'default', propagationPolicy: 'Background' });
    expect(isStatus(gone) && gone.status).toBe('Success');
  });

  it('throws typed errors carrying the Status: 404, 409 AlreadyExists, 409 Conflict, 422', async () => {
    const err404 = await client.get(CM, 'nope', 'default').catch((e: unknown) => e);
    expect(err404).toBeInstanceOf(ApiError);
    expect(isNotFound(err404)).toBe(true);
    expect((err404 as ApiError).message).toBe('configmaps "nope" not found');
    expect((err404 as ApiError).reason).toBe('NotFound');

    const first = await client.create(CM, configMap('default', 'dup'));
    const err409 = await client.create(CM, configMap('default', 'dup')).catch((e: unknown) => e);
    expect(isAlreadyExists(err409)).toBe(true);
    expect(isConflict(err409)).toBe(false);

    await client.update(CM, { ...first, data: { x: 'y' } });
    const stale = await client.update(CM, { ...first, data: { x: 'z' } }).catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    expect((stale as ApiError).code).toBe(409);

    const invalid = await client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } }).catch((e: unknown) => e);
    expect(isInvalid(invalid)).toBe(true);
    expect((invalid as ApiError).details?.causes?.[0]?.field).toBe('metadata.name');
  });

  it('refuses caller mistakes before sending anything', async () => {
    await expect(client.get(CM, 'x')).rejects.toThrow(/configmaps is namespaced/);
    await expect(client.update(CM, configMap('default', ''))).rejects.toThrow(/metadata.name is required/);
    await expect(client.patch(CM, 'x', { a: 1 }, 'json', { namespace: 'd' })).rejects.toThrow(/array of operations/);
    await expect(client.patch(CM, 'x', { a: 1 }, 'apply', { namespace: 'd' })).rejects.toThrow(/fieldManager/);
  });

  it('reports a wrong token as 401', async () => {
    const bad = new KubeClient({ server: server.url, token: 'wrong' });
    const err = await bad.list(CM).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe(401);
    bad.close();
  });

  it('listAll follows continue tokens; a compacted continue falls back to one unpaged list', async () => {
    for (let i = 0; i < 7; i++) await client.create(CM, configMap('pages', `p${i}`));
    const all = await client.listAll(CM, { namespace: 'pages', limit: 2 });
    expect(all.items.map((i) => i.metadata.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    expect(all.metadata.continue).toBeUndefined();
    const pageRequests = server.requests.filter((r) => r.path === '/api/v1/namespaces/pages/configmaps' && r.query.get('limit') === '2');
    expect(pageRequests).toHaveLength(4);
    expect(pageRequests[1]?.query.has('resourceVersion')).toBe(false);

    const first = await client.list(CM, { namespace: 'pages', limit: 2 });
    server.bumpVersion(); // a write elsewhere, then compaction past the version the pages pin
    server.compact();
    const err = await client.list(CM, { namespace: 'pages', limit: 2, continue: first.metadata.continue }).catch((e: unknown) => e);
    expect(isGone(err)).toBe(true);
    const original = client.list.bind(client);
    let calls = 0;
    // Compact between the first page and the second, so listAll must fall back.
    client.list = async <T extends KubeObject>(...args: Parameters<KubeClient['list']>) => {
      const page = await original<T>(...args);
      if (calls++ === 0) {
        server.bumpVersion();
        server.compact();
      }
      return page;
    };
    try {
      const fallback = await client.listAll(CM, { namespace: 'pages', limit: 2 });
      expect(fallback.items).toHaveLength(7);
    } finally {
      client.list = original;
    }
  });

  it('watches with events split into 7-byte pieces and stops cleanly', async () => {
    const start = server.resourceVersion;
    server.chunkBytes = 7;
    const events: WatchEvent[] = [];
    let closed: { err?: Error } | undefined;
    const w = client.watch(CM, { namespace: 'w', resourceVersion: start, allowWatchBookmarks: true }, (e) => events.push(e), (err) => (closed = { err }));
    try {
      await vi_waitFor(() => server.openWatches > 0);
      await client.create(CM, configMap('w', 'one', { big: 'é'.repeat(5000) }));
      await client.patch(CM, 'one', { data: { more: '😀' } }, 'merge', { namespace: 'w' });
      server.bookmark();
      await client.delete(CM, 'one', { namespace: 'w' });
      await vi_waitFor(() => events.length === 4);
      expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'BOOKMARK', 'DELETED']);
      expect(events[1]?.type === 'MODIFIED' && events[1].object['data']).toMatchObject({ more: '😀' });
      const req = server.watchRequests().at(-1);
      expect(req?.query.get('resourceVersion')).toBe(start);
      expect(req?.query.get('allowWatchBookmarks')).toBe('true');
    } finally {
      server.chunkBytes = 0;
      w.stop();
    }
    expect(closed).toEqual({ err: undefined });
  });

  it('delivers ERROR events, then reports the server ending the watch', async () => {
    await vi_waitFor(() => server.openWatches === 0); // the previous test's watch is gone server-side
    const events: WatchEvent[] = [];
    let closed: { err?: Error } | undefined;
    client.watch(CM, { resourceVersion: server.resourceVersion }, (e) => events.push(e), (err) => (closed = { err }));
    await vi_waitFor(() => server.openWatches > 0);
    server.expireWatches();
    await vi_waitFor(() => closed !== undefined);
    expect(events).toHaveLength(1);
    expect(events[0]?.type === 'ERROR' && events[0].object.code).toBe(410);
    expect(closed?.err).toBeUndefined();
  });

  it('reports a cut connection and a refused watch through onClose', async () => {
    await vi_waitFor(() => server.openWatches === 0);
    let closed: { err?: Error } | undefined;
    client.watch(CM, { resourceVersion: server.resourceVersion }, () => undefined, (err) => (closed = { err }));
    await vi_waitFor(() => server.openWatches > 0);
    server.dropWatches();
    await vi_waitFor(() => closed !== undefined);
    expect(closed?.err?.message).toMatch(/connection lost|aborted|socket hang up|ECONNRESET/);

    server.failWith = 503;
    const refused = await new Promise<Error | undefined>((resolve) => client.watch(CM, {}, () => undefined, resolve));
    server.failWith = undefined;
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe(503);
  });
});

describe('KubeClient with a server that answers junk', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url?.includes('watch=true')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"type":"ADDED","object":{"metadata":{}}}\n{"type":"NOPE","object":{"metadata":{}}}\n');
        return;
      }
      if (req.url?.includes('/text')) {
        res.writeHead(502, { 'content-type': 'text/plain', 'retry-after': '7' });
        res.end('bad gateway from a proxy');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"kind":"NotAnObject"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('turns a non-Status error body into an ApiError naming the request', async () => {
    const client = new KubeClient({ server: url });
    const err = await client.get(resourceRef('', 'v1', 'text', false), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(502);
    expect((err as ApiError).message).toBe('GET /api/v1/text/x: the server responded with HTTP 502: bad gateway from a proxy');
    expect((err as ApiError).retryAfterSeconds).toBe(7);
    client.close();
  });

  it('rejects answers that are not objects or lists', async () => {
    const client = new KubeClient({ server: url });
    await expect(client.get(CM, 'x', 'd')).rejects.toThrow(/not a Kubernetes object/);
    await expect(client.list(CM)).rejects.toThrow(/not a list/);
    client.close();
  });

  it('ends a watch with an error on an unknown event type, after the valid ones', async () => {
    const client = new KubeClient({ server: url });
    const types: string[] = [];
    const err = await new Promise<Error | undefined>((resolve) => client.watch(CM, {}, (e) => types.push(e.type), resolve));
    expect(types).toEqual(['ADDED']);
    expect(err?.message).toMatch(/unknown event type "NOPE"/);
    client.close();
  });

  it('rejects a server URL that is not http(s)', () => {
    expect(() => new KubeClient({ server: 'ftp://127.0.0.1' })).toThrow(/scheme must be https or http/);
    expect(() => new KubeClient({ server: '127.0.0.1:6443' })).toThrow(/not a URL|scheme/);
  });
});

async function vi_waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
