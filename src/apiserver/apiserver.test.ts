// The API server in-process, over real HTTPS: list/watch/resourceVersion semantics, pagination,
// selectors, bookmarks, 410 after compaction, restart resumption.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type RunningApiServer } from './index.js';

interface Resp {
  status: number;
  json: Record<string, unknown>;
}

function call(s: RunningApiServer, method: string, path: string, body?: unknown): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${s.url}${path}`, { method, ca: s.caPem, headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** Opens a watch and collects events until `until` is satisfied or the timeout passes. */
function watch(s: RunningApiServer, path: string, until: (evs: { type: string; object: Record<string, unknown> }[]) => boolean, timeoutMs = 5000): Promise<{ type: string; object: Record<string, unknown> }[]> {
  return new Promise((resolve, reject) => {
    const events: { type: string; object: Record<string, unknown> }[] = [];
    let buf = '';
    const req = request(`${s.url}${path}`, { ca: s.caPem, headers: { Authorization: `Bearer ${s.token}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, nl)) as { type: string; object: Record<string, unknown> });
          buf = buf.slice(nl + 1);
        }
        if (until(events)) {
          clearTimeout(timer);
          req.destroy();
          resolve(events);
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve(events);
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(events);
    }, timeoutMs);
    req.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
    });
    req.end();
  });
}

const cm = (name: string, labels: Record<string, string> = {}): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } });
const meta = (o: Record<string, unknown>): Record<string, string> => o['metadata'] as Record<string, string>;

describe('API server semantics', () => {
  let dir: string;
  let s: RunningApiServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tinykube-apiserver-'));
    s = await startApiServer({ dataDir: dir, host: '127.0.0.1', port: 0, durable: false, bookmarkIntervalMs: 200 });
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists in pages with limit/continue and remainingItemCount, at one revision', async () => {
    await call(s, 'POST', '/api/v1/namespaces', { metadata: { name: 'paging' } });
    for (let i = 0; i < 7; i++) expect((await call(s, 'POST', '/api/v1/namespaces/paging/configmaps', cm(`c${i}`))).status).toBe(201);
    const p1 = await call(s, 'GET', '/api/v1/namespaces/paging/configmaps?limit=3');
    const m1 = p1.json['metadata'] as { continue: string; remainingItemCount: number; resourceVersion: string };
    expect((p1.json['items'] as unknown[]).length).toBe(3);
    expect(m1.remainingItemCount).toBe(4);
    // A write between pages is not seen: the continuation reads the first page's revision.
    await call(s, 'POST', '/api/v1/namespaces/paging/configmaps', cm('c9'));
    const p2 = await call(s, 'GET', `/api/v1/namespaces/paging/configmaps?limit=10&continue=${encodeURIComponent(m1.continue)}`);
    const names = (p2.json['items'] as Record<string, unknown>[]).map((o) => meta(o)['name']);
    expect(names).toEqual(['c3', 'c4', 'c5', 'c6']);
    expect((p2.json['metadata'] as Record<string, unknown>)['continue']).toBeUndefined();
    const bad = await call(s, 'GET', '/api/v1/namespaces/paging/configmaps?continue=garbage');
    expect(bad.status).toBe(400);
  });

  it('filters by label and field selectors, rejecting unknown field labels', async () => {
    await call(s, 'POST', '/api/v1/namespaces/paging/configmaps', cm('lab', { tier: 'db', env: 'prod' }));
    const q = async (sel: string): Promise<string[]> => ((await call(s, 'GET', `/api/v1/namespaces/paging/configmaps?${sel}`)).json['items'] as Record<string, unknown>[]).map((o) => meta(o)['name']!);
    expect(await q('labelSelector=tier%3Ddb')).toEqual(['lab']);
    expect(await q('labelSelector=tier%20in%20(db,web),env!%3Ddev')).toEqual(['lab']);
    expect(await q('labelSelector=!tier')).not.toContain('lab');
    expect(await q('fieldSelector=metadata.name%3Dc2')).toEqual(['c2']);
    expect(await q('fieldSelector=metadata.name!%3Dc2&labelSelector=tier')).toEqual(['lab']);
    const bad = await call(s, 'GET', '/api/v1/namespaces/paging/configmaps?fieldSelector=data.k%3Dx');
    expect(bad.status).toBe(400);
    expect(bad.json['message']).toBe('field label not supported: data.k');
    const pods = await call(s, 'GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn1,status.phase%3DRunning');
    expect(pods.status).toBe(200);
  });

  it('watch from "0" starts with ADDED for what exists, then streams changes', async () => {
    await call(s, 'POST', '/api/v1/namespaces', { metadata: { name: 'w1' } });
    await call(s, 'POST', '/api/v1/namespaces/w1/configmaps', cm('first'));
    const pending = watch(s, '/api/v1/namespaces/w1/configmaps?watch=true&resourceVersion=0', (evs) => evs.some((e) => e.type === 'DELETED'));
    await new Promise((r) => setTimeout(r, 200));
    await call(s, 'POST', '/api/v1/namespaces/w1/configmaps', cm('second'));
    await call(s, 'PUT', '/api/v1/namespaces/w1/configmaps/second', { ...cm('second'), data: { k: 'changed' } });
    await call(s, 'DELETE', '/api/v1/namespaces/w1/configmaps/second');
    const evs = await pending;
    expect(evs.map((e) => `${e.type}:${meta(e.object)['name']}`)).toEqual(['ADDED:first', 'ADDED:second', 'MODIFIED:second', 'DELETED:second']);
    const rvs = evs.map((e) => Number(meta(e.object)['resourceVersion']));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
  });

  it('watch from a resourceVersion replays what came after it, and turns selector moves into ADDED/DELETED', async () => {
    const created = await call(s, 'POST', '/api/v1/namespaces/w1/configmaps', cm('mover'));
    const rv = meta(created.json)['resourceVersion'];
    await call(s, 'PUT', '/api/v1/namespaces/w1/configmaps/mover', cm('mover', { sel: 'yes' }));
    await call(s, 'PUT', '/api/v1/namespaces/w1/configmaps/mover', cm('mover', { sel: 'no' }));
    const evs = await watch(s, `/api/v1/namespaces/w1/configmaps?watch=1&resourceVersion=${rv}&labelSelector=sel%3Dyes`, (e) => e.length >= 2, 1500);
    expect(evs.map((e) => `${e.type}:${meta(e.object)['name']}`)).toEqual(['ADDED:mover', 'DELETED:mover']);
  });

  it('sends bookmarks when asked, and the initial-events-end bookmark with sendInitialEvents', async () => {
    const evs = await watch(s, '/api/v1/namespaces/w1/configmaps?watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan', (e) => e.filter((x) => x.type === 'BOOKMARK').length >= 2);
    const bookmarks = evs.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThanOrEqual(2);
    expect((meta(bookmarks[0]!.object) as unknown as { annotations: Record<string, string> }).annotations['k8s.io/initial-events-end']).toBe('true');
    expect(evs.findIndex((e) => e.type === 'BOOKMARK')).toBeGreaterThan(evs.findIndex((e) => e.type === 'ADDED'));
  });

  it('advances bookmarks past writes to other resources (progress), so a quiet watch can resume', async () => {
    const other = await call(s, 'POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 'elsewhere' }, stringData: { a: 'b' } });
    const otherRv = Number(meta(other.json)['resourceVersion']);
    const evs = await watch(s, `/api/v1/namespaces/w1/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=${otherRv - 1}`, (e) => e.some((x) => x.type === 'BOOKMARK'));
    const bm = evs.find((e) => e.type === 'BOOKMARK')!;
    expect(Number(meta(bm.object)['resourceVersion'])).toBeGreaterThanOrEqual(otherRv);
  });

  it('answers 410 Expired for a watch or list from before the compacted revision', async () => {
    const a = await call(s, 'POST', '/api/v1/namespaces/w1/configmaps', cm('old'));
    const oldRv = Number(meta(a.json)['resourceVersion']);
    await call(s, 'PUT', '/api/v1/namespaces/w1/configmaps/old', { ...cm('old'), data: { k: 'v2' } });
    await s.store.compact(await s.store.currentRevision());
    const evs = await watch(s, `/api/v1/namespaces/w1/configmaps?watch=1&resourceVersion=${oldRv}`, (e) => e.length >= 1);
    expect(evs[0]!.type).toBe('ERROR');
    expect(evs[0]!.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    const list = await call(s, 'GET', `/api/v1/namespaces/w1/configmaps?resourceVersion=${oldRv}&resourceVersionMatch=Exact`);
    expect(list.status).toBe(410);
  });

  it('bumps generation on spec changes only, and status goes through its subresource', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gen' },
      spec: { selector: { matchLabels: { app: 'gen' } }, template: { metadata: { labels: { app: 'gen' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    const created = await call(s, 'POST', '/apis/apps/v1/namespaces/default/deployments', dep);
    expect(created.status).toBe(201);
    expect(meta(created.json)['generation']).toBe(1);
    const labelled = await call(s, 'PUT', '/apis/apps/v1/namespaces/default/deployments/gen', { ...created.json, metadata: { ...meta(created.json), labels: { a: 'b' } } });
    expect(meta(labelled.json)['generation']).toBe(1);
    const scaled = await call(s, 'PUT', '/apis/apps/v1/namespaces/default/deployments/gen', { ...labelled.json, spec: { ...(labelled.json['spec'] as object), replicas: 4 } });
    expect(meta(scaled.json)['generation']).toBe(2);
    const sneaky = await call(s, 'PUT', '/apis/apps/v1/namespaces/default/deployments/gen', { ...scaled.json, status: { replicas: 9 } });
    expect(sneaky.json['status']).toEqual({});
    const status = await call(s, 'PUT', '/apis/apps/v1/namespaces/default/deployments/gen/status', { ...sneaky.json, spec: { ...(sneaky.json['spec'] as object), replicas: 1 }, status: { replicas: 9, observedGeneration: 2 } });
    expect(status.json['status']).toEqual({ replicas: 9, observedGeneration: 2 });
    expect((status.json['spec'] as Record<string, unknown>)['replicas']).toBe(4);
    // A no-op update is not a write.
    const again = await call(s, 'PUT', '/apis/apps/v1/namespaces/default/deployments/gen', status.json);
    expect(meta(again.json)['resourceVersion']).toBe(meta(status.json)['resourceVersion']);
  });

  it('a spec sent with its keys in another order is the same spec: no new generation, no write', async () => {
    const base = '/apis/networking.k8s.io/v1/namespaces/default/ingresses';
    // Stored as {kind, name, apiGroup: null}: the server fills in apiGroup after what was sent.
    const created = await call(s, 'POST', base, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'order' }, spec: { defaultBackend: { resource: { kind: 'Bucket', name: 'b' } } } });
    expect(created.status).toBe(201);
    // A typed client (client-go) sends Go's field order: apiGroup, kind, name.
    const same = await call(s, 'PUT', `${base}/order`, { ...created.json, spec: { defaultBackend: { resource: { apiGroup: null, kind: 'Bucket', name: 'b' } } } });
    expect(same.status).toBe(200);
    expect(meta(same.json)['generation']).toBe(1);
    expect(meta(same.json)['resourceVersion']).toBe(meta(created.json)['resourceVersion']);
    const changed = await call(s, 'PUT', `${base}/order`, { ...same.json, spec: { defaultBackend: { resource: { apiGroup: null, kind: 'Bucket', name: 'c' } } } });
    expect(meta(changed.json)['generation']).toBe(2);
  });

  it('DefaultIngressClass: a new Ingress naming no class gets the default IngressClass', async () => {
    const classes = '/apis/networking.k8s.io/v1/ingressclasses';
    const ingresses = '/apis/networking.k8s.io/v1/namespaces/default/ingresses';
    const ingress = (name: string, annotations: Record<string, string> = {}): Record<string, unknown> => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, annotations },
      spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
    });
    const className = (r: Resp): unknown => (r.json['spec'] as Record<string, unknown>)['ingressClassName'];
    expect(className(await call(s, 'POST', ingresses, ingress('before-default')))).toBeUndefined();
    const cls = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'house', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'example.com/house' } };
    expect((await call(s, 'POST', classes, cls)).status).toBe(201);
    const dry = await call(s, 'POST', `${ingresses}?dryRun=All`, ingress('dry'));
    expect(className(dry)).toBe('house');
    const created = await call(s, 'POST', ingresses, ingress('after-default'));
    expect(created.status).toBe(201);
    expect(className(created)).toBe('house');
    expect(className(await call(s, 'POST', ingresses, ingress('annotated', { 'kubernetes.io/ingress.class': 'other' })))).toBeUndefined();
    // Only creates are admitted: an update that drops the class keeps it dropped.
    const dropped = await call(s, 'PUT', `${ingresses}/after-default`, { ...created.json, spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } });
    expect(dropped.status).toBe(200);
    expect(className(dropped)).toBeUndefined();
    await call(s, 'DELETE', `${classes}/house`);
  });

  it('keeps an object with finalizers until they are removed', async () => {
    await call(s, 'POST', '/api/v1/namespaces/default/configmaps', { ...cm('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    const del = await call(s, 'DELETE', '/api/v1/namespaces/default/configmaps/fin');
    expect(del.status).toBe(202);
    const held = await call(s, 'GET', '/api/v1/namespaces/default/configmaps/fin');
    expect(meta(held.json)['deletionTimestamp']).toBeTruthy();
    const noNew = await call(s, 'PUT', '/api/v1/namespaces/default/configmaps/fin', { ...held.json, metadata: { ...meta(held.json), finalizers: ['example.com/hold', 'example.com/more'] } });
    expect(noNew.status).toBe(422);
    const released = await call(s, 'PUT', '/api/v1/namespaces/default/configmaps/fin', { ...held.json, metadata: { ...meta(held.json), finalizers: [] } });
    expect(released.status).toBe(200);
    expect((await call(s, 'GET', '/api/v1/namespaces/default/configmaps/fin')).status).toBe(404);
  });

  it('refuses new objects in a terminating namespace and removes it once finalized', async () => {
    await call(s, 'POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } });
    await call(s, 'POST', '/api/v1/namespaces/doomed/configmaps', cm('x'));
    const del = await call(s, 'DELETE', '/api/v1/namespaces/doomed');
    expect((del.json['status'] as Record<string, unknown>)['phase']).toBe('Terminating');
    const late = await call(s, 'POST', '/api/v1/namespaces/doomed/configmaps', cm('late'));
    if (late.status !== 404) expect(late.status).toBe(403);
    // The namespace controller (src/controllers/namespace) empties it and finalizes; here we play its part.
    expect((await call(s, 'DELETE', '/api/v1/namespaces/doomed/configmaps/x')).status).toBe(200);
    const fin = await call(s, 'PUT', '/api/v1/namespaces/doomed/finalize', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' }, spec: { finalizers: [] } });
    expect(fin.status).toBe(200);
    expect((await call(s, 'GET', '/api/v1/namespaces/doomed')).status).toBe(404);
  });

  it('resumes every object and the revision after a restart', async () => {
    const before = await call(s, 'GET', '/api/v1/configmaps');
    await s.close();
    s = await startApiServer({ dataDir: dir, host: '127.0.0.1', port: 0, durable: false, bookmarkIntervalMs: 200 });
    const after = await call(s, 'GET', '/api/v1/configmaps');
    expect((after.json['items'] as unknown[]).length).toBe((before.json['items'] as unknown[]).length);
    const fresh = await call(s, 'POST', '/api/v1/namespaces/default/configmaps', cm('after-restart'));
    expect(Number(meta(fresh.json)['resourceVersion'])).toBeGreaterThan(Number((before.json['metadata'] as Record<string, string>)['resourceVersion']));
  });
});
