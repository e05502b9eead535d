// The behaviour every Store backend must show, as one vitest suite: etcd v3's semantics as
// the Kubernetes apiserver relies on them (revisions, compare-and-swap on mod_revision,
// range with limit, MVCC reads, watch from a revision, compaction). Run it from a backend's
// test file: storeConformance('sqlite', async () => ({ store, cleanup, reopen })).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from './types.js';
import type { KeyValue, Store, WatchEvent } from './types.js';

export interface StoreHarness {
  /** A fresh, empty store that nothing else writes to (the suite counts revisions). */
  store: Store;
  /** Removes the backend's data. The suite has closed every store it was given by then. */
  cleanup(): Promise<void>;
  /**
   * Opens a new Store on the same data (the suite closes the previous one first). Without it,
   * the persistence tests are skipped.
   */
  reopen?(): Promise<Store>;
}

/** A watch that records what it receives, for assertions. */
interface Recorder {
  events: WatchEvent[];
  errors: StorageError[];
  /** Resolves once at least n events arrived (or rejects after a timeout, showing what came). */
  waitFor(n: number): Promise<WatchEvent[]>;
  waitForError(): Promise<StorageError>;
  cancel(): void;
}

function record(store: Store, prefix: string, afterRevision: number): Recorder {
  const events: WatchEvent[] = [];
  const errors: StorageError[] = [];
  const watch = store.watch(prefix, {
    afterRevision,
    onEvents: (batch) => events.push(...batch),
    onError: (err) => errors.push(err),
  });
  const until = async (done: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!done()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; got ${events.length} events (${events.map((e) => e.revision).join(',')}) and errors [${errors.map((e) => e.code).join(',')}]`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  return {
    events,
    errors,
    waitFor: async (n) => {
      await until(() => events.length >= n || errors.length > 0, `${n} events on ${prefix}`);
      if (events.length < n) throw new Error(`watch on ${prefix} from ${afterRevision} failed after ${events.length} events: ${errors[0]!.code}: ${errors[0]!.message}`);
      return events;
    },
    waitForError: async () => {
      await until(() => errors.length > 0, `an error on ${prefix}`);
      return errors[0]!;
    },
    cancel: () => watch.cancel(),
  };
}

/** Lets pending deliveries run (several turns of the event loop). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
}

async function mustCreate(store: Store, key: string, value: string): Promise<KeyValue> {
  const res = await store.create(key, value);
  if (!res.ok) throw new Error(`create ${key} failed: it exists`);
  return res.kv;
}

async function expectStorageError(p: Promise<unknown>, code: StorageError['code']): Promise<StorageError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StorageError);
  expect((err as StorageError).code).toBe(code);
  return err as StorageError;
}

function revisions(events: WatchEvent[]): number[] {
  return events.map((e) => e.revision);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export function storeConformance(name: string, factory: () => Promise<StoreHarness>): void {
  describe(`${name}: Store conformance`, () => {
    let harness: StoreHarness;
    let store: Store;
    /** The revision of the fresh store (0 for SQLite; a backend such as etcd may start higher). */
    let base: number;
    const opened: Store[] = [];

    beforeEach(async () => {
      harness = await factory();
      store = harness.store;
      opened.push(store);
      base = await store.currentRevision();
    });

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await harness.cleanup();
    });

    /** Closes the store and opens it again on the same data (only where the harness can). */
    async function reopen(): Promise<Store> {
      await store.close();
      store = await harness.reopen!();
      opened.push(store);
      return store;
    }

    describe('create, get, update, delete (etcd txn compare on create_revision / mod_revision)', () => {
      it('starts empty', async () => {
        expect(base).toBeGreaterThanOrEqual(0);
        expect(await store.compactedRevision()).toBeLessThanOrEqual(base);
        expect(await store.get('/registry/pods/default/a')).toBeUndefined();
        expect(await store.list('/registry/')).toEqual({ kvs: [], revision: base, more: false, remaining: 0 });
        expect(await store.count('/registry/')).toBe(0);
      });

      it('create stores the value at a new revision; a second create of the key fails with its current state', async () => {
        const res = await store.create('/registry/pods/default/a', '{"n":1}');
        expect(res.ok).toBe(true);
        if (!res.ok) return;
        expect(res.kv).toEqual({ key: '/registry/pods/default/a', value: '{"n":1}', createRevision: res.revision, modRevision: res.revision });
        expect(await store.get('/registry/pods/default/a')).toEqual(res.kv);
        expect(await store.currentRevision()).toBe(res.revision);

        const again = await store.create('/registry/pods/default/a', '{"n":2}');
        expect(again).toEqual({ ok: false, current: res.kv });
        expect(await store.currentRevision()).toBe(res.revision);
      });

      it('update is a compare-and-swap on modRevision and keeps createRevision', async () => {
        const kv = await mustCreate(store, '/registry/pods/default/a', '{"n":1}');
        const up = await store.update(kv.key, '{"n":2}', kv.modRevision);
        expect(up.ok).toBe(true);
        if (!up.ok) return;
        expect(up.kv).toEqual({ key: kv.key, value: '{"n":2}', createRevision: kv.createRevision, modRevision: up.revision });
        expect(up.revision).toBeGreaterThan(kv.modRevision);

        const stale = await store.update(kv.key, '{"n":3}', kv.modRevision);
        expect(stale).toEqual({ ok: false, current: up.kv });
        expect(await store.get(kv.key)).toEqual(up.kv);
        expect(await store.currentRevision()).toBe(up.revision);
      });

      it('update of a missing key fails without a current state', async () => {
        expect(await store.update('/registry/pods/default/none', '{}', base + 1)).toEqual({ ok: false });
        expect(await store.currentRevision()).toBe(base);
      });

      it('delete with a matching modRevision removes the key and returns its last state', async () => {
        const kv = await mustCreate(store, '/registry/pods/default/a', '{"n":1}');
        const wrong = await store.delete(kv.key, kv.modRevision + 100);
        expect(wrong).toEqual({ ok: false, current: kv });
        const del = await store.delete(kv.key, kv.modRevision);
        expect(del).toEqual({ ok: true, prev: kv, revision: await store.currentRevision() });
        expect(del.ok && del.revision).toBeGreaterThan(kv.modRevision);
        expect(await store.get(kv.key)).toBeUndefined();
        expect(await store.count('/registry/')).toBe(0);
      });

      it('delete without a revision is unconditional; deleting a missing key fails', async () => {
        const kv = await mustCreate(store, '/registry/pods/default/a', '{}');
        await store.update(kv.key, '{"x":1}', kv.modRevision);
        const del = await store.delete(kv.key);
        expect(del.ok).toBe(true);
        expect(await store.delete(kv.key)).toEqual({ ok: false });
        expect(await store.delete('/registry/pods/default/none', 5)).toEqual({ ok: false });
      });

      it('a key created again after a delete gets a new createRevision', async () => {
        const first = await mustCreate(store, '/registry/pods/default/a', '{"v":1}');
        await store.delete(first.key);
        const second = await mustCreate(store, '/registry/pods/default/a', '{"v":2}');
        expect(second.createRevision).toBeGreaterThan(first.createRevision);
        expect(second.createRevision).toBe(second.modRevision);
      });

      it('values round-trip exactly', async () => {
        const value = JSON.stringify({ s: 'héllo ✓ 𝄞 \u0000 "q" \\ \n', n: 1.5, a: [null, true] });
        const kv = await mustCreate(store, '/registry/configmaps/default/u', value);
        expect((await store.get(kv.key))!.value).toBe(value);
        expect((await store.list('/registry/configmaps/')).kvs[0]!.value).toBe(value);
      });
    });

    describe('revisions (one global etcd revision per write)', () => {
      it('are strictly increasing and shared across keys; failed writes do not take one', async () => {
        const seen: number[] = [];
        for (let i = 0; i < 5; i++) {
          const a = await mustCreate(store, `/registry/pods/default/p${i}`, '{}');
          seen.push(a.modRevision);
          const b = await mustCreate(store, `/registry/services/default/s${i}`, '{}');
          seen.push(b.modRevision);
          await store.create(`/registry/pods/default/p${i}`, '{}'); // fails
          const u = await store.update(b.key, '{"u":1}', b.modRevision);
          if (u.ok) seen.push(u.revision);
        }
        for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
        expect(await store.currentRevision()).toBe(seen[seen.length - 1]);
      });

      it('concurrent writes all get distinct revisions', async () => {
        const results = await Promise.all(range(1, 50).map((i) => store.create(`/registry/pods/ns/p${i}`, `{"i":${i}}`)));
        const revs = results.map((r) => (r.ok ? r.revision : -1));
        expect(new Set(revs).size).toBe(50);
        expect(Math.min(...revs)).toBeGreaterThan(base);
        expect(await store.currentRevision()).toBe(Math.max(...revs));
      });
    });

    describe('concurrent compare-and-swap', () => {
      it('of many updates with the same expected revision, exactly one wins', async () => {
        const kv = await mustCreate(store, '/registry/leases/kube-system/leader', '{"holder":""}');
        const results = await Promise.all(range(1, 20).map((i) => store.update(kv.key, `{"holder":"n${i}"}`, kv.modRevision)));
        const winners = results.filter((r) => r.ok);
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        if (!winner.ok) return;
        for (const r of results) if (!r.ok) expect(r.current).toEqual(winner.kv);
        expect(await store.get(kv.key)).toEqual(winner.kv);
      });

      it('of many creates of one key, exactly one wins', async () => {
        const results = await Promise.all(range(1, 20).map((i) => store.create('/registry/pods/default/race', `{"i":${i}}`)));
        expect(results.filter((r) => r.ok)).toHaveLength(1);
      });

      it('of many deletes with the same expected revision, exactly one wins', async () => {
        const kv = await mustCreate(store, '/registry/pods/default/d', '{}');
        const results = await Promise.all(range(1, 10).map(() => store.delete(kv.key, kv.modRevision)));
        expect(results.filter((r) => r.ok)).toHaveLength(1);
      });
    });

    describe('list (etcd range over a prefix)', () => {
      it('returns the keys under a prefix in key order, without sibling prefixes', async () => {
        for (const key of [
          '/registry/pods/ns2/b',
          '/registry/podsx/ns1/a',
          '/registry/pods/ns1/b',
          '/registry/pod/ns1/a',
          '/registry/pods/ns1/a',
          '/registry/pods0',
        ]) {
          await mustCreate(store, key, `{"k":"${key}"}`);
        }
        const res = await store.list('/registry/pods/');
        expect(res.kvs.map((kv) => kv.key)).toEqual(['/registry/pods/ns1/a', '/registry/pods/ns1/b', '/registry/pods/ns2/b']);
        expect(res.revision).toBe(await store.currentRevision());
        expect(res.more).toBe(false);
        expect((await store.list('/registry/pods/ns1/')).kvs).toHaveLength(2);
        expect(await store.count('/registry/pods/')).toBe(3);
        expect(await store.count('/registry/pods')).toBe(5);
        expect(await store.count('')).toBe(6);
        expect((await store.list('/registry/nothing/')).kvs).toEqual([]);
      });

      it('paginates with limit and startAfter, reporting more and remaining', async () => {
        for (let i = 0; i < 25; i++) await mustCreate(store, `/registry/pods/ns/p${String(i).padStart(2, '0')}`, `{"i":${i}}`);
        await mustCreate(store, '/registry/podsx/ns/zz', '{}');
        const keys: string[] = [];
        const pages: { n: number; more: boolean; remaining: number | undefined }[] = [];
        let startAfter: string | undefined;
        for (;;) {
          const page = await store.list('/registry/pods/', { limit: 10, startAfter });
          keys.push(...page.kvs.map((kv) => kv.key));
          pages.push({ n: page.kvs.length, more: page.more, remaining: page.remaining });
          if (!page.more) break;
          startAfter = page.kvs[page.kvs.length - 1]!.key;
        }
        expect(pages).toEqual([
          { n: 10, more: true, remaining: 15 },
          { n: 10, more: true, remaining: 5 },
          { n: 5, more: false, remaining: 0 },
        ]);
        expect(keys).toEqual(range(0, 24).map((i) => `/registry/pods/ns/p${String(i).padStart(2, '0')}`));
      });

      it('a page that ends exactly at the last key has no more', async () => {
        for (let i = 0; i < 4; i++) await mustCreate(store, `/registry/pods/ns/p${i}`, '{}');
        const page = await store.list('/registry/pods/', { limit: 4 });
        expect(page.kvs).toHaveLength(4);
        expect(page.more).toBe(false);
        expect(page.remaining ?? 0).toBe(0);
      });

      it('startAfter before the prefix starts at the prefix; after it, returns nothing', async () => {
        await mustCreate(store, '/registry/pods/ns/a', '{}');
        expect((await store.list('/registry/pods/', { startAfter: '/registry/a' })).kvs).toHaveLength(1);
        expect((await store.list('/registry/pods/', { startAfter: '/registry/z' })).kvs).toHaveLength(0);
      });
    });

    describe('list at a revision (etcd MVCC read)', () => {
      it('reads the state as of an older revision', async () => {
        const a = await mustCreate(store, '/registry/pods/ns/a', '{"v":"a1"}');
        const b = await mustCreate(store, '/registry/pods/ns/b', '{"v":"b1"}');
        const at = b.modRevision;
        const a2 = await store.update(a.key, '{"v":"a2"}', a.modRevision);
        await store.delete(b.key);
        await mustCreate(store, '/registry/pods/ns/c', '{"v":"c1"}');
        await mustCreate(store, '/registry/podsx/ns/x', '{}');

        const old = await store.list('/registry/pods/', { revision: at });
        expect(old.revision).toBe(at);
        expect(old.kvs).toEqual([a, b]);
        const before = await store.list('/registry/pods/', { revision: a.modRevision });
        expect(before.kvs).toEqual([a]);
        const now = await store.list('/registry/pods/');
        expect(now.kvs.map((kv) => kv.value)).toEqual(['{"v":"a2"}', '{"v":"c1"}']);
        expect(a2.ok && now.kvs[0]).toEqual(a2.ok ? a2.kv : undefined);
      });

      it('paginates at a revision, unaffected by later writes', async () => {
        for (let i = 0; i < 7; i++) await mustCreate(store, `/registry/pods/ns/p${i}`, `{"i":${i}}`);
        const first = await store.list('/registry/pods/', { limit: 3 });
        expect(first).toMatchObject({ more: true, remaining: 4 });
        // Writes between pages must not show in the following pages read at the first page's revision.
        await store.delete('/registry/pods/ns/p4');
        await mustCreate(store, '/registry/pods/ns/p35', '{}');
        const got = [...first.kvs];
        let last = first;
        while (last.more) {
          last = await store.list('/registry/pods/', { limit: 3, startAfter: got[got.length - 1]!.key, revision: first.revision });
          expect(last.revision).toBe(first.revision);
          got.push(...last.kvs);
        }
        expect(got.map((kv) => kv.key)).toEqual(range(0, 6).map((i) => `/registry/pods/ns/p${i}`));
        const second = await store.list('/registry/pods/', { limit: 3, startAfter: first.kvs[2]!.key, revision: first.revision });
        expect(second).toMatchObject({ more: true, remaining: 1 });
      });

      it('a revision newer than the current one is FutureRevision', async () => {
        await mustCreate(store, '/registry/pods/ns/a', '{}');
        const rev = await store.currentRevision();
        await expectStorageError(store.list('/registry/pods/', { revision: rev + 1 }), 'FutureRevision');
        expect((await store.list('/registry/pods/', { revision: rev })).kvs).toHaveLength(1);
      });
    });

    describe('watch (etcd watch from a revision)', () => {
      it('replays history after the given revision, then continues live, in order, without gaps or duplicates', async () => {
        const created: KeyValue[] = [];
        for (let i = 0; i < 5; i++) created.push(await mustCreate(store, `/registry/pods/ns/p${i}`, `{"i":${i}}`));
        const from = created[1]!.modRevision;
        const w = record(store, '/registry/pods/', from);
        for (let i = 5; i < 10; i++) await mustCreate(store, `/registry/pods/ns/p${i}`, `{"i":${i}}`);
        const events = await w.waitFor(8);
        await settle();
        expect(revisions(w.events)).toEqual(range(from + 1, from + 8));
        expect(events[0]).toEqual({ type: 'put', kv: created[2], revision: created[2]!.modRevision });
        expect(w.errors).toEqual([]);
        w.cancel();
      });

      it('watches started in the middle of a write burst see every later event exactly once', async () => {
        const total = 300;
        const writes: Promise<unknown>[] = [];
        const watchers: { from: number; rec: Recorder }[] = [];
        for (let i = 0; i < total; i++) {
          writes.push(store.create(`/registry/pods/ns/p${i}`, `{"i":${i}}`));
          if (i % 60 === 30) {
            await new Promise((r) => setImmediate(r));
            const from = await store.currentRevision();
            watchers.push({ from, rec: record(store, '/registry/pods/', from) });
          }
        }
        await Promise.all(writes);
        const end = await store.currentRevision();
        expect(end).toBe(base + total);
        for (const { from, rec } of watchers) {
          await rec.waitFor(end - from);
          await settle();
          expect(revisions(rec.events)).toEqual(range(from + 1, end));
          rec.cancel();
        }
      });

      it("from the store's first revision delivers the whole history", async () => {
        const w = record(store, '', base);
        await mustCreate(store, '/a', '1');
        await mustCreate(store, '/b', '2');
        await store.delete('/a');
        await w.waitFor(3);
        expect(w.events.map((e) => [e.type, e.kv.key, e.revision])).toEqual([
          ['put', '/a', base + 1],
          ['put', '/b', base + 2],
          ['delete', '/a', base + 3],
        ]);
      });

      it('a watch from the current revision delivers only new events', async () => {
        await mustCreate(store, '/registry/pods/ns/a', '{}');
        const now = await store.currentRevision();
        const w = record(store, '/registry/pods/', now);
        await settle();
        expect(w.events).toEqual([]);
        const b = await mustCreate(store, '/registry/pods/ns/b', '{}');
        await w.waitFor(1);
        expect(revisions(w.events)).toEqual([b.modRevision]);
      });

      it('filters by prefix (no sibling prefixes)', async () => {
        const pods = record(store, '/registry/pods/', base);
        const ns1 = record(store, '/registry/pods/ns1/', base);
        await mustCreate(store, '/registry/podsx/ns1/a', '{}');
        await mustCreate(store, '/registry/pods/ns1/a', '{}');
        await mustCreate(store, '/registry/pods/ns2/a', '{}');
        await mustCreate(store, '/registry/pods', '{}');
        await pods.waitFor(2);
        await ns1.waitFor(1);
        await settle();
        expect(pods.events.map((e) => e.kv.key)).toEqual(['/registry/pods/ns1/a', '/registry/pods/ns2/a']);
        expect(ns1.events.map((e) => e.kv.key)).toEqual(['/registry/pods/ns1/a']);
      });

      it('put events carry prevKv for updates; delete events carry the last value and prevKv', async () => {
        const w = record(store, '/registry/pods/', base);
        const a = await mustCreate(store, '/registry/pods/ns/a', '{"v":1}');
        const up = await store.update(a.key, '{"v":2}', a.modRevision);
        if (!up.ok) throw new Error('update failed');
        const del = await store.delete(a.key);
        if (!del.ok) throw new Error('delete failed');
        const live = await w.waitFor(3);
        const expected: WatchEvent[] = [
          { type: 'put', kv: a, revision: a.modRevision },
          { type: 'put', kv: up.kv, prevKv: a, revision: up.revision },
          { type: 'delete', kv: { ...up.kv, modRevision: del.revision }, prevKv: up.kv, revision: del.revision },
        ];
        expect(live).toEqual(expected);
        // The same events replayed from history.
        const replay = record(store, '/registry/pods/', base);
        expect(await replay.waitFor(3)).toEqual(expected);
      });

      it('cancel stops delivery', async () => {
        const w = record(store, '/registry/pods/', base);
        await mustCreate(store, '/registry/pods/ns/a', '{}');
        await w.waitFor(1);
        w.cancel();
        await mustCreate(store, '/registry/pods/ns/b', '{}');
        await settle();
        expect(w.events).toHaveLength(1);
      });

      it('a handler that throws ends only its own watch', async () => {
        const errors: StorageError[] = [];
        store.watch('/registry/pods/', {
          afterRevision: base,
          onEvents: () => {
            throw new Error('boom');
          },
          onError: (err) => errors.push(err),
        });
        const ok = record(store, '/registry/pods/', base);
        await mustCreate(store, '/registry/pods/ns/a', '{}');
        await mustCreate(store, '/registry/pods/ns/b', '{}');
        await ok.waitFor(2);
        expect(errors).toHaveLength(1);
      });

      it('100 watchers each receive exactly their own events', async () => {
        const recs = range(0, 99).map((i) => record(store, `/registry/configmaps/ns${i % 10}/`, base));
        const all = record(store, '/registry/configmaps/', base);
        const writes = range(0, 199).map((i) => store.create(`/registry/configmaps/ns${i % 10}/c${i}`, `{"i":${i}}`));
        await Promise.all(writes);
        await all.waitFor(200);
        for (const rec of recs) await rec.waitFor(20);
        await settle();
        for (const [i, rec] of recs.entries()) {
          expect(rec.events).toHaveLength(20);
          for (const e of rec.events) expect(e.kv.key.startsWith(`/registry/configmaps/ns${i % 10}/`)).toBe(true);
          const revs = revisions(rec.events);
          expect([...revs].sort((x, y) => x - y)).toEqual(revs);
        }
        for (const r of recs) r.cancel();
        all.cancel();
      });
    });

    describe('compaction', () => {
      it('makes older revisions Compacted for list and watch, keeps newer ones readable', async () => {
        const a = await mustCreate(store, '/registry/pods/ns/a', '{"v":1}');
        const b = await mustCreate(store, '/registry/pods/ns/b', '{"v":1}');
        const a2 = await store.update(a.key, '{"v":2}', a.modRevision);
        if (!a2.ok) throw new Error('update failed');
        await store.delete(b.key);
        const c = await mustCreate(store, '/registry/pods/ns/c', '{"v":1}');
        const at = c.modRevision; // compact here
        const a3 = await store.update(a.key, '{"v":3}', a2.revision);
        if (!a3.ok) throw new Error('update failed');

        await store.compact(at);
        expect(await store.compactedRevision()).toBe(at);

        const listErr = await expectStorageError(store.list('/registry/pods/', { revision: at - 1 }), 'Compacted');
        expect(listErr.compactRevision).toBe(at);
        const watchErr = await record(store, '/registry/pods/', at - 1).waitForError();
        expect(watchErr).toBeInstanceOf(StorageError);
        expect(watchErr.code).toBe('Compacted');
        expect(watchErr.compactRevision).toBe(at);

        // The compacted revision itself stays readable; later events keep their prevKv.
        expect((await store.list('/registry/pods/', { revision: at })).kvs).toEqual([a2.kv, c]);
        const w = record(store, '/registry/pods/', at);
        expect(await w.waitFor(1)).toEqual([{ type: 'put', kv: a3.kv, prevKv: a2.kv, revision: a3.revision }]);
        expect((await store.list('/registry/pods/')).kvs).toEqual([a3.kv, c]);
      });

      it('compacting again to an older revision is harmless; to a future revision fails', async () => {
        for (let i = 0; i < 4; i++) await mustCreate(store, `/registry/pods/ns/p${i}`, '{}');
        await store.compact(base + 3);
        await store.compact(base + 2);
        expect(await store.compactedRevision()).toBe(base + 3);
        await expectStorageError(store.compact(base + 100), 'FutureRevision');
        expect((await store.list('/registry/pods/', { revision: base + 3 })).kvs).toHaveLength(3);
      });

      it('a key deleted before the compacted revision stays deleted at later revisions', async () => {
        const a = await mustCreate(store, '/registry/pods/ns/a', '{}');
        await store.delete(a.key);
        const b = await mustCreate(store, '/registry/pods/ns/b', '{}');
        await store.compact(b.modRevision);
        expect((await store.list('/registry/pods/', { revision: b.modRevision })).kvs).toEqual([b]);
        const again = await mustCreate(store, a.key, '{"again":true}');
        const w = record(store, '/registry/pods/', b.modRevision);
        expect(await w.waitFor(1)).toEqual([{ type: 'put', kv: again, revision: again.modRevision }]);
      });
    });

    describe('close', () => {
      it('is idempotent, and later calls fail with Closed', async () => {
        await mustCreate(store, '/registry/pods/ns/a', '{}');
        await store.close();
        await store.close();
        await expectStorageError(store.create('/registry/pods/ns/b', '{}'), 'Closed');
        await expectStorageError(store.get('/registry/pods/ns/a'), 'Closed');
      });

      it('settles writes still in flight: applied, or rejected with Closed', async () => {
        const writes = range(1, 100).map((i) => store.create(`/registry/pods/ns/p${i}`, '{}'));
        const closing = store.close();
        const settled = await Promise.allSettled(writes);
        await closing;
        for (const s of settled) {
          if (s.status === 'rejected') expect((s.reason as StorageError).code).toBe('Closed');
          else expect(s.value.ok).toBe(true);
        }
      });
    });

    describe('persistence (reopen)', () => {
      it('keeps data, the revision counter, the log and the compacted revision', async (ctx) => {
        if (harness.reopen === undefined) return ctx.skip();
        const a = await mustCreate(store, '/registry/pods/ns/a', '{"v":1}');
        const b = await mustCreate(store, '/registry/pods/ns/b', '{"v":1}');
        const a2 = await store.update(a.key, '{"v":2}', a.modRevision);
        await store.delete(b.key);
        await store.compact(b.modRevision);
        const rev = await store.currentRevision();
        const live = record(store, '/registry/pods/', b.modRevision);
        await live.waitFor(2);

        const reopened = await reopen();
        expect(await reopened.currentRevision()).toBe(rev);
        expect(await reopened.compactedRevision()).toBe(b.modRevision);
        expect(await reopened.get(a.key)).toEqual(a2.ok ? a2.kv : undefined);
        expect(await reopened.get(b.key)).toBeUndefined();
        // A watch resumes from before the restart, from the log.
        const resumed = record(reopened, '/registry/pods/', b.modRevision);
        expect(await resumed.waitFor(2)).toEqual(live.events);
        await expectStorageError(reopened.list('/registry/pods/', { revision: a.modRevision }), 'Compacted');
        expect((await reopened.list('/registry/pods/', { revision: b.modRevision })).kvs).toEqual([a, b]);
        const c = await mustCreate(reopened, '/registry/pods/ns/c', '{}');
        expect(c.modRevision).toBe(rev + 1);
        await resumed.waitFor(3);
        expect(resumed.events[2]!.kv).toEqual(c);
      });
    });
  });
}
