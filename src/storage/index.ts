// The storage component's public face: the Store contract (etcd's data model) and the way to
// open one. Other components import only from here.

import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export * from './types.js';
export { SqliteStore } from './sqlite.js';
export type { SqliteStoreOptions } from './sqlite.js';
export type { WriterStats } from './writer-client.js';

export interface OpenStoreOptions {
  /** The SQLite file; absent: a temporary file, removed when the store closes. */
  path?: string;
  /** fsync every commit so acknowledged writes survive power loss. Default: true with a path, false without. */
  durable?: boolean;
  /** Recent events kept in memory for watches (default 10,000). */
  watchCacheEvents?: number;
}

/** Opens the embedded (SQLite) store. */
export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  return SqliteStore.open(opts);
}
