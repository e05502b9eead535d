// The embedded backend (etcd's role on one machine): SQLite in WAL mode. Writes go to the
// writer thread (group commit, fsync off the main thread); reads use this thread's own
// connection; watches are served from the watch cache and the log.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SqliteReader } from './reader.js';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';
import { StorageError } from './types.js';
import type { DeleteResult, KeyValue, ListOptions, ListResult, Store, Watch, WatchOptions, WriteResult } from './types.js';
import { WatchHub } from './watch-hub.js';
import { WriterClient } from './writer-client.js';
import type { WriterStats } from './writer-client.js';
import type { OpOutcome, WriteOp } from './writer-protocol.js';

export interface SqliteStoreOptions {
  /** The database file; absent: a temporary file, removed on close. */
  path?: string;
  /** fsync every commit (survives power loss). Default: true with a path, false for a temporary store. */
  durable?: boolean;
  /** Events kept in memory for watches from recent revisions (default 10,000). */
  watchCacheEvents?: number;
  /** Most writes in one transaction (default 10,000). */
  maxBatch?: number;
}

export class SqliteStore implements Store {
  private closing: Promise<void> | undefined;

  private constructor(
    /** The database file. */
    readonly path: string,
    private readonly writer: WriterClient,
    private readonly reader: SqliteReader,
    private readonly hub: WatchHub,
    private readonly tempDir: string | undefined,
  ) {}

  static async open(opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const tempDir = opts.path === undefined ? mkdtempSync(join(tmpdir(), 'tinykube-store-')) : undefined;
    const path = opts.path ?? join(tempDir!, 'store.db');
    mkdirSync(dirname(path), { recursive: true });
    let hub: WatchHub | undefined;
    try {
      const { writer, revision } = await WriterClient.start(
        {
          path,
          durable: opts.durable ?? opts.path !== undefined,
          schemaSql: SCHEMA_SQL,
          schemaVersion: SCHEMA_VERSION,
          maxBatch: opts.maxBatch ?? 10_000,
        },
        { onCommitted: (events) => hub!.publish(events) },
      );
      let reader: SqliteReader;
      try {
        reader = new SqliteReader(path);
        hub = new WatchHub(reader, revision, opts.watchCacheEvents ?? 10_000);
      } catch (err) {
        await writer.close();
        throw err;
      }
      return new SqliteStore(path, writer, reader, hub, tempDir);
    } catch (err) {
      if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Group-commit figures since open. */
  stats(): WriterStats {
    return { ...this.writer.stats };
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.read(() => this.reader.get(key));
  }

  list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    return this.read(() => this.reader.list(prefix, opts));
  }

  count(prefix: string): Promise<number> {
    return this.read(() => this.reader.count(prefix));
  }

  currentRevision(): Promise<number> {
    return this.read(() => this.reader.revision());
  }

  compactedRevision(): Promise<number> {
    return this.read(() => this.reader.compacted());
  }

  async create(key: string, value: string): Promise<WriteResult> {
    return writeResult(await this.write({ op: 'create', key, value }));
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<WriteResult> {
    return writeResult(await this.write({ op: 'update', key, value, expected: expectedModRevision }));
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    const outcome = await this.write(expectedModRevision === undefined ? { op: 'delete', key } : { op: 'delete', key, expected: expectedModRevision });
    if (outcome.kind !== 'delete') throw unexpected(outcome);
    return outcome.result;
  }

  async compact(revision: number): Promise<void> {
    const outcome = await this.writer.submit({ op: 'compact', revision });
    if (outcome.kind === 'error') throw new StorageError(outcome.code, outcome.message, outcome.compactRevision);
    if (outcome.kind !== 'compacted') throw unexpected(outcome);
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    return this.hub.watch(prefix, opts);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.hub.closeAll(new StorageError('Closed', 'the store is closed'));
      // Close the reader first so the writer's connection is the last one and checkpoints the WAL.
      this.reader.close();
      await this.writer.close();
      if (this.tempDir !== undefined) rmSync(this.tempDir, { recursive: true, force: true });
    })();
    return this.closing;
  }

  private read<T>(fn: () => T): Promise<T> {
    if (this.closing !== undefined) return Promise.reject(new StorageError('Closed', 'the store is closed'));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof StorageError ? err : new StorageError('Internal', `read failed: ${(err as Error).message}`));
    }
  }

  private async write(op: Exclude<WriteOp, { op: 'compact' }>): Promise<OpOutcome> {
    if (op.key === '') throw new StorageError('Internal', 'a key must not be empty');
    const outcome = await this.writer.submit(op);
    if (outcome.kind === 'error') throw new StorageError(outcome.code, outcome.message, outcome.compactRevision);
    return outcome;
  }
}

function writeResult(outcome: OpOutcome): WriteResult {
  if (outcome.kind !== 'write') throw unexpected(outcome);
  return outcome.result;
}

function unexpected(outcome: OpOutcome): StorageError {
  return new StorageError('Internal', `storage writer returned an unexpected outcome: ${outcome.kind}`);
}
