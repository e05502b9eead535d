import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { KubeClient } from './client.js';
import { Informer, type InformerOptions, type InformerPhase } from './informer.js';
import { resourceRef } from './resource.js';
import { FakeApiServer, configMap } from './testing/fake-apiserver.js';

const CM = resourceRef('', 'v1', 'configmaps');

let server: FakeApiServer;
let client: KubeClient;
let informers: Informer<KubeObject, unknown>[] = [];

beforeEach(async () => {
  server = new FakeApiServer();
  client = new KubeClient({ server: await server.start() });
});

afterEach(async () => {
  for (const inf of informers) inf.stop();
  informers = [];
  client.close();
  await server.stop();
});

/** An informer whose handler calls are recorded as readable lines, and whose errors are collected. */
function recorded<P = KubeObject>(opts: InformerOptions<KubeObject, P> = {}) {
  const calls: string[] = [];
  const errors: { phase: InformerPhase; message: string }[] = [];
  const inf = new Informer<KubeObject, P>(client, CM, { onError: (err, phase) => errors.push({ phase, message: err.message }), ...opts });
  informers.push(inf as Informer<KubeObject, unknown>);
  const rv = (o: P): string => String((o as KubeObject).metadata?.resourceVersion);
  inf.addEventHandler({
    onAdd: (o, key) => calls.push(`add ${key}@${rv(o)}`),
    onUpdate: (old, cur, key) => calls.push(`update ${key}@${rv(old)}->${rv(cur)}`),
    onDelete: (o, key) => calls.push(`delete ${key}`),
  });
  return { inf, calls, errors };
}

function lists(): number {
  return server.requests.filter((r) => r.query.get('watch') !== 'true' && r.method === 'GET').length;
}

const rvOf = (o: KubeObject): string => o.metadata.resourceVersion ?? '';

describe('Informer', () => {
  it('lists in pages, fills the cache, calls onAdd, then reports synced', async () => {
    const a = server.put(configMap('ns1', 'a'));
    const b = server.put(configMap('ns1', 'b'));
    const c = server.put(configMap('ns2', 'c'));
    const { inf, calls } = recorded({ pageSize: 2 });
    expect(inf.hasSynced()).toBe(false);
    await inf.start().waitForSync({ timeoutMs: 5000 });
    expect(inf.hasSynced()).toBe(true);
    expect(calls).toEqual([`add ns1/a@${rvOf(a)}`, `add ns1/b@${rvOf(b)}`, `add ns2/c@${rvOf(c)}`]);
    expect(inf.keys().sort()).toEqual(['ns1/a', 'ns1/b', 'ns2/c']);
    expect(inf.get('ns2/c')).toEqual(c);
    const pages = server.requests.filter((r) => r.query.get('limit') === '2');
    expect(pages).toHaveLength(2);
    await vi.waitFor(() => expect(server.watchRequests()).toHaveLength(1));
    const watch = server.watchRequests()[0];
    expect(watch?.query.get('resourceVersion')).toBe(server.resourceVersion);
    expect(watch?.query.get('allowWatchBookmarks')).toBe('true');
    expect(Number(watch?.query.get('timeoutSeconds'))).toBeGreaterThanOrEqual(300);
  });

  it('turns watch events into onAdd / onUpdate(old, new) / onDelete and keeps the cache current', async () => {
    const { inf, calls } = recorded();
    await inf.start().waitForSync();
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    const v1 = server.put(configMap('d', 'x', { k: '1' }));
    const v2 = server.put(configMap('d', 'x', { k: '2' }));
    server.remove('d', 'x');
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    expect(calls).toEqual([`add d/x@${rvOf(v1)}`, `update d/x@${rvOf(v1)}->${rvOf(v2)}`, 'delete d/x']);
    expect(inf.get('d/x')).toBeUndefined();
    expect(inf.resourceVersion).toBe(server.resourceVersion);
  });

  it('advances its resourceVersion on bookmarks and resumes a cleanly ended watch from there', async () => {
    const { inf, calls } = recorded();
    await inf.start().waitForSync();
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    server.bumpVersion(10); // writes to other resources move the version
    server.bookmark();
    await vi.waitFor(() => expect(inf.resourceVersion).toBe(server.resourceVersion));
    const bookmarked = server.resourceVersion;
    server.endWatches();
    await vi.waitFor(() => expect(server.watchRequests()).toHaveLength(2));
    expect(server.watchRequests()[1]?.query.get('resourceVersion')).toBe(bookmarked);
    expect(lists()).toBe(1);
    expect(calls).toEqual([]);
  });

  it('resumes after a dropped connection from the last version, without relisting, and misses nothing', async () => {
    server.put(configMap('d', 'keep'));
    const { inf, calls, errors } = recorded();
    await inf.start().waitForSync();
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    const seen = inf.resourceVersion;
    calls.length = 0;
    server.silently(() => server.put(configMap('d', 'while-away'))); // lands between cut and re-watch
    server.dropWatches();
    await vi.waitFor(() => expect(calls).toEqual([expect.stringMatching(/^add d\/while-away@/)]));
    expect(server.watchRequests()[1]?.query.get('resourceVersion')).toBe(seen);
    expect(lists()).toBe(1);
    expect(errors.map((e) => e.phase)).toEqual(['watch']);
  });

  it('relists on an ERROR 410 event mid-watch and hands handlers exactly the differences', async () => {
    const same = server.put(configMap('d', 'same'));
    const changed = server.put(configMap('d', 'changed', { v: '1' }));
    server.put(configMap('d', 'deleted'));
    const { inf, calls, errors } = recorded();
    await inf.start().waitForSync();
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    calls.length = 0;
    // Changes the informer never hears about, then history is compacted past them.
    let changedNow: KubeObject | undefined;
    let added: KubeObject | undefined;
    server.silently(() => {
      changedNow = server.put(configMap('d', 'changed', { v: '2' }));
      server.remove('d', 'deleted');
      added = server.put(configMap('d', 'added'));
    });
    server.compact();
    server.expireWatches();
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    expect(calls.sort()).toEqual(
      [`add d/added@${rvOf(added as KubeObject)}`, 'delete d/deleted', `update d/changed@${rvOf(changed)}->${rvOf(changedNow as KubeObject)}`].sort(),
    );
    expect(inf.get('d/same')).toEqual(same);
    expect(inf.keys().sort()).toEqual(['d/added', 'd/changed', 'd/same']);
    expect(lists()).toBe(2);
    expect(errors).toEqual([]); // expiry is routine, not an error
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    expect(server.watchRequests().at(-1)?.query.get('resourceVersion')).toBe(server.resourceVersion);
  });

  it('relists when the watch request itself is answered 410', async () => {
    const { inf } = recorded();
    await inf.start().waitForSync();
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    server.failWatchesWith = 410;
    server.endWatches();
    await vi.waitFor(() => expect(lists()).toBe(2));
    server.failWatchesWith = undefined;
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
  });

  it('backs off while the server is down instead of spinning, then catches up', async () => {
    server.put(configMap('d', 'a'));
    const { inf, calls, errors } = recorded();
    await inf.start().waitForSync();
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    await server.stop();
    await new Promise((r) => setTimeout(r, 1500));
    // 100 ms doubling with jitter: a handful of attempts in 1.5 s, never hundreds.
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBeLessThanOrEqual(10);
    server.put(configMap('d', 'b')); // written while the informer was away
    await server.restart();
    await vi.waitFor(() => expect(calls.some((c) => c.startsWith('add d/b@'))).toBe(true), { timeout: 10_000 });
    expect(inf.keys().sort()).toEqual(['d/a', 'd/b']);
  });

  it('does not spin on a server that ends every watch at once', async () => {
    server.closeWatchesAtOnce = true;
    const { inf } = recorded();
    await inf.start().waitForSync();
    await new Promise((r) => setTimeout(r, 1000));
    expect(server.watchRequests().length).toBeLessThanOrEqual(10);
    expect(server.watchRequests().length).toBeGreaterThanOrEqual(2);
  });

  it('retries a failing list with backoff and syncs once the server recovers', async () => {
    server.failWith = 503;
    const { inf, errors } = recorded();
    inf.start();
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(2));
    expect(errors[0]).toEqual({ phase: 'list', message: 'try later' });
    expect(inf.hasSynced()).toBe(false);
    server.failWith = undefined;
    await inf.waitForSync({ timeoutMs: 5000 });
  });

  it('keeps lean projections, transforming each object version once', async () => {
    server.put(configMap('d', 'a', { x: '1', y: '2' }));
    server.put(configMap('d', 'b', { x: '1' }));
    let transforms = 0;
    const inf = new Informer<KubeObject, { name: string; keys: string[] }>(client, CM, {
      transform: (o) => {
        transforms++;
        return { name: o.metadata.name ?? '', keys: Object.keys((o['data'] as Record<string, string>) ?? {}) };
      },
    });
    informers.push(inf as unknown as Informer<KubeObject, unknown>);
    await inf.start().waitForSync();
    expect(inf.get('d/a')).toEqual({ name: 'a', keys: ['x', 'y'] });
    expect(transforms).toBe(2);
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    server.silently(() => server.put(configMap('d', 'b', { z: '3' })));
    server.compact();
    server.expireWatches();
    await vi.waitFor(() => expect(inf.get('d/b')).toEqual({ name: 'b', keys: ['z'] }));
    expect(transforms).toBe(3); // 'a' was unchanged on relist: its projection was kept
  });

  it('reports a throwing handler and keeps delivering to the others', async () => {
    const { inf, calls, errors } = recorded();
    inf.addEventHandler({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    await inf.start().waitForSync();
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    server.put(configMap('d', 'a'));
    server.put(configMap('d', 'b'));
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(errors).toEqual([
      { phase: 'handler', message: 'handler bug' },
      { phase: 'handler', message: 'handler bug' },
    ]);
  });

  it('replays the cache as adds to a handler registered after sync; removal stops delivery', async () => {
    server.put(configMap('d', 'a'));
    const { inf } = recorded();
    await inf.start().waitForSync();
    const late: string[] = [];
    const remove = inf.addEventHandler({ onAdd: (_o, key) => late.push(key) });
    expect(late).toEqual(['d/a']);
    remove();
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    server.put(configMap('d', 'b'));
    await vi.waitFor(() => expect(inf.get('d/b')).toBeDefined());
    expect(late).toEqual(['d/a']);
  });

  it('watches one namespace with selectors when asked', async () => {
    server.put(configMap('one', 'a'));
    server.put(configMap('two', 'b'));
    const { inf } = recorded({ namespace: 'one', labelSelector: 'app=x' });
    await inf.start().waitForSync();
    expect(inf.keys()).toEqual(['one/a']);
    await vi.waitFor(() => expect(server.watchRequests()).toHaveLength(1));
    const w = server.watchRequests()[0];
    expect(w?.path).toBe('/api/v1/namespaces/one/configmaps');
    expect(w?.query.get('labelSelector')).toBe('app=x');
  });

  it('stop() ends the watch, wakes a sleeping retry, and rejects pending waitForSync', async () => {
    server.failWith = 503;
    const { inf } = recorded();
    inf.start();
    const waiting = inf.waitForSync();
    await vi.waitFor(() => expect(server.requests.length).toBeGreaterThanOrEqual(1));
    inf.stop();
    await expect(waiting).rejects.toThrow(/stopped before it synced/);
    const count = server.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(server.requests.length).toBe(count);

    server.failWith = undefined;
    const second = recorded().inf;
    await second.start().waitForSync();
    await vi.waitFor(() => expect(server.openWatches).toBe(1));
    second.stop();
    await vi.waitFor(() => expect(server.openWatches).toBe(0));
  });
});
