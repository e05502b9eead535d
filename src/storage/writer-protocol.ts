// Messages between the store (main thread) and its writer thread. The writer is etcd's
// "apply" loop: it applies writes in the order received, one revision each, and reports the
// results and the watch events of each committed batch.

import type { DeleteResult, StorageErrorCode, WatchEvent, WriteResult } from './types.js';

export type WriteOp =
  | { op: 'create'; key: string; value: string }
  | { op: 'update'; key: string; value: string; expected: number }
  | { op: 'delete'; key: string; expected?: number }
  | { op: 'compact'; revision: number };

export type OpOutcome =
  | { kind: 'write'; result: WriteResult }
  | { kind: 'delete'; result: DeleteResult }
  | { kind: 'compacted'; compacted: number }
  | { kind: 'error'; code: StorageErrorCode; message: string; compactRevision?: number };

export type ToWriter = { type: 'ops'; ops: WriteOp[] } | { type: 'close' };

export type FromWriter =
  | { type: 'ready'; revision: number; compacted: number }
  /** One committed transaction: an outcome per op in the order sent, and its events in revision order. */
  | { type: 'committed'; outcomes: OpOutcome[]; events: WatchEvent[]; revision: number; compacted: number }
  | { type: 'closed' }
  | { type: 'fatal'; message: string };

/** What the writer thread needs to open the database. */
export interface WriterInit {
  path: string;
  durable: boolean;
  schemaSql: string;
  schemaVersion: number;
  /** Most ops applied in one transaction; the rest wait for the next one. */
  maxBatch: number;
}

/** The slice of worker_threads' MessagePort the writer uses (so it can be faked in tests). */
export interface WriterPort {
  on(event: 'message', listener: (msg: ToWriter) => void): unknown;
  postMessage(msg: FromWriter): void;
  close(): void;
}
