// Reads on the main thread's own connection. In WAL mode readers never wait for the writer,
// so get/list/count are synchronous and fast. Each multi-statement read runs in one read
// transaction: the rows and the revision it reports come from the same snapshot (etcd's
// range response header revision).

import Database from 'better-sqlite3';
import { prefixRange } from './keys.js';
import type { KeyRange } from './keys.js';
import type { KvRow, LogRow } from './schema.js';
import { StorageError } from './types.js';
import type { KeyValue, ListOptions, ListResult, WatchEvent } from './types.js';

/** A page of history for watch replay. */
export interface HistoryPage {
  events: WatchEvent[];
  /** Every event up to this revision has been considered (matched or not). */
  scannedTo: number;
}

interface LogEventRow extends LogRow {
  prev_value: string | null;
}

/** SQL for a key range on column `col`, with its parameters, so the primary-key index serves it. */
export function rangeSql(range: KeyRange, col = 'key'): { sql: string; params: string[] } {
  const parts = [`${col} ${range.lowerExclusive ? '>' : '>='} ?`];
  const params = [range.lower];
  if (range.upper !== undefined) {
    parts.push(`${col} < ?`);
    params.push(range.upper);
  }
  return { sql: parts.join(' AND '), params };
}

/** The current state of keys in a range, in key order. */
export function currentRangeSql(range: KeyRange): { sql: string; params: string[] } {
  const where = rangeSql(range);
  return { sql: `SELECT key, value, create_revision, mod_revision FROM kv WHERE ${where.sql} ORDER BY key LIMIT ?`, params: where.params };
}

/**
 * The state of keys in a range at revision `?` (the last parameter but one): per key the newest
 * log row at or below it, unless that row is a delete. etcd's MVCC range at a revision.
 */
export function revisionRangeSql(range: KeyRange): { sql: string; params: string[] } {
  const where = rangeSql(range, 'l.key');
  return {
    sql: `SELECT l.key AS key, l.value AS value, l.create_revision AS create_revision, l.revision AS mod_revision
      FROM log AS l
      WHERE ${where.sql} AND l.revision <= @rev AND l.deleted = 0
        AND l.revision = (SELECT MAX(m.revision) FROM log AS m WHERE m.key = l.key AND m.revision <= @rev)
      ORDER BY l.key LIMIT @limit`,
    params: where.params,
  };
}

function toKv(row: KvRow): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.create_revision, modRevision: row.mod_revision };
}

function toEvent(row: LogEventRow): WatchEvent {
  const kv: KeyValue = { key: row.key, value: row.value, createRevision: row.create_revision, modRevision: row.revision };
  if (row.deleted !== 0) {
    // A delete row keeps the key's last value; its previous state is that value at prev_mod_revision.
    return { type: 'delete', kv, prevKv: { ...kv, modRevision: row.prev_mod_revision }, revision: row.revision };
  }
  if (row.prev_mod_revision === 0 || row.prev_value === null) return { type: 'put', kv, revision: row.revision };
  const prevKv: KeyValue = { key: row.key, value: row.prev_value, createRevision: row.create_revision, modRevision: row.prev_mod_revision };
  return { type: 'put', kv, prevKv, revision: row.revision };
}

function compactedError(requested: number, compacted: number): StorageError {
  return new StorageError('Compacted', `revision ${requested} has been compacted; the oldest available is ${compacted}`, compacted);
}

export class SqliteReader {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly metaStmt: Database.Statement<[string], number>;
  private readonly getStmt: Database.Statement<[string], KvRow>;
  private readonly inSnapshot: <T>(fn: () => T) => T;

  constructor(path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -32768');
    this.metaStmt = this.db.prepare<[string], number>('SELECT value FROM meta WHERE name = ?').pluck();
    this.getStmt = this.db.prepare<[string], KvRow>('SELECT key, value, create_revision, mod_revision FROM kv WHERE key = ?');
    const txn = this.db.transaction((fn: () => unknown) => fn());
    this.inSnapshot = <T>(fn: () => T): T => txn(fn) as T;
  }

  close(): void {
    this.db.close();
  }

  revision(): number {
    return this.metaStmt.get('revision')!;
  }

  compacted(): number {
    return this.metaStmt.get('compacted')!;
  }

  get(key: string): KeyValue | undefined {
    const row = this.getStmt.get(key);
    return row === undefined ? undefined : toKv(row);
  }

  count(prefix: string): number {
    const where = rangeSql(prefixRange(prefix));
    return this.stmt(`SELECT COUNT(*) FROM kv WHERE ${where.sql}`).pluck().get(...where.params) as number;
  }

  list(prefix: string, opts: ListOptions = {}): ListResult {
    const limit = opts.limit !== undefined && opts.limit > 0 ? Math.floor(opts.limit) : -1;
    return this.inSnapshot(() => {
      const current = this.revision();
      const at = opts.revision !== undefined && opts.revision > 0 ? opts.revision : current;
      if (at > current) throw new StorageError('FutureRevision', `revision ${at} is newer than the current revision ${current}`);
      const compacted = this.compacted();
      if (at < compacted) throw compactedError(at, compacted);
      const rows = this.rangeRows(prefixRange(prefix, opts.startAfter), at === current ? undefined : at, limit);
      let remaining = 0;
      if (limit > 0 && rows.length === limit) {
        remaining = this.rangeCount(prefixRange(prefix, rows[rows.length - 1]!.key), at === current ? undefined : at);
      }
      return { kvs: rows.map(toKv), revision: at, more: remaining > 0, remaining };
    });
  }

  /**
   * Events under prefix with afterRevision < revision <= uptoRevision, at most `limit`, in
   * revision order, with prevKv. Throws 'Compacted' when part of that history is gone.
   */
  history(prefix: string, afterRevision: number, uptoRevision: number, limit: number): HistoryPage {
    return this.inSnapshot(() => {
      const compacted = this.compacted();
      if (afterRevision < compacted) throw compactedError(afterRevision, compacted);
      const where = rangeSql(prefixRange(prefix), 'l.key');
      const rows = this.stmt(
        `SELECT l.revision, l.key, l.value, l.create_revision, l.prev_mod_revision, l.deleted, p.value AS prev_value
         FROM log AS l LEFT JOIN log AS p ON p.revision = l.prev_mod_revision AND l.deleted = 0
         WHERE l.revision > ? AND l.revision <= ? AND ${where.sql}
         ORDER BY l.revision LIMIT ?`,
      ).all(afterRevision, uptoRevision, ...where.params, limit) as LogEventRow[];
      const events = rows.map(toEvent);
      const scannedTo = rows.length < limit ? uptoRevision : events[events.length - 1]!.revision;
      return { events, scannedTo };
    });
  }

  private rangeRows(range: KeyRange, at: number | undefined, limit: number): KvRow[] {
    if (at === undefined) {
      const q = currentRangeSql(range);
      return this.stmt(q.sql).all(...q.params, limit) as KvRow[];
    }
    const q = revisionRangeSql(range);
    return this.stmt(q.sql).all(...q.params, { rev: at, limit }) as KvRow[];
  }

  private rangeCount(range: KeyRange, at: number | undefined): number {
    if (at === undefined) {
      const where = rangeSql(range);
      return this.stmt(`SELECT COUNT(*) FROM kv WHERE ${where.sql}`).pluck().get(...where.params) as number;
    }
    const q = revisionRangeSql(range);
    return this.stmt(`SELECT COUNT(*) FROM (${q.sql})`).pluck().get(...q.params, { rev: at, limit: -1 }) as number;
  }

  /** Prepared statements are cached by SQL text (a handful of range shapes). */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
