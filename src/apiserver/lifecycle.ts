// Deletion lifecycles that kube-controller-manager runs for the API: the garbage collector
// (ownerReferences with Background, Foreground and Orphan propagation) and the namespace
// controller (a Terminating namespace is emptied, then its 'kubernetes' finalizer removed).
// They run beside the registry and see every change through one store watch, level-triggered:
// each pass reads the current state and makes it right, so restarts and bursts are harmless.
import type { KubeObject } from '../api/types.js';
import type { WatchEvent } from '../storage/index.js';
import { decode } from './codec.js';
import { ApiError } from './errors.js';
import { NS, type Registry } from './registry.js';
import { RESOURCES, storagePrefix, type ResourceInfo } from './resources.js';

interface Ref {
  res: ResourceInfo;
  namespace?: string;
  name: string;
}

interface Entry extends Ref {
  uid: string;
  owners: string[];
  deleting: boolean;
  finalizers: string[];
}

const prefixes = RESOURCES.map((res) => ({ res, prefix: storagePrefix(res) })).sort((a, b) => b.prefix.length - a.prefix.length);

function resourceOfKey(key: string): ResourceInfo | undefined {
  return prefixes.find((p) => key.startsWith(p.prefix))?.res;
}

export class Lifecycle {
  private readonly byUid = new Map<string, Entry>();
  private readonly byKey = new Map<string, Entry>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly queue = new Set<string>();
  private watch?: { cancel(): void };
  private running = false;
  private stopped = false;
  private readonly log: (msg: string) => void;

  constructor(
    private readonly registry: Registry,
    log?: (msg: string) => void,
  ) {
    this.log = log ?? (() => undefined);
  }

  async start(): Promise<void> {
    const store = this.registry.store;
    let revision = 0;
    for (const { res, prefix } of prefixes) {
      let startAfter: string | undefined;
      for (;;) {
        const page = await store.list(prefix, { limit: 1000, startAfter, revision: revision || undefined });
        revision = page.revision;
        for (const kv of page.kvs) this.index(kv.key, decode(res, kv));
        if (!page.more) break;
        startAfter = page.kvs[page.kvs.length - 1]!.key;
      }
    }
    this.watch = store.watch('/registry/', { afterRevision: revision, onEvents: (evs) => this.onEvents(evs) });
    for (const e of this.byUid.values()) this.queue.add(e.uid);
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
  }

  private index(key: string, obj: KubeObject): Entry | undefined {
    const res = resourceOfKey(key);
    if (!res || !obj.metadata.uid) return undefined;
    this.unindex(key);
    const e: Entry = {
      res,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name ?? '',
      uid: obj.metadata.uid,
      owners: (obj.metadata.ownerReferences ?? []).map((o) => o.uid),
      deleting: obj.metadata.deletionTimestamp !== undefined,
      finalizers: [...(obj.metadata.finalizers ?? []), ...(res === NS ? (((obj['spec'] as Record<string, unknown> | undefined)?.['finalizers'] as string[] | undefined) ?? []) : [])],
    };
    this.byKey.set(key, e);
    this.byUid.set(e.uid, e);
    for (const o of e.owners) {
      let s = this.dependents.get(o);
      if (!s) this.dependents.set(o, (s = new Set()));
      s.add(e.uid);
    }
    return e;
  }

  private unindex(key: string): Entry | undefined {
    const e = this.byKey.get(key);
    if (!e) return undefined;
    this.byKey.delete(key);
    this.byUid.delete(e.uid);
    for (const o of e.owners) this.dependents.get(o)?.delete(e.uid);
    return e;
  }

  private onEvents(events: WatchEvent[]): void {
    for (const ev of events) {
      const res = resourceOfKey(ev.kv.key);
      if (!res) continue;
      if (ev.type === 'delete') {
        const gone = this.unindex(ev.kv.key);
        if (!gone) continue;
        // Its dependents may have lost their last owner; its namespace may now be empty.
        for (const d of this.dependents.get(gone.uid) ?? []) this.queue.add(d);
        this.queue.add(gone.uid);
        if (gone.namespace) this.queueNamespace(gone.namespace);
        for (const o of gone.owners) this.queue.add(o);
      } else {
        const e = this.index(ev.kv.key, decode(res, ev.kv));
        if (e) {
          this.queue.add(e.uid);
          for (const o of e.owners) this.queue.add(o);
        }
      }
    }
    this.kick();
  }

  private queueNamespace(ns: string): void {
    const e = this.byKey.get(`${storagePrefix(NS)}${ns}`);
    if (e) this.queue.add(e.uid);
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
      if (this.queue.size > 0 && !this.stopped) setTimeout(() => this.kick(), 50).unref();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0 && !this.stopped) {
      const uid = this.queue.values().next().value as string;
      this.queue.delete(uid);
      try {
        await this.reconcile(uid);
      } catch (e) {
        if (e instanceof ApiError && (e.code === 404 || e.code === 409)) continue;
        this.log(`lifecycle: ${uid}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private async reconcile(uid: string): Promise<void> {
    const e = this.byUid.get(uid);
    if (!e) {
      // Gone: dependents whose owners are all gone follow it (Background propagation).
      for (const d of [...(this.dependents.get(uid) ?? [])]) await this.collectIfOrphaned(d);
      return;
    }
    if (e.owners.length > 0) await this.collectIfOrphaned(uid);
    if (!e.deleting) return;
    if (e.finalizers.includes('orphan')) {
      for (const d of [...(this.dependents.get(uid) ?? [])]) {
        const dep = this.byUid.get(d);
        if (!dep) continue;
        await this.registry.update(dep.res, dep.namespace, dep.name, (o) => {
          o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
          return o;
        });
      }
      await this.dropFinalizer(e, 'orphan');
      return;
    }
    if (e.finalizers.includes('foregroundDeletion')) {
      const deps = [...(this.dependents.get(uid) ?? [])].map((d) => this.byUid.get(d)).filter((d): d is Entry => d !== undefined);
      if (deps.length === 0) return this.dropFinalizer(e, 'foregroundDeletion');
      for (const dep of deps) if (!dep.deleting) await this.registry.delete(dep.res, dep.namespace, dep.name, { propagationPolicy: 'Foreground' });
      return;
    }
    if (e.res === NS && e.finalizers.includes('kubernetes')) await this.finalizeNamespace(e);
  }

  private async collectIfOrphaned(uid: string): Promise<void> {
    const dep = this.byUid.get(uid);
    if (!dep || dep.deleting || dep.owners.length === 0) return;
    if (dep.owners.some((o) => this.byUid.has(o))) return;
    await this.registry.delete(dep.res, dep.namespace, dep.name, { propagationPolicy: 'Background' });
  }

  private async dropFinalizer(e: Entry, finalizer: string): Promise<void> {
    await this.registry.update(e.res, e.namespace, e.name, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (o.metadata.finalizers.length === 0) delete o.metadata.finalizers;
      return o;
    });
  }

  /** Deletes everything in a Terminating namespace; once empty, releases the namespace. */
  private async finalizeNamespace(e: Entry): Promise<void> {
    let remaining = 0;
    for (const res of RESOURCES) {
      if (!res.namespaced) continue;
      const list = await this.registry.list(res, e.name, {});
      for (const item of list.items) {
        remaining++;
        if (!item.metadata.deletionTimestamp) {
          await this.registry.delete(res, e.name, item.metadata.name!, { propagationPolicy: 'Background', gracePeriodSeconds: undefined }).catch((err: unknown) => {
            if (!(err instanceof ApiError && err.code === 404)) throw err;
          });
        }
      }
    }
    if (remaining > 0) return;
    await this.registry.update(NS, undefined, e.name, (o) => {
      const spec = (o['spec'] ?? {}) as Record<string, unknown>;
      spec['finalizers'] = ((spec['finalizers'] as string[] | undefined) ?? []).filter((f) => f !== 'kubernetes');
      o['spec'] = spec;
      return o;
    }, { subresource: 'finalize' });
  }
}
