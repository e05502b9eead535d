// An informer (client-go's reflector + store + shared informer, in one small class): list, then
// watch from the list's resourceVersion, keeping a cache every consumer reads instead of the
// API. The rules it follows:
//   - a watch that ends cleanly resumes from the last resourceVersion seen (bookmarks count);
//   - 410 (an ERROR event or the HTTP answer) means that version is compacted away: relist and
//     hand the differences to the handlers, so they see deletes they missed;
//   - connection failures retry with jittered exponential backoff, never in a tight loop;
//   - handlers' exceptions are reported, never allowed to stop the informer.

import type { KubeObject } from '../api/types.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { KubeClient } from './client.js';
import { ApiError, isGone, isRetriable } from './errors.js';
import type { SelectorOptions } from './options.js';
import { objectKey, type ResourceRef } from './resource.js';
import { Store, type StoreDelta, type StoreEntry } from './store.js';
import type { WatchEvent } from './watch-event.js';

export interface EventHandlers<P> {
  onAdd?(obj: P, key: string): void;
  onUpdate?(oldObj: P, newObj: P, key: string): void;
  /** `obj` is the last state seen: the DELETED event's object, or the cached one after a relist. */
  onDelete?(obj: P, key: string): void;
}

export type InformerPhase = 'list' | 'watch' | 'handler';

export interface InformerOptions<T extends KubeObject, P> extends SelectorOptions {
  /** Watch one namespace; absent watches all (for namespaced resources). */
  namespace?: string;
  /** Lean projection kept in the cache and given to handlers (applied once per object version). */
  transform?: (obj: T) => P;
  /** Objects per list page. Default 500. */
  pageSize?: number;
  /** Watches last a random 1-2x this long, so many clients do not reconnect in step. Default 300. */
  minWatchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  /** Where failures go; default: one line on stderr. */
  onError?: (err: Error, phase: InformerPhase) => void;
}

/** What an informer needs of a client: a KubeClient, or a stand-in in tests. */
export type InformerClient = Pick<KubeClient, 'listAll' | 'watch'>;

/** How one watch ended, deciding what the loop does next. */
type WatchOutcome = { kind: 'ended' | 'expired'; healthy: boolean } | { kind: 'failed'; healthy: boolean; err: Error };

/** A watch that opened and then delivered an event or lasted this long proved the link works. */
const HEALTHY_WATCH_MS = 1_000;

export class Informer<T extends KubeObject = KubeObject, P = T> {
  private readonly store = new Store<P>();
  private readonly handlers = new Set<EventHandlers<P>>();
  private readonly backoff: Backoff;
  private readonly transform: (obj: T) => P;
  private readonly onError: (err: Error, phase: InformerPhase) => void;
  private started = false;
  private stopped = false;
  private synced = false;
  private syncWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private lastResourceVersion: string | undefined;
  private watch: { stop(): void } | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: InformerClient,
    readonly resource: ResourceRef,
    private readonly opts: InformerOptions<T, P> = {},
  ) {
    this.backoff = new Backoff(opts.backoff);
    this.transform = opts.transform ?? ((obj: T) => obj as unknown as P);
    this.onError = opts.onError ?? ((err, phase) => console.error(`informer ${resource.plural}: ${phase}: ${err.message}`));
  }

  /** Register handlers; returns their removal. On a running informer the new handlers first get onAdd for every cached object. */
  addEventHandler(h: EventHandlers<P>): () => void {
    this.handlers.add(h);
    if (this.started) for (const key of this.store.keys()) this.call(h, { type: 'add', key, value: this.store.get(key) as P });
    return () => this.handlers.delete(h);
  }

  /** Begin list + watch in the background. Idempotent. */
  start(): this {
    if (this.started || this.stopped) return this;
    this.started = true;
    void this.run();
    return this;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.watch?.stop();
    this.wake?.();
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const w of waiters) w.reject(new Error(`informer ${this.resource.plural}: stopped before it synced`));
  }

  /** True once the first full list is in the cache and its onAdd calls have run. */
  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.stopped) return Promise.reject(new Error(`informer ${this.resource.plural}: stopped`));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const abandon = (err: Error): void => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== waiter);
        waiter.reject(err);
      };
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(() => abandon(new Error(`informer ${this.resource.plural}: not synced after ${opts.timeoutMs} ms`)), opts.timeoutMs);
      }
      opts.signal?.addEventListener('abort', () => abandon(new Error(`informer ${this.resource.plural}: wait aborted`)), { once: true });
      this.syncWaiters.push(waiter);
    });
  }

  get(key: string): P | undefined {
    return this.store.get(key);
  }

  list(): P[] {
    return this.store.values();
  }

  keys(): string[] {
    return this.store.keys();
  }

  /** The version the cache reflects (advanced by events and bookmarks). */
  get resourceVersion(): string | undefined {
    return this.lastResourceVersion;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      if (needList) {
        try {
          await this.relist();
          needList = false;
        } catch (err) {
          if (this.stopped) return;
          this.onError(err as Error, 'list');
          await this.sleep(this.backoff.next());
          continue;
        }
      }
      const outcome = await this.watchOnce();
      if (this.stopped) return;
      if (outcome.healthy) this.backoff.reset();
      if (outcome.kind === 'expired') needList = true;
      if (outcome.kind === 'failed') {
        this.onError(outcome.err, 'watch');
        // A refusal that retrying the same watch will not cure (403, 400...): start over.
        if (outcome.err instanceof ApiError && !isRetriable(outcome.err)) needList = true;
      }
      // A healthy watch that simply ended resumes at once; anything else waits, so a server
      // that closes every watch immediately cannot spin us.
      if (outcome.kind === 'failed' || !outcome.healthy) await this.sleep(this.backoff.next());
    }
  }

  private async relist(): Promise<void> {
    const { namespace, labelSelector, fieldSelector, pageSize } = this.opts;
    const list = await this.client.listAll<T>(this.resource, { namespace, labelSelector, fieldSelector, limit: pageSize ?? 500 });
    if (this.stopped) return;
    const rv = list.metadata.resourceVersion;
    if (!rv) throw new Error(`list of ${this.resource.plural} has no metadata.resourceVersion to watch from`);
    const next = new Map<string, StoreEntry<P>>();
    for (const obj of list.items) {
      const entry = this.entryFor(obj);
      if (entry) next.set(entry[0], entry[1]);
    }
    const deltas = this.store.replace(next);
    this.lastResourceVersion = rv;
    for (const d of deltas) this.dispatch(d);
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  /** Key and cache entry of a listed object; an unchanged version keeps its projection (no re-transform). */
  private entryFor(obj: T): [string, StoreEntry<P>] | undefined {
    try {
      const key = objectKey(obj);
      const resourceVersion = obj.metadata.resourceVersion ?? '';
      const prev = this.store.entry(key);
      if (prev && resourceVersion !== '' && prev.resourceVersion === resourceVersion) return [key, prev];
      return [key, { resourceVersion, value: this.transform(obj) }];
    } catch (err) {
      this.onError(err as Error, 'handler'); // a bad object or a failing transform: skip it, keep going
      return undefined;
    }
  }

  private watchOnce(): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      const begun = Date.now();
      let opened = false;
      let events = 0;
      let verdict: 'expired' | Error | undefined;
      const min = this.opts.minWatchTimeoutSeconds ?? 300;
      const onEvent = (ev: WatchEvent<T>): void => {
        if (verdict !== undefined) return;
        events++;
        if (ev.type === 'ERROR') {
          verdict = ev.object.code === 410 ? 'expired' : new ApiError(ev.object);
          this.watch?.stop();
          return;
        }
        const rv = ev.object.metadata.resourceVersion;
        if (ev.type === 'BOOKMARK') {
          if (rv) this.lastResourceVersion = rv;
          return;
        }
        this.apply(ev.type, ev.object);
        if (rv) this.lastResourceVersion = rv;
      };
      const onClose = (err?: Error): void => {
        this.watch = undefined;
        const healthy = opened && (events > 0 || Date.now() - begun >= HEALTHY_WATCH_MS);
        if (verdict === 'expired' || isGone(err)) resolve({ kind: 'expired', healthy });
        else if (verdict instanceof Error) resolve({ kind: 'failed', healthy, err: verdict });
        else if (err) resolve({ kind: 'failed', healthy, err });
        else resolve({ kind: 'ended', healthy });
      };
      this.watch = this.client.watch<T>(
        this.resource,
        {
          namespace: this.opts.namespace,
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          resourceVersion: this.lastResourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: Math.floor(min * (1 + Math.random())),
          onOpen: () => {
            opened = true;
          },
        },
        onEvent,
        onClose,
      );
    });
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    let key: string;
    try {
      key = objectKey(obj);
    } catch (err) {
      this.onError(err as Error, 'watch');
      return;
    }
    if (type === 'DELETED') {
      const old = this.store.delete(key);
      // Unknown to the cache means unknown to the handlers: nothing to retract.
      if (!old) return;
      const last = this.entryFor(obj);
      this.dispatch({ type: 'delete', key, old: last ? last[1].value : old.value });
      return;
    }
    const entry = this.entryFor(obj);
    if (!entry) return;
    const old = this.store.set(key, entry[1]);
    // ADDED for a cached key or MODIFIED for an unknown one happen after resumes; the cache decides.
    this.dispatch(old ? { type: 'update', key, old: old.value, value: entry[1].value } : { type: 'add', key, value: entry[1].value });
  }

  private dispatch(d: StoreDelta<P>): void {
    for (const h of this.handlers) this.call(h, d);
  }

  private call(h: EventHandlers<P>, d: StoreDelta<P>): void {
    try {
      if (d.type === 'add') h.onAdd?.(d.value, d.key);
      else if (d.type === 'update') h.onUpdate?.(d.old, d.value, d.key);
      else h.onDelete?.(d.old, d.key);
    } catch (err) {
      this.onError(err instanceof Error ? err : new Error(String(err)), 'handler');
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
