import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { storeConformance } from './conformance.js';
import type { StoreHarness } from './conformance.js';
import { prefixRange } from './keys.js';
import { currentRangeSql, revisionRangeSql } from './reader.js';
import { SqliteStore } from './sqlite.js';
import type { SqliteStoreOptions } from './sqlite.js';
import type { WatchEvent } from './types.js';

function fileHarness(opts: Omit<SqliteStoreOptions, 'path'>): () => Promise<StoreHarness> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinykube-sqlite-test-'));
    const path = join(dir, 'store.db');
    return {
      store: await SqliteStore.open({ ...opts, path }),
      reopen: () => SqliteStore.open({ ...opts, path }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  };
}

storeConformance('sqlite, durable', fileHarness({ durable: true }));
storeConformance('sqlite, not durable', fileHarness({ durable: false }));
// A watch cache of 2 events: almost every watch replays from the log.
storeConformance('sqlite, tiny watch cache', fileHarness({ durable: false, watchCacheEvents: 2 }));
storeConformance('sqlite, temporary', async () => ({ store: await SqliteStore.open(), cleanup: async () => {} }));

describe('SqliteStore', () => {
  const toClose: SqliteStore[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of toClose.splice(0)) await s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function open(opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const s = await SqliteStore.open(opts);
    toClose.push(s);
    return s;
  }

  function tempPath(): string {
    const dir = mkdtempSync(join(tmpdir(), 'tinykube-sqlite-test-'));
    dirs.push(dir);
    return join(dir, 'store.db');
  }

  it('an empty store is at revision 0, nothing compacted', async () => {
    const store = await open();
    expect(await store.currentRevision()).toBe(0);
    expect(await store.compactedRevision()).toBe(0);
    expect(await store.list('/')).toEqual({ kvs: [], revision: 0, more: false, remaining: 0 });
  });

  it('uses WAL mode', async () => {
    const path = tempPath();
    await open({ path });
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('group-commits concurrent durable writes: fewer transactions than writes', async () => {
    const store = await open({ path: tempPath(), durable: true });
    const results = await Promise.all(Array.from({ length: 256 }, (_, i) => store.create(`/registry/pods/ns/p${i}`, `{"i":${i}}`)));
    expect(results.every((r) => r.ok)).toBe(true);
    const stats = store.stats();
    expect(stats.ops).toBe(256);
    expect(stats.batches).toBeLessThan(256);
    expect(stats.maxBatch).toBeGreaterThan(1);
  });

  it('checks each write of a batch against the writes before it in the same transaction', async () => {
    const store = await open();
    const a = await store.create('/k', '0');
    if (!a.ok) throw new Error('create failed');
    // Issued in one tick, so they share one transaction.
    const [u1, u2, d, c] = await Promise.all([
      store.update('/k', '1', a.revision),
      store.update('/k', '2', a.revision + 1),
      store.delete('/k', a.revision + 2),
      store.create('/k', '3'),
    ]);
    expect([u1.ok, u2.ok, d.ok, c.ok]).toEqual([true, true, true, true]);
    expect(store.stats().maxBatch).toBe(4);
    expect(await store.get('/k')).toEqual({ key: '/k', value: '3', createRevision: a.revision + 4, modRevision: a.revision + 4 });
  });

  it('close applies the writes already issued before stopping', async () => {
    const path = tempPath();
    const store = await SqliteStore.open({ path });
    const writes = Array.from({ length: 100 }, (_, i) => store.create(`/p${i}`, '{}'));
    await store.close();
    expect((await Promise.all(writes)).every((r) => r.ok)).toBe(true);
    const again = await open({ path });
    expect(await again.count('/p')).toBe(100);
  });

  it('caps a transaction at maxBatch writes', async () => {
    const store = await open({ maxBatch: 10 });
    await Promise.all(Array.from({ length: 95 }, (_, i) => store.create(`/p${i}`, '{}')));
    expect(store.stats().maxBatch).toBeLessThanOrEqual(10);
    expect(await store.currentRevision()).toBe(95);
  });

  it('replays a long history from the log in pages, then goes live', async () => {
    const store = await open({ watchCacheEvents: 100 });
    const writes = Array.from({ length: 2500 }, (_, i) => store.create(`/registry/pods/ns/p${i}`, `{"i":${i}}`));
    await Promise.all(writes);
    const got: WatchEvent[] = [];
    let calls = 0;
    store.watch('/registry/pods/', {
      afterRevision: 10,
      onEvents: (events) => {
        calls++;
        got.push(...events);
      },
    });
    const more = Array.from({ length: 50 }, (_, i) => store.create(`/registry/pods/ns/q${i}`, '{}'));
    await Promise.all(more);
    const deadline = Date.now() + 10_000;
    while (got.length < 2540 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(got.map((e) => e.revision)).toEqual(Array.from({ length: 2540 }, (_, i) => i + 11));
    expect(calls).toBeGreaterThan(2);
  });

  it('serves prefix lists from the primary-key index, current and at a revision', async () => {
    const path = tempPath();
    await open({ path });
    const db = new Database(path, { readonly: true });
    const plan = (sql: string, params: unknown[]): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('; ');
    const cur = currentRangeSql(prefixRange('/registry/pods/', '/registry/pods/a'));
    const curPlan = plan(cur.sql, [...cur.params, 10]);
    expect(curPlan).toMatch(/SEARCH kv USING PRIMARY KEY \(key>\? AND key<\?\)/);
    const old = revisionRangeSql(prefixRange('/registry/pods/'));
    const oldPlan = plan(old.sql, [...old.params, { rev: 5, limit: 10 }]);
    expect(oldPlan).toMatch(/SEARCH l USING INDEX log_key_revision \(key>\? AND key<\?\)/);
    expect(oldPlan).not.toMatch(/SCAN/);
    db.close();
  });

  it('a temporary store removes its files on close', async () => {
    const store = await SqliteStore.open();
    const dir = dirname(store.path);
    await store.create('/a', '1');
    expect(existsSync(store.path)).toBe(true);
    await store.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('stops writing, loudly, when another process writes to the same file', async () => {
    const path = tempPath();
    const store = await open({ path });
    await store.create('/a', '1');
    const other = new Database(path);
    other.exec("UPDATE meta SET value = value + 1 WHERE name = 'revision'");
    other.close();
    await expect(store.create('/b', '2')).rejects.toThrow(/another process wrote to this store/);
    await expect(store.create('/c', '3')).rejects.toMatchObject({ code: 'Internal' });
    expect(await store.get('/a')).toMatchObject({ value: '1' });
  });

  it('refuses to open a file that is not a store', async () => {
    const path = tempPath();
    const db = new Database(path);
    db.exec("CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER); INSERT INTO meta VALUES ('schema', 99)");
    db.close();
    await expect(SqliteStore.open({ path })).rejects.toThrow(/schema 99/);
  });
});
