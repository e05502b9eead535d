// The revisioned key-value store behind the API server: etcd's data model, so that every
// backend maps 1:1 onto etcd v3 (revision = etcd revision, modRevision = resourceVersion).

/** One key at one revision. `value` is the serialized object (JSON text). */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (etcd create_revision). */
  createRevision: number;
  /** Revision of the last write to this key (etcd mod_revision); the object's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** At most this many keys (0 or absent: no limit). */
  limit?: number;
  /** Only keys strictly greater than this one (pagination: the last key of the previous page). */
  startAfter?: string;
  /**
   * Read the state as of this revision (etcd's MVCC read). Absent or 0: the current state.
   * Older than the compacted revision: throws StorageError 'Compacted'.
   * Newer than the current revision: throws StorageError 'FutureRevision'.
   */
  revision?: number;
}

export interface ListResult {
  kvs: KeyValue[];
  /** The revision the list was read at (the store's current revision when not given). */
  revision: number;
  /** True when more keys under the prefix follow the last returned one. */
  more: boolean;
  /** Keys left after this page (for ListMeta.remainingItemCount), when cheap to know. */
  remaining?: number;
}

export type WriteResult =
  | { ok: true; kv: KeyValue; revision: number }
  /** The precondition failed; `current` is the key's present state (absent when missing). */
  | { ok: false; current?: KeyValue };

export type DeleteResult =
  | { ok: true; prev: KeyValue; revision: number }
  | { ok: false; current?: KeyValue };

export type WatchEventType = 'put' | 'delete';

export interface WatchEvent {
  type: WatchEventType;
  /** For put: the new state. For delete: the key with value = last value, modRevision = the delete's revision. */
  kv: KeyValue;
  /** The state before this event (absent for a create). */
  prevKv?: KeyValue;
  /** The revision of this event (= kv.modRevision). */
  revision: number;
}

export interface WatchOptions {
  /**
   * Deliver every event with revision > afterRevision, in revision order (etcd watch from
   * afterRevision+1). If afterRevision is older than the compacted revision, onError receives
   * a StorageError 'Compacted' and the watch ends.
   */
  afterRevision: number;
  onEvents: (events: WatchEvent[]) => void;
  onError?: (err: StorageError) => void;
}

export interface Watch {
  cancel(): void;
  /**
   * The revision up to which every event under the prefix has been delivered (etcd's progress
   * notification): bookmarks may advance to it even when no event of this prefix happened.
   */
  progress(): number;
}

export type StorageErrorCode = 'Compacted' | 'FutureRevision' | 'Closed' | 'Internal';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    /** For Compacted: the oldest revision still readable. */
    readonly compactRevision?: number,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/**
 * Every backend implements this. All writes are atomic and durable when their promise resolves
 * (that is, acknowledged writes survive a kill -9 and a power loss, given durable=true).
 */
export interface Store {
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys starting with `prefix`, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of keys under prefix (current state). */
  count(prefix: string): Promise<number>;
  /** Create only if absent (etcd txn: create_revision == 0). */
  create(key: string, value: string): Promise<WriteResult>;
  /** Update only if the key's modRevision equals expectedModRevision. */
  update(key: string, value: string, expectedModRevision: number): Promise<WriteResult>;
  /** Delete, only if modRevision matches when expectedModRevision is given. */
  delete(key: string, expectedModRevision?: number): Promise<DeleteResult>;
  /** Watch every key under prefix. */
  watch(prefix: string, opts: WatchOptions): Watch;
  /** Forget history at or below revision; watches and lists older than it get 'Compacted'. */
  compact(revision: number): Promise<void>;
  /** The revision of the last write (0 for an empty store). */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable/watchable after compaction. */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}
