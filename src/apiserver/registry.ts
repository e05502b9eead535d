// The generic REST storage of every resource (kube-apiserver's genericregistry.Store): create,
// get, list, update, patch, delete on the revisioned store, with Kubernetes' metadata rules,
// optimistic concurrency, graceful deletion and finalizers.
import { randomUUID } from 'node:crypto';
import type { KubeList, KubeObject, ObjectMeta } from '../api/types.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorParseError, type FieldSelector, type LabelSelector } from '../api/selectors.js';
import { StorageError, type Store } from '../storage/index.js';
import { clone, decode, encode, keyFor, listPrefix, withResourceVersion } from './codec.js';
import { ApiError, errors, type FieldError } from './errors.js';
import { apiVersionOfResource, resourceFor, storagePrefix, type ResourceInfo } from './resources.js';
import { strategyFor } from './strategy/index.js';
import type { StoredObjects } from './strategy/types.js';
import { validateObjectMeta } from './validation/meta.js';
import { generateNameFrom } from './validation/names.js';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** The write is a server-side apply: the patch already recorded its managed fields. */
  apply?: boolean;
}

export interface UpdateOptions extends WriteOptions {
  /** 'binding': pods/binding (binding.ts) writes spec.nodeName and the PodScheduled condition together. */
  subresource?: 'status' | 'finalize' | 'binding';
}

export interface DeleteOptions {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** What a reserving admission holds for one write: kept when the write is stored, given back otherwise. */
export interface Reservation {
  commit(): void;
  abort(): void;
}

/** Hooks that let other parts of the server take part in writes (managed fields, admission). */
export interface RegistryHooks {
  /** Called with the final object of every create/update/patch before it is stored; returns what to store. */
  beforeWrite?(res: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, opts: UpdateOptions): KubeObject;
  /**
   * Admission that reserves shared things for a write (cluster IPs, node ports), as the Service
   * REST's BeginCreate/BeginUpdate do: runs after defaulting and before validation, may fill in
   * fields, throws an ApiError to refuse. The reservation commits once the write is stored and
   * aborts when it is not (invalid, conflict, dry run), so a failed request holds nothing.
   */
  reserve?(res: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, opts: UpdateOptions): Reservation | undefined;
  /** The object has left storage for good: what it held may be reused. */
  afterDelete?(res: ResourceInfo, obj: KubeObject): void;
}

export const NS = resourceFor('', 'v1', 'namespaces')!;

export interface Selectors {
  labels: LabelSelector;
  fields: FieldSelector;
}

export class Registry {
  constructor(
    readonly store: Store,
    private readonly hooks: RegistryHooks = {},
  ) {}

  /** What admission may read: every stored object of a resource. */
  private readonly stored: StoredObjects = { list: async (res) => (await this.list(res, undefined, {})).items };

  target(res: ResourceInfo, name?: string): { group: string; resource: string; name?: string } {
    return name === undefined ? { group: res.group, resource: res.plural } : { group: res.group, resource: res.plural, name };
  }

  async get(res: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.store.get(keyFor(res, namespace, name));
    if (!kv) throw errors.notFound(this.target(res, name));
    return decode(res, kv);
  }

  /** An object's JSON as served, without parsing it when the stored text allows. */
  async getJson(res: ResourceInfo, namespace: string | undefined, name: string): Promise<string> {
    const kv = await this.store.get(keyFor(res, namespace, name));
    if (!kv) throw errors.notFound(this.target(res, name));
    return withResourceVersion(res, kv) ?? JSON.stringify(decode(res, kv));
  }

  parseSelectors(res: ResourceInfo, labelSelector?: string, fieldSelector?: string): Selectors {
    try {
      const labels = parseLabelSelector(labelSelector ?? '');
      const fields = parseFieldSelector(fieldSelector ?? '');
      const known = new Set(['metadata.name', 'metadata.namespace', ...Object.keys(strategyFor(res).fields?.(emptyObject()) ?? {})]);
      for (const f of fields) {
        if (!known.has(f.field)) throw errors.badRequest(`field label not supported: ${f.field}`);
      }
      return { labels, fields };
    } catch (e) {
      if (e instanceof SelectorParseError) throw errors.badRequest(e.message);
      throw e;
    }
  }

  matches(res: ResourceInfo, sel: Selectors, obj: KubeObject): boolean {
    if (sel.labels.length > 0 && !matchesLabels(sel.labels, obj.metadata.labels)) return false;
    if (sel.fields.length === 0) return true;
    const fields: Record<string, string> = {
      'metadata.name': obj.metadata.name ?? '',
      'metadata.namespace': obj.metadata.namespace ?? '',
      ...(strategyFor(res).fields?.(obj) ?? {}),
    };
    return matchesFields(sel.fields, fields);
  }

  async list(res: ResourceInfo, namespace: string | undefined, opts: ListOptions): Promise<KubeList> {
    const sel = this.parseSelectors(res, opts.labelSelector, opts.fieldSelector);
    const prefix = listPrefix(res, namespace);
    let revision: number | undefined;
    let startAfter: string | undefined;
    if (opts.continue) {
      const tok = decodeContinue(opts.continue);
      revision = tok.rv;
      startAfter = tok.start;
      if (!startAfter.startsWith(prefix)) throw errors.badRequest('continue key is not valid: the continue token does not belong to this list');
    } else if (opts.resourceVersion && opts.resourceVersionMatch === 'Exact') {
      revision = parseRV(opts.resourceVersion);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const filtering = sel.labels.length > 0 || sel.fields.length > 0;
    const items: KubeObject[] = [];
    let more = false;
    let lastKey: string | undefined;
    let readRevision = 0;
    let remaining: number | undefined;
    try {
      for (;;) {
        const page = await this.store.list(prefix, { limit: limit ? Math.max(limit - items.length, filtering ? 100 : 0) : 0, startAfter, revision });
        readRevision = page.revision;
        revision = page.revision;
        let i = 0;
        for (; i < page.kvs.length; i++) {
          const kv = page.kvs[i]!;
          const obj = decode(res, kv);
          lastKey = kv.key;
          if (filtering && !this.matches(res, sel, obj)) continue;
          items.push(obj);
          if (limit && items.length >= limit) {
            i++;
            break;
          }
        }
        const leftInPage = page.kvs.length - i;
        if (limit && items.length >= limit) {
          more = leftInPage > 0 || page.more;
          if (!filtering && page.remaining !== undefined) remaining = leftInPage + page.remaining;
          break;
        }
        if (!page.more) break;
        startAfter = lastKey;
      }
    } catch (e) {
      if (e instanceof StorageError && e.code === 'Compacted') {
        if (opts.continue) {
          throw errors.gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
        }
        throw errors.gone(`too old resource version: ${opts.resourceVersion} (${e.compactRevision ?? 0})`);
      }
      if (e instanceof StorageError && e.code === 'FutureRevision') {
        throw new ApiError(504, 'Timeout', `Too large resource version: ${opts.resourceVersion}, current: ${await this.store.currentRevision()}`);
      }
      throw e;
    }
    for (const item of items) {
      delete item.apiVersion;
      delete item.kind;
    }
    const list: KubeList = {
      apiVersion: apiVersionOfResource(res),
      kind: `${res.kind}List`,
      metadata: { resourceVersion: String(readRevision) },
      items,
    };
    if (more && lastKey !== undefined) {
      list.metadata.continue = encodeContinue(readRevision, lastKey);
      if (remaining !== undefined && remaining > 0) list.metadata.remainingItemCount = remaining;
    }
    return list;
  }

  /**
   * Namespaces known to be active, kept by a watch (kube-apiserver's NamespaceLifecycle admission
   * also answers from an informer cache). A miss falls back to the store, so a namespace created
   * a moment ago is never refused; a namespace that starts terminating drops out.
   */
  private readonly activeNamespaces = new Set<string>();
  private namespaceWatch?: { cancel(): void };

  async start(): Promise<void> {
    const list = await this.store.list(storagePrefix(NS));
    for (const kv of list.kvs) this.trackNamespace(decode(NS, kv), false);
    this.namespaceWatch = this.store.watch(storagePrefix(NS), {
      afterRevision: list.revision,
      onEvents: (events) => {
        for (const ev of events) this.trackNamespace(decode(NS, ev.kv), ev.type === 'delete');
      },
    });
  }

  stop(): void {
    this.namespaceWatch?.cancel();
  }

  private trackNamespace(ns: KubeObject, deleted: boolean): void {
    const name = ns.metadata.name ?? '';
    if (deleted || ns.metadata.deletionTimestamp) this.activeNamespaces.delete(name);
    else this.activeNamespaces.add(name);
  }

  async namespaceMustAccept(res: ResourceInfo, namespace: string, name: string): Promise<void> {
    if (this.activeNamespaces.has(namespace)) return;
    const kv = await this.store.get(keyFor(NS, undefined, namespace));
    if (!kv) throw errors.namespaceNotFound(namespace);
    const ns = decode(NS, kv);
    if (ns.metadata.deletionTimestamp) throw errors.forbiddenNamespaceTerminating(this.target(res, name), namespace);
  }

  /** Creates an object; `body` is taken over (defaulted and stored as it is), not copied. */
  async create(res: ResourceInfo, namespace: string | undefined, body: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const strategy = strategyFor(res);
    // The body is the caller's to give: it becomes the stored object (no copy on the hot path).
    const obj = body;
    const meta: ObjectMeta = (obj.metadata ??= {});
    if (res.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
    } else if (meta.namespace === '') delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = generateNameFrom(meta.generateName);
    // Fields the server owns: clients cannot set them on create.
    for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'resourceVersion', 'generation', 'selfLink'] as const) delete meta[f];
    strategy.prepareForCreate?.(obj);
    strategy.defaults?.(obj);
    // Admission as kube-apiserver orders it: NamespaceLifecycle (a missing or terminating
    // namespace) first, then the kind's own plugins; validation after admission.
    if (res.namespaced && meta.namespace) await this.namespaceMustAccept(res, meta.namespace, meta.name ?? '');
    await strategy.admitCreate?.(obj, this.stored);
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(new Date());
    if (strategy.generation) meta.generation = 1;
    const reservation = this.hooks.reserve?.(res, obj, undefined, opts);
    try {
      this.mustBeValid(res, obj, undefined);
      obj.apiVersion = apiVersionOfResource(res);
      obj.kind = res.kind;
      const final = this.hooks.beforeWrite?.(res, obj, undefined, opts) ?? obj;
      if (opts.dryRun) {
        reservation?.abort();
        return final;
      }
      const r = await this.store.create(keyFor(res, meta.namespace, meta.name!), encode(final));
      if (!r.ok) throw errors.alreadyExists(this.target(res, meta.name));
      final.metadata.resourceVersion = String(r.kv.modRevision);
      reservation?.commit();
      return final;
    } catch (e) {
      reservation?.abort();
      throw e;
    }
  }

  mustBeValid(res: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, subresource?: string): void {
    const strategy = strategyFor(res);
    const errs: FieldError[] = [...validateObjectMeta(obj.metadata, res.namespaced, strategy.nameRule), ...(strategy.validate?.(obj, old, subresource) ?? [])];
    if (errs.length > 0) throw errors.invalid(res.kind, res.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  /**
   * Replaces an object (PUT). `mutate` computes the new object from the current one; it runs again
   * when a concurrent write wins (GuaranteedUpdate's retry loop), unless the caller pinned a
   * resourceVersion, in which case a stale one is a 409 Conflict.
   */
  async update(res: ResourceInfo, namespace: string | undefined, name: string, mutate: (current: KubeObject) => KubeObject, opts: UpdateOptions = {}): Promise<KubeObject> {
    const key = keyFor(res, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw errors.notFound(this.target(res, name));
      const current = decode(res, kv);
      const proposed = mutate(clone(current));
      const pinned = proposed.metadata?.resourceVersion;
      if (pinned !== undefined && pinned !== '' && pinned !== current.metadata.resourceVersion) throw errors.conflict(this.target(res, name));
      const held: { reservation?: Reservation } = {};
      const next = this.prepareUpdate(res, proposed, current, opts, held);
      const reservation = held.reservation;
      if (next === current || opts.dryRun) {
        reservation?.abort();
        return next;
      }
      const removing = next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && !hasSpecFinalizers(res, next);
      let r;
      try {
        r = removing ? await this.store.delete(key, kv.modRevision) : await this.store.update(key, encode(next), kv.modRevision);
      } catch (e) {
        reservation?.abort();
        throw e;
      }
      if (r.ok) {
        reservation?.commit();
        if (removing) this.hooks.afterDelete?.(res, next);
        return 'kv' in r ? decode(res, r.kv) : { ...next, metadata: { ...next.metadata, resourceVersion: String(r.revision) } };
      }
      reservation?.abort();
      if (!r.current) throw errors.notFound(this.target(res, name));
      if (pinned || attempt > 50) throw errors.conflict(this.target(res, name));
    }
  }

  /** Applies Kubernetes' update rules; returns `current` itself when nothing would change. */
  private prepareUpdate(res: ResourceInfo, proposed: KubeObject, current: KubeObject, opts: UpdateOptions, held: { reservation?: Reservation }): KubeObject {
    const strategy = strategyFor(res);
    const next = proposed;
    next.metadata ??= {};
    const nm = next.metadata;
    const cm = current.metadata;
    if (nm.name !== undefined && nm.name !== cm.name) {
      throw errors.badRequest(`the name of the object (${nm.name}) does not match the name on the URL (${cm.name})`);
    }
    if (res.namespaced && nm.namespace && nm.namespace !== cm.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (opts.subresource === 'status') {
      // The status subresource writes status only: spec and metadata stay as they were.
      const status = next['status'];
      const keep = clone(current);
      if (status === undefined) delete keep['status'];
      else keep['status'] = status;
      // Every request body is defaulted, status writes too (e.g. a LoadBalancer ingress's ipMode).
      strategy.defaults?.(keep);
      return this.finishUpdate(res, keep, current, opts, held);
    }
    if (res.status && opts.subresource !== 'finalize' && opts.subresource !== 'binding') {
      // The main resource never writes status (it belongs to the status subresource).
      if (current['status'] === undefined) delete next['status'];
      else next['status'] = clone(current['status']);
    }
    if (opts.subresource === 'finalize') {
      const spec = (next['spec'] ?? {}) as Record<string, unknown>;
      const keep = clone(current);
      (keep['spec'] as Record<string, unknown>)['finalizers'] = spec['finalizers'] ?? [];
      return this.finishUpdate(res, keep, current, opts, held);
    }
    nm.name = cm.name;
    if (res.namespaced) nm.namespace = cm.namespace;
    nm.uid = cm.uid;
    nm.creationTimestamp = cm.creationTimestamp;
    if (cm.deletionTimestamp) nm.deletionTimestamp = cm.deletionTimestamp;
    else delete nm.deletionTimestamp;
    if (cm.deletionGracePeriodSeconds !== undefined) nm.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    else delete nm.deletionGracePeriodSeconds;
    if (cm.generation !== undefined) nm.generation = cm.generation;
    else delete nm.generation;
    delete nm.selfLink;
    strategy.defaults?.(next);
    strategy.prepareForUpdate?.(next, current);
    if (strategy.generation && specOf(next) !== specOf(current)) nm.generation = (cm.generation ?? 0) + 1;
    if (cm.deletionTimestamp) {
      // A terminating object may only lose finalizers, never gain new ones.
      const added = (nm.finalizers ?? []).filter((f) => !(cm.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw errors.invalid(res.kind, res.group, cm.name ?? '', [{ type: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => `"${f}"`).join(', ')}}` }]);
      }
    }
    return this.finishUpdate(res, next, current, opts, held);
  }

  private finishUpdate(res: ResourceInfo, next: KubeObject, current: KubeObject, opts: UpdateOptions, held: { reservation?: Reservation }): KubeObject {
    held.reservation = this.hooks.reserve?.(res, next, current, opts);
    try {
      this.mustBeValid(res, next, current, opts.subresource);
      next.apiVersion = apiVersionOfResource(res);
      next.kind = res.kind;
      next.metadata.resourceVersion = current.metadata.resourceVersion;
      const final = this.hooks.beforeWrite?.(res, next, current, opts) ?? next;
      // A write that changes nothing is not a write: same resourceVersion, no watch event.
      if (sameIgnoringManagedTime(final, current)) return current;
      return final;
    } catch (e) {
      held.reservation?.abort();
      held.reservation = undefined;
      throw e;
    }
  }

  async delete(res: ResourceInfo, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const key = keyFor(res, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw errors.notFound(this.target(res, name));
      const obj = decode(res, kv);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        throw errors.conflict(this.target(res, name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
        throw errors.conflict(this.target(res, name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
      }
      const next = this.deletionState(res, obj, opts);
      if (opts.dryRun) return next ?? obj;
      if (next) {
        if (sameIgnoringManagedTime(next, obj)) return obj;
        const r = await this.store.update(key, encode(next), kv.modRevision);
        if (r.ok) return decode(res, r.kv);
      } else {
        const r = await this.store.delete(key, kv.modRevision);
        if (r.ok) {
          this.hooks.afterDelete?.(res, obj);
          return obj;
        }
      }
      if (attempt > 50) throw errors.conflict(this.target(res, name));
    }
  }

  /**
   * What a delete turns the object into: undefined when it can go now, otherwise the object
   * marked for deletion (deletionTimestamp) and waiting for finalizers or a graceful stop.
   */
  private deletionState(res: ResourceInfo, obj: KubeObject, opts: DeleteOptions): KubeObject | undefined {
    const meta = obj.metadata;
    const finalizers = [...(meta.finalizers ?? [])];
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
    // Each policy owns one GC finalizer; choosing a policy drops the other's (Background drops both).
    const want = policy === 'Orphan' ? 'orphan' : policy === 'Foreground' ? 'foregroundDeletion' : undefined;
    if (policy !== undefined) {
      for (const f of ['orphan', 'foregroundDeletion']) {
        const i = finalizers.indexOf(f);
        if (f !== want && i >= 0) finalizers.splice(i, 1);
      }
      if (want && !finalizers.includes(want)) finalizers.push(want);
    }
    const grace = this.gracePeriod(res, obj, opts);
    const pendingSpec = hasSpecFinalizers(res, obj);
    if (finalizers.length === 0 && grace === 0 && !pendingSpec) return undefined;
    const next = clone(obj);
    const nm = next.metadata;
    if (finalizers.length > 0) nm.finalizers = finalizers;
    else delete nm.finalizers;
    if (!nm.deletionTimestamp) {
      nm.deletionTimestamp = rfc3339(new Date(Date.now() + grace * 1000));
      nm.deletionGracePeriodSeconds = grace;
    } else if (grace < (nm.deletionGracePeriodSeconds ?? 0)) {
      // A shorter grace period may replace a longer one (kubectl delete --grace-period=0 --force).
      nm.deletionTimestamp = rfc3339(new Date(Date.now() + grace * 1000));
      nm.deletionGracePeriodSeconds = grace;
      if (grace === 0 && finalizers.length === 0 && !pendingSpec) return undefined;
    }
    if (res.plural === 'namespaces' && res.group === '') (next['status'] as Record<string, unknown>) = { ...(next['status'] as object), phase: 'Terminating' };
    return next;
  }

  /** Pods on a node stop gracefully (the kubelet finishes the delete); everything else goes at once. */
  private gracePeriod(res: ResourceInfo, obj: KubeObject, opts: DeleteOptions): number {
    if (res.group !== '' || res.plural !== 'pods') return 0;
    const spec = (obj['spec'] ?? {}) as Record<string, unknown>;
    const phase = ((obj['status'] ?? {}) as Record<string, unknown>)['phase'];
    if (!spec['nodeName'] || phase === 'Succeeded' || phase === 'Failed') return 0;
    const requested = opts.gracePeriodSeconds ?? (typeof spec['terminationGracePeriodSeconds'] === 'number' ? spec['terminationGracePeriodSeconds'] : 30);
    return Math.max(0, requested);
  }

  async deleteCollection(res: ResourceInfo, namespace: string | undefined, listOpts: ListOptions, opts: DeleteOptions): Promise<KubeList> {
    const list = await this.list(res, namespace, { labelSelector: listOpts.labelSelector, fieldSelector: listOpts.fieldSelector });
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      try {
        deleted.push(await this.delete(res, item.metadata.namespace, item.metadata.name!, opts));
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return { ...list, items: deleted };
  }
}

/** A namespace stays until its spec.finalizers (the 'kubernetes' lifecycle finalizer) are gone. */
function hasSpecFinalizers(res: ResourceInfo, obj: KubeObject): boolean {
  if (res.group !== '' || res.plural !== 'namespaces') return false;
  const spec = (obj['spec'] ?? {}) as Record<string, unknown>;
  return Array.isArray(spec['finalizers']) && spec['finalizers'].length > 0;
}

/**
 * Everything but metadata and status, compared as Semantic.DeepEqual compares Go values: the
 * order of an object's keys is not part of it (a typed client sends Go's field order, the stored
 * object may hold the order of its first writer).
 */
function specOf(obj: KubeObject): string {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') rest[k] = v;
  return stableStringify(rest);
}

function sameIgnoringManagedTime(a: KubeObject, b: KubeObject): boolean {
  return canonical(a) === canonical(b);
}

function canonical(o: KubeObject): string {
  const meta = { ...o.metadata };
  delete meta.resourceVersion;
  if (meta.managedFields) meta.managedFields = meta.managedFields.map((m) => ({ ...m, time: undefined }));
  return stableStringify({ ...o, metadata: meta, apiVersion: undefined, kind: undefined });
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function emptyObject(): KubeObject {
  return { metadata: {} };
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function parseRV(rv: string): number {
  const n = Number(rv);
  if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`invalid resource version: ${rv}`);
  return n;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
