// Watches as kube-apiserver serves them: initial ADDED events when asked from "0" or with no
// version, events after a given resourceVersion otherwise, selector transitions turned into
// ADDED/DELETED, bookmarks, 410 Expired once history is compacted.
import type { KubeObject, Status } from '../api/types.js';
import { StorageError, type KeyValue, type WatchEvent } from '../storage/index.js';
import { decode, listPrefix } from './codec.js';
import { errors } from './errors.js';
import { parseRV, type Registry } from './registry.js';
import { apiVersionOfResource, type ResourceInfo } from './resources.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchSink {
  event(type: WatchEventType, obj: KubeObject | Status): void;
  /** The watch is over (timeout, error, server stop): end the response. */
  end(): void;
}

export interface WatchRequest {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

export interface WatchTuning {
  bookmarkIntervalMs: number;
}

// Every watcher of an event decodes the same stored value; decode it once.
const decoded = new WeakMap<KeyValue, KubeObject>();

function decodeOnce(res: ResourceInfo, kv: KeyValue): KubeObject {
  let obj = decoded.get(kv);
  if (!obj) {
    obj = decode(res, kv);
    decoded.set(kv, obj);
  }
  return obj;
}

export async function serveWatch(registry: Registry, res: ResourceInfo, namespace: string | undefined, req: WatchRequest, sink: WatchSink, tuning: WatchTuning): Promise<() => void> {
  const sel = registry.parseSelectors(res, req.labelSelector, req.fieldSelector);
  const prefix = listPrefix(res, namespace);
  const rv = req.resourceVersion ?? '';
  const initial = req.sendInitialEvents ?? (rv === '' || rv === '0');
  let lastRevision: number;
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  let storeWatch: { cancel(): void; progress(): number } | undefined;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    storeWatch?.cancel();
    for (const t of timers) clearTimeout(t);
    sink.end();
  };

  if (initial) {
    const list = await registry.list(res, namespace, { labelSelector: req.labelSelector, fieldSelector: req.fieldSelector });
    lastRevision = Number(list.metadata.resourceVersion);
    for (const item of list.items) {
      item.apiVersion = apiVersionOfResource(res);
      item.kind = res.kind;
      sink.event('ADDED', item);
    }
    if (req.sendInitialEvents && req.allowWatchBookmarks) {
      sink.event('BOOKMARK', bookmark(res, lastRevision, true));
    }
  } else {
    lastRevision = parseRV(rv);
  }

  const onEvents = (events: WatchEvent[]): void => {
    for (const ev of events) {
      if (stopped) return;
      lastRevision = ev.revision;
      if (ev.type === 'delete') {
        const prev = ev.prevKv ?? ev.kv;
        const obj = decodeOnce(res, prev);
        if (registry.matches(res, sel, obj)) sink.event('DELETED', withRV(obj, ev.revision));
        continue;
      }
      const cur = decodeOnce(res, ev.kv);
      const curMatch = registry.matches(res, sel, cur);
      const prevMatch = ev.prevKv ? registry.matches(res, sel, decodeOnce(res, ev.prevKv)) : false;
      if (curMatch && prevMatch) sink.event('MODIFIED', cur);
      else if (curMatch) sink.event('ADDED', cur);
      else if (prevMatch) sink.event('DELETED', cur);
    }
  };

  storeWatch = registry.store.watch(prefix, {
    afterRevision: lastRevision,
    onEvents,
    onError: (err: StorageError) => {
      if (stopped) return;
      const e = err.code === 'Compacted' ? errors.gone(`too old resource version: ${rv} (${err.compactRevision ?? 0})`) : errors.internal(err.message);
      sink.event('ERROR', e.toStatus());
      stop();
    },
  });

  if (req.allowWatchBookmarks) {
    const tick = (): void => {
      if (stopped) return;
      lastRevision = Math.max(lastRevision, storeWatch?.progress() ?? 0);
      sink.event('BOOKMARK', bookmark(res, lastRevision, false));
      timers.push(setTimeout(tick, tuning.bookmarkIntervalMs).unref());
    };
    timers.push(setTimeout(tick, tuning.bookmarkIntervalMs).unref());
  }
  if (req.timeoutSeconds && req.timeoutSeconds > 0) timers.push(setTimeout(stop, req.timeoutSeconds * 1000).unref());
  return stop;
}

function withRV(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

function bookmark(res: ResourceInfo, revision: number, initialEventsEnd: boolean): KubeObject {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { apiVersion: apiVersionOfResource(res), kind: res.kind, metadata };
}
