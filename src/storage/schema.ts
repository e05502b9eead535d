// The SQLite layout of etcd's MVCC store. `kv` is the current state (etcd's key index + the
// newest value); `log` holds every revision (etcd's revision-keyed backend), so that watches
// resume from any revision after a restart and lists can read an older revision until
// compaction; `meta` holds the counters (etcd's "meta" bucket: consistent index, compact rev).

export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS kv (
  key             TEXT PRIMARY KEY NOT NULL,
  value           TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  mod_revision    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS log (
  revision          INTEGER PRIMARY KEY,
  key               TEXT NOT NULL,
  -- For a delete: the value the key had (so a delete event carries the last object).
  value             TEXT NOT NULL,
  create_revision   INTEGER NOT NULL,
  -- The key's mod_revision before this write; 0 for a create.
  prev_mod_revision INTEGER NOT NULL,
  deleted           INTEGER NOT NULL
);

-- MVCC reads (newest row of a key at or below a revision) and compaction walk this index.
CREATE INDEX IF NOT EXISTS log_key_revision ON log (key, revision);

CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0), ('compacted', 0), ('schema', ${SCHEMA_VERSION});
`;

/** Row shapes as better-sqlite3 returns them. */
export interface KvRow {
  key: string;
  value: string;
  create_revision: number;
  mod_revision: number;
}

export interface LogRow {
  revision: number;
  key: string;
  value: string;
  create_revision: number;
  prev_mod_revision: number;
  deleted: number;
}
