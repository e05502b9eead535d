// The client against the real API server over HTTPS (its generated CA and bearer token):
// CRUD and typed errors, kubeconfig loading, watch resumption, and an informer that rides
// through a server restart and a compaction it missed.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { resourceFor, startApiServer, type RunningApiServer } from '../apiserver/index.js';
import {
  ApiError,
  Informer,
  KubeClient,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
  isStatus,
  resourceRef,
  type WatchEvent,
} from './index.js';

const CM = resourceRef('', 'v1', 'configmaps');
const NS = resourceRef('', 'v1', 'namespaces', false);

const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'it', ...(labels ? { labels } : {}) },
  data,
});

describe('KubeClient against the real API server', () => {
  let dir: string;
  let s: RunningApiServer;
  let client: KubeClient;

  const start = async (port = 0): Promise<RunningApiServer> =>
    startApiServer({ dataDir: dir, host: '127.0.0.1', port, durable: false, bookmarkIntervalMs: 200, compactionIntervalMs: 3_600_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tinykube-client-it-'));
    s = await start();
    client = new KubeClient({ server: s.url, token: s.token, ca: s.caPem });
    await client.create(NS, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'it' } });
  });

  afterAll(async () => {
    client?.close();
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects through a kubeconfig with the CA inline, and refuses an unverified server', async () => {
    const path = join(dir, 'kubeconfig');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: it',
        `clusters: [{name: c, cluster: {server: "${s.url}", certificate-authority-data: ${Buffer.from(s.caPem).toString('base64')}}}]`,
        `users: [{name: u, user: {token: "${s.token}"}}]`,
        'contexts: [{name: it, context: {cluster: c, user: u, namespace: it}}]',
      ].join('\n'),
    );
    const viaConfig = KubeClient.fromKubeconfig(path);
    expect(viaConfig.namespace).toBe('it');
    const nss = await viaConfig.list(NS);
    expect(nss.items.map((n) => n.metadata.name)).toContain('it');
    viaConfig.close();

    const noCa = new KubeClient({ server: s.url, token: s.token });
    await expect(noCa.list(NS)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    noCa.close();

    const noToken = new KubeClient({ server: s.url, ca: s.caPem });
    const err = await noToken.list(NS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(401);
    noToken.close();
  });

  it('creates, reads, updates, lists and deletes ConfigMaps', async () => {
    const created = await client.create(CM, cm('crud', { a: '1' }, { app: 'crud' }));
    expect(created.metadata.uid).toBeTruthy();
    const got = await client.get(CM, 'crud', 'it');
    expect(got['data']).toEqual({ a: '1' });

    const updated = await client.update(CM, { ...got, data: { a: '2' } });
    expect(updated['data']).toEqual({ a: '2' });
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(got.metadata.resourceVersion));

    const dry = await client.create(CM, cm('dry'), { dryRun: true });
    expect(dry.metadata.name).toBe('dry');
    expect(isNotFound(await client.get(CM, 'dry', 'it').catch((e: unknown) => e))).toBe(true);

    // The server's own ResourceInfo works wherever a ResourceRef is asked for.
    const info = resourceFor('', 'v1', 'configmaps');
    if (!info) throw new Error('configmaps not served');
    const selected = await client.list(info, { namespace: 'it', labelSelector: 'app=crud' });
    expect(selected.items.map((i) => i.metadata.name)).toEqual(['crud']);

    const deleted = await client.delete(CM, 'crud', { namespace: 'it', propagationPolicy: 'Background' });
    expect(isStatus(deleted) ? deleted.status : deleted.metadata.name).toBeTruthy();
    expect(isNotFound(await client.get(CM, 'crud', 'it').catch((e: unknown) => e))).toBe(true);

    for (const n of ['bulk-1', 'bulk-2']) await client.create(CM, cm(n, {}, { bulk: 'yes' }));
    await client.deleteCollection(CM, { namespace: 'it', labelSelector: 'bulk=yes' });
    expect((await client.list(CM, { namespace: 'it', labelSelector: 'bulk=yes' })).items).toEqual([]);
  });

  it('patches: merge, strategic, json and server-side apply', async (ctx) => {
    await client.create(CM, cm('patched', { a: '1' }));
    const probe = await client.patch(CM, 'patched', { data: { b: 'merge' } }, 'merge', { namespace: 'it' }).catch((e: unknown) => e);
    // The server's patch support lands separately; until then it answers 415 and this is skipped.
    if (probe instanceof ApiError && probe.code === 415) return ctx.skip();
    if (probe instanceof Error) throw probe;
    expect((probe as KubeObject)['data']).toEqual({ a: '1', b: 'merge' });
    const strategic = await client.patch(CM, 'patched', { data: { c: 'smp' } }, 'strategic', { namespace: 'it' });
    expect(strategic['data']).toMatchObject({ c: 'smp' });
    const json = await client.patch(CM, 'patched', [{ op: 'remove', path: '/data/a' }], 'json', { namespace: 'it' });
    expect(json['data']).toEqual({ b: 'merge', c: 'smp' });
    const applied = await client.patch(
      CM,
      'applied',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: 'it' }, data: { via: 'ssa' } },
      'apply',
      { namespace: 'it', fieldManager: 'client-it', force: true },
    );
    expect(applied['data']).toEqual({ via: 'ssa' });
    expect(applied.metadata.managedFields?.some((f) => f.manager === 'client-it')).toBe(true);
  });

  it('throws ApiError with the Status for 404, 409 AlreadyExists, 409 Conflict and 422', async () => {
    const missing = await client.get(CM, 'nope', 'it').catch((e: unknown) => e);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as ApiError).status).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound' });
    expect((missing as ApiError).message).toBe('configmaps "nope" not found');

    const first = await client.create(CM, cm('errs'));
    const dup = await client.create(CM, cm('errs')).catch((e: unknown) => e);
    expect(isAlreadyExists(dup)).toBe(true);
    expect((dup as ApiError).code).toBe(409);

    await client.update(CM, { ...first, data: { v: '1' } });
    const stale = await client.update(CM, { ...first, data: { v: '2' } }).catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    expect((stale as ApiError).message).toMatch(/the object has been modified/);

    const bad = await client.create(CM, cm('Not_A_Valid_Name')).catch((e: unknown) => e);
    expect(isInvalid(bad)).toBe(true);
    expect((bad as ApiError).details?.causes?.length).toBeGreaterThan(0);
  });

  it('pages through a list with listAll', async () => {
    for (let i = 0; i < 12; i++) await client.create(CM, cm(`page-${String(i).padStart(2, '0')}`, {}, { paged: 'yes' }));
    const all = await client.listAll(CM, { namespace: 'it', labelSelector: 'paged=yes', limit: 5 });
    expect(all.items).toHaveLength(12);
    expect(all.metadata.resourceVersion).toBeTruthy();
  });

  it('resumes a watch from the last resourceVersion it saw', async () => {
    const rv0 = (await client.list(CM, { namespace: 'it' })).metadata.resourceVersion;
    const seen: WatchEvent[] = [];
    const collect = (from: string | undefined): Promise<{ stop(): void; closed: Promise<Error | undefined> }> =>
      new Promise((resolve) => {
        let closedResolve: (e: Error | undefined) => void = () => undefined;
        const closed = new Promise<Error | undefined>((r) => (closedResolve = r));
        const h = client.watch(
          CM,
          { namespace: 'it', resourceVersion: from, allowWatchBookmarks: true, timeoutSeconds: 30, onOpen: () => resolve({ stop: () => h.stop(), closed }) },
          (e) => seen.push(e),
          (err) => closedResolve(err),
        );
      });
    const w1 = await collect(rv0);
    const wa = await client.create(CM, cm('w-a'));
    await client.update(CM, { ...wa, data: { x: '1' } });
    await vi.waitFor(() => expect(seen.filter((e) => e.type !== 'BOOKMARK')).toHaveLength(2));
    w1.stop();
    expect(await w1.closed).toBeUndefined();
    const last = seen.filter((e) => e.type !== 'BOOKMARK').at(-1)?.object.metadata.resourceVersion;

    // Changes while nobody watches are delivered on resumption, and nothing twice.
    await client.create(CM, cm('w-b'));
    await client.delete(CM, 'w-a', { namespace: 'it' });
    seen.length = 0;
    const w2 = await collect(last);
    await vi.waitFor(() => expect(seen.filter((e) => e.type !== 'BOOKMARK')).toHaveLength(2));
    const changes = seen.flatMap((e) => (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED' ? [`${e.type} ${e.object.metadata.name}`] : []));
    expect(changes).toEqual(['ADDED w-b', 'DELETED w-a']);
    // The server sends bookmarks (every 200 ms here) when asked.
    await vi.waitFor(() => expect(seen.some((e) => e.type === 'BOOKMARK')).toBe(true));
    w2.stop();
  });

  it('an informer sees create/update/delete, and relists the differences after a restart plus compaction', async () => {
    await client.create(CM, cm('inf-same'));
    await client.create(CM, cm('inf-change', { v: '1' }));
    await client.create(CM, cm('inf-gone'));
    const calls: string[] = [];
    const errors: string[] = [];
    // A long first backoff leaves a window to write and compact while the informer is away.
    const inf = new Informer(client, CM, { namespace: 'it', pageSize: 3, backoff: { initialMs: 4000, jitter: 0 }, onError: (e, phase) => errors.push(`${phase}: ${e.message}`) });
    inf.addEventHandler({
      onAdd: (_o, key) => calls.push(`add ${key}`),
      onUpdate: (_old, cur, key) => calls.push(`update ${key} ${JSON.stringify(cur['data'] ?? {})}`),
      onDelete: (_o, key) => calls.push(`delete ${key}`),
    });
    const lists = vi.spyOn(client, 'listAll');
    try {
      await inf.start().waitForSync({ timeoutMs: 10_000 });
      expect(inf.get('it/inf-same')).toBeDefined();
      calls.length = 0;

      const fresh = await client.create(CM, cm('inf-new'));
      await client.update(CM, { ...fresh, data: { k: 'v' } });
      await client.delete(CM, 'inf-new', { namespace: 'it' });
      await vi.waitFor(() => expect(calls).toEqual(['add it/inf-new', 'update it/inf-new {"k":"v"}', 'delete it/inf-new']));

      calls.length = 0;
      const port = s.port;
      await s.close();
      s = await start(port);
      await client.update(CM, { ...(await client.get(CM, 'inf-change', 'it')), data: { v: '2' } });
      await client.delete(CM, 'inf-gone', { namespace: 'it' });
      await client.create(CM, cm('inf-added'));
      await s.store.compact(await s.store.currentRevision());

      await vi.waitFor(() => expect(calls).toHaveLength(3), { timeout: 15_000 });
      expect([...calls].sort()).toEqual(['add it/inf-added', 'delete it/inf-gone', 'update it/inf-change {"v":"2"}']);
      expect(inf.get('it/inf-gone')).toBeUndefined();
      expect(lists).toHaveBeenCalledTimes(2); // the resumed watch was told 410, so it relisted
      expect(errors.some((e) => e.startsWith('watch: '))).toBe(true);

      // And it is live again after the relist.
      await client.create(CM, cm('inf-after'));
      await vi.waitFor(() => expect(calls).toContain('add it/inf-after'), { timeout: 10_000 });
    } finally {
      inf.stop();
      lists.mockRestore();
    }
  });
});
