// Storage benchmark: group commit vs one fsync per write, reads, and a 10,000-key list.
// Runs the compiled store: `npx tsc -p tsconfig.json && node bench/storage-bench.mjs [dir]`.
// Bounded by counts, not time. Data goes to a temporary directory (or [dir], to measure a
// particular disk) and is removed afterwards.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { SqliteStore } from '../dist/storage/index.js';

const BASELINE_WRITES = 3_000;
const STORE_WRITES = 20_000;
const SEQUENTIAL_WRITES = 2_000;
const IN_FLIGHT = 64;
const GETS = 100_000;
const LIST_KEYS = 10_000;

const base = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'tinykube-bench-'));
const rows = [];
const report = (what, n, ms, extra = '') => {
  rows.push({ what, n, ms, rate: (n / ms) * 1000, extra });
  console.error(`  ${what}: ${Math.round((n / ms) * 1000)}/s ${extra}`);
};
const value = (i) => JSON.stringify({ kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'bench' }, data: { i: String(i), pad: 'x'.repeat(200) } });

/** The baseline: plain better-sqlite3, WAL, synchronous=FULL, one transaction (one fsync) per write. */
function baseline() {
  const db = new Database(join(base, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const insert = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)');
  const t0 = performance.now();
  for (let i = 0; i < BASELINE_WRITES; i++) insert.run(`/registry/configmaps/bench/c${i}`, value(i));
  report('baseline: better-sqlite3, 1 txn per write, FULL', BASELINE_WRITES, performance.now() - t0, '(blocks the event loop on every fsync)');
  db.close();
}

/** `count` creates through the store, `inFlight` at a time; reports rate, batches and event-loop delay. */
async function creates(store, label, prefix, count, inFlight) {
  const before = store.stats();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < count; i = next++) {
        const res = await store.create(`${prefix}c${String(i).padStart(6, '0')}`, value(i));
        if (!res.ok) throw new Error('create failed');
      }
    }),
  );
  const ms = performance.now() - t0;
  delay.disable();
  const after = store.stats();
  const batches = after.batches - before.batches;
  report(label, count, ms, `txns=${batches} avg batch=${(count / batches).toFixed(1)} max batch=${after.maxBatch} loop delay p99=${(delay.percentile(99) / 1e6).toFixed(1)}ms max=${(delay.max / 1e6).toFixed(1)}ms`);
}

async function main() {
  console.error(`storage bench in ${base}`);
  baseline();

  const durable = await SqliteStore.open({ path: join(base, 'durable.db'), durable: true });
  await creates(durable, `SqliteStore durable, 1 in flight`, '/registry/configmaps/seq/', SEQUENTIAL_WRITES, 1);
  await creates(durable, `SqliteStore durable, ${IN_FLIGHT} in flight`, '/registry/configmaps/bench/', STORE_WRITES, IN_FLIGHT);
  await creates(durable, `SqliteStore durable, ${IN_FLIGHT} in flight (10k list set)`, '/registry/pods/bench/', LIST_KEYS, IN_FLIGHT);

  let t0 = performance.now();
  for (let i = 0; i < GETS; i++) {
    const kv = await durable.get(`/registry/configmaps/bench/c${String((i * 7919) % STORE_WRITES).padStart(6, '0')}`);
    if (kv === undefined) throw new Error('get missed');
  }
  report('get (awaited, random keys of 20k)', GETS, performance.now() - t0);

  const lists = 20;
  t0 = performance.now();
  for (let i = 0; i < lists; i++) {
    const res = await durable.list('/registry/pods/bench/');
    if (res.kvs.length !== LIST_KEYS) throw new Error(`list returned ${res.kvs.length}`);
  }
  let ms = performance.now() - t0;
  report(`list of ${LIST_KEYS} keys`, lists, ms, `${(ms / lists).toFixed(1)} ms per list`);

  // A write after `rev` makes the paged list below an MVCC read from the log, as a
  // Kubernetes list continuation is (every page at the first page's resourceVersion).
  const rev = await durable.currentRevision();
  await durable.create('/registry/pods/bench/zz-after', '{}');
  t0 = performance.now();
  let pages = 0;
  for (let startAfter; ; pages++) {
    const page = await durable.list('/registry/pods/bench/', { limit: 500, startAfter, revision: rev });
    if (!page.more) break;
    startAfter = page.kvs[page.kvs.length - 1].key;
  }
  ms = performance.now() - t0;
  report(`list of ${LIST_KEYS} keys in pages of 500 at a revision`, 1, ms, `${ms.toFixed(1)} ms for ${pages + 1} pages`);

  const watchers = 100;
  let delivered = 0;
  const watches = Array.from({ length: watchers }, (_, i) =>
    durable.watch(i % 2 === 0 ? '/registry/services/' : `/registry/services/ns${i % 10}/`, {
      afterRevision: 0,
      onEvents: (events) => (delivered += events.length),
    }),
  );
  await creates(durable, `SqliteStore durable, ${IN_FLIGHT} in flight, ${watchers} watchers`, '/registry/services/ns1/', STORE_WRITES / 2, IN_FLIGHT);
  while (delivered < (STORE_WRITES / 2) * 60) await new Promise((r) => setTimeout(r, 5));
  for (const w of watches) w.cancel();
  await durable.close();

  const fast = await SqliteStore.open({ path: join(base, 'fast.db'), durable: false });
  await creates(fast, `SqliteStore not durable, ${IN_FLIGHT} in flight`, '/registry/configmaps/bench/', STORE_WRITES, IN_FLIGHT);
  await fast.close();

  console.log('\n| measurement | ops | ms | ops/s | notes |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const r of rows) console.log(`| ${r.what} | ${r.n} | ${r.ms.toFixed(0)} | ${Math.round(r.rate)} | ${r.extra} |`);
}

try {
  await main();
} finally {
  rmSync(base, { recursive: true, force: true });
}
