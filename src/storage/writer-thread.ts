// The writer: etcd's apply loop with group commit. It owns the only write connection; it
// applies queued writes in arrival order inside one transaction (one fsync for the batch),
// checks each write's precondition against the state left by the writes before it, gives
// each successful write the next revision, and reports outcomes and events after COMMIT.
//
// This function runs in a worker thread and is shipped there as source text
// (Function.prototype.toString, see writer-client.ts), so the same code runs from src under
// vitest and from dist under node without a separate worker entry file. Therefore it must be
// self-contained: it may use only its parameters, type-only imports and globals, never a
// value imported or declared at module scope.

import type BetterSqlite3 from 'better-sqlite3';
import type { KvRow } from './schema.js';
import type { KeyValue, WatchEvent } from './types.js';
import type { OpOutcome, ToWriter, WriteOp, WriterInit, WriterPort } from './writer-protocol.js';

export type DatabaseConstructor = typeof BetterSqlite3;

export function writerThreadMain(port: WriterPort, init: WriterInit, Database: DatabaseConstructor): void {
  let db: BetterSqlite3.Database;
  let revision: number;
  let compacted: number;
  try {
    db = new Database(init.path);
    db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every COMMIT, so an acknowledged write survives power loss.
    // NORMAL: survives a process crash (kill -9) but not power loss.
    db.pragma(`synchronous = ${init.durable ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_size_limit = 67108864');
    db.exec(init.schemaSql);
    const schema = db.prepare("SELECT value FROM meta WHERE name = 'schema'").pluck().get() as number;
    if (schema !== init.schemaVersion) {
      throw new Error(`${init.path} has storage schema ${schema}; this build reads schema ${init.schemaVersion}`);
    }
    revision = db.prepare("SELECT value FROM meta WHERE name = 'revision'").pluck().get() as number;
    compacted = db.prepare("SELECT value FROM meta WHERE name = 'compacted'").pluck().get() as number;
  } catch (err) {
    port.postMessage({ type: 'fatal', message: `cannot open ${init.path}: ${(err as Error).message}` });
    port.close();
    return;
  }

  const selectKv = db.prepare<[string], KvRow>('SELECT key, value, create_revision, mod_revision FROM kv WHERE key = ?');
  const insertKv = db.prepare('INSERT INTO kv (key, value, create_revision, mod_revision) VALUES (?, ?, ?, ?)');
  const updateKv = db.prepare('UPDATE kv SET value = ?, mod_revision = ? WHERE key = ?');
  const deleteKv = db.prepare('DELETE FROM kv WHERE key = ?');
  const insertLog = db.prepare(
    'INSERT INTO log (revision, key, value, create_revision, prev_mod_revision, deleted) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const setMeta = db.prepare('UPDATE meta SET value = ? WHERE name = ?');
  // etcd compaction: drop every log row at or below the revision except, per key, the newest
  // one if it is not a delete; that row is the key's state at the compacted revision, which
  // MVCC lists at revisions >= it and the prevKv of the key's next event still need.
  const compactLog = db.prepare(`
    DELETE FROM log WHERE revision <= @rev AND (
      deleted = 1
      OR revision < (SELECT MAX(m.revision) FROM log AS m WHERE m.key = log.key AND m.revision <= @rev)
    )`);

  function toKv(row: KvRow): KeyValue {
    return { key: row.key, value: row.value, createRevision: row.create_revision, modRevision: row.mod_revision };
  }

  function apply(op: WriteOp, events: WatchEvent[]): OpOutcome {
    if (op.op === 'compact') {
      if (op.revision > revision) {
        return { kind: 'error', code: 'FutureRevision', message: `cannot compact to ${op.revision}: current revision is ${revision}` };
      }
      if (op.revision > compacted) {
        compactLog.run({ rev: op.revision });
        compacted = op.revision;
        setMeta.run(compacted, 'compacted');
      }
      return { kind: 'compacted', compacted };
    }
    const row = selectKv.get(op.key);
    const current = row === undefined ? undefined : toKv(row);
    if (op.op === 'create') {
      if (current !== undefined) return { kind: 'write', result: { ok: false, current } };
      const rev = ++revision;
      insertKv.run(op.key, op.value, rev, rev);
      insertLog.run(rev, op.key, op.value, rev, 0, 0);
      const kv: KeyValue = { key: op.key, value: op.value, createRevision: rev, modRevision: rev };
      events.push({ type: 'put', kv, revision: rev });
      return { kind: 'write', result: { ok: true, kv, revision: rev } };
    }
    if (op.op === 'update') {
      if (current === undefined || current.modRevision !== op.expected) return { kind: 'write', result: { ok: false, current } };
      const rev = ++revision;
      updateKv.run(op.value, rev, op.key);
      insertLog.run(rev, op.key, op.value, current.createRevision, current.modRevision, 0);
      const kv: KeyValue = { key: op.key, value: op.value, createRevision: current.createRevision, modRevision: rev };
      events.push({ type: 'put', kv, prevKv: current, revision: rev });
      return { kind: 'write', result: { ok: true, kv, revision: rev } };
    }
    if (current === undefined) return { kind: 'delete', result: { ok: false } };
    if (op.expected !== undefined && current.modRevision !== op.expected) return { kind: 'delete', result: { ok: false, current } };
    const rev = ++revision;
    deleteKv.run(op.key);
    insertLog.run(rev, op.key, current.value, current.createRevision, current.modRevision, 1);
    // etcd's delete event: the key at the delete's revision; prevKv holds the last value.
    events.push({ type: 'delete', kv: { ...current, modRevision: rev }, prevKv: current, revision: rev });
    return { kind: 'delete', result: { ok: true, prev: current, revision: rev } };
  }

  const selectRevision = db.prepare("SELECT value FROM meta WHERE name = 'revision'").pluck();
  // This thread is the only writer (etcd has one leader applying writes); another process
  // writing the same file would make revisions and the watch cache lie, so it is fatal.
  const foreignWriter = new Error('another process wrote to this store; a store file must have one writer');

  const applyAll = db.transaction((ops: WriteOp[], outcomes: OpOutcome[], events: WatchEvent[], startRevision: number) => {
    if (selectRevision.get() !== startRevision) throw foreignWriter;
    for (const op of ops) outcomes.push(apply(op, events));
    if (revision !== startRevision) setMeta.run(revision, 'revision');
  });

  /** Applies ops in one transaction; on failure retries them one by one so only the bad one fails. */
  function commit(ops: WriteOp[]): void {
    const startRevision = revision;
    const startCompacted = compacted;
    const outcomes: OpOutcome[] = [];
    const events: WatchEvent[] = [];
    try {
      applyAll.immediate(ops, outcomes, events, startRevision);
    } catch (err) {
      revision = startRevision;
      compacted = startCompacted;
      if (err === foreignWriter) {
        closed = true;
        db.close();
        port.postMessage({ type: 'fatal', message: `${init.path}: ${foreignWriter.message}` });
        port.close();
        return;
      }
      if (ops.length > 1) {
        for (const op of ops) commit([op]);
        return;
      }
      const message = `write failed: ${(err as Error).message}`;
      port.postMessage({ type: 'committed', outcomes: [{ kind: 'error', code: 'Internal', message }], events: [], revision, compacted });
      return;
    }
    port.postMessage({ type: 'committed', outcomes, events, revision, compacted });
  }

  const queue: WriteOp[] = [];
  let scheduled = false;
  let closed = false;

  function drain(): void {
    scheduled = false;
    while (queue.length > 0 && !closed) commit(queue.splice(0, init.maxBatch));
  }

  port.on('message', (msg: ToWriter) => {
    if (msg.type === 'ops') {
      if (closed) return;
      for (const op of msg.ops) queue.push(op);
      // Wait one turn of the event loop: every message that arrived while the previous COMMIT
      // was running is delivered first, so they all join this batch.
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
      return;
    }
    if (closed) return;
    drain(); // writes sent before close are applied, as their callers expect
    if (closed) return; // drain hit a fatal error and already shut down
    closed = true;
    db.close();
    port.postMessage({ type: 'closed' });
    port.close();
  });

  port.postMessage({ type: 'ready', revision, compacted });
}
