// KubeClient: the REST verbs of the Kubernetes API, typed by the caller, over a Transport.
// Every answer is checked at the edge (an object with metadata, a list with items) so that a
// misbehaving server surfaces as a clear error here, not as undefined deep in a controller.

import { isObject, type KubeList, type KubeObject, type Status } from '../api/types.js';
import { isGone, isStatus } from './errors.js';
import { HttpTransport, type HttpTransportOptions } from './http-transport.js';
import { loadKubeconfig } from './kubeconfig.js';
import {
  PATCH_CONTENT_TYPES,
  deleteBody,
  listQuery,
  watchQuery,
  writeQuery,
  type DeleteCollectionOptions,
  type DeleteOptions,
  type JsonPatchOperation,
  type ListOptions,
  type PatchOptions,
  type PatchType,
  type UpdateOptions,
  type WatchOptions,
  type WriteOptions,
} from './options.js';
import { namespaceFor, resourcePath, type ResourceRef } from './resource.js';
import type { HttpMethod, Transport } from './transport.js';
import { parseWatchEvent, type WatchEvent } from './watch-event.js';

export type KubeClientOptions = HttpTransportOptions | { transport: Transport };

/** A patch document: an object (merge, strategic, apply) or RFC 6902 operations (json). */
export type PatchBody = Record<string, unknown> | JsonPatchOperation[];

export interface WatchHandle {
  stop(): void;
}

/** The server gets this long past timeoutSeconds to end a watch before the client does. */
const WATCH_GRACE_MS = 30_000;

export class KubeClient {
  readonly transport: Transport;
  /** The kubeconfig context's namespace when built from one; 'default' otherwise. */
  namespace = 'default';

  constructor(opts: KubeClientOptions) {
    this.transport = 'transport' in opts ? opts.transport : new HttpTransport(opts);
  }

  /** A client for a kubeconfig context (the current one unless named); see loadKubeconfig. */
  static fromKubeconfig(path?: string, context?: string): KubeClient {
    const cfg = loadKubeconfig(path, context);
    const client = new KubeClient(cfg);
    client.namespace = cfg.namespace;
    return client;
  }

  async get<T extends KubeObject = KubeObject>(res: ResourceRef, name: string, namespace?: string): Promise<T> {
    const path = resourcePath(res, { namespace: namespaceFor(res, namespace), name });
    return expectObject<T>(await this.call('GET', path), `GET ${path}`);
  }

  /** One page (or all, without limit). For namespaced resources, no namespace lists all namespaces. */
  async list<T extends KubeObject = KubeObject>(res: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    const path = resourcePath(res, { namespace: opts.namespace });
    return expectList<T>(await this.call('GET', path, listQuery(opts)), `GET ${path}`);
  }

  /**
   * Every page of a list, following metadata.continue. The answer's resourceVersion is the
   * one every page was read at (the first page's), ready to start a watch from.
   */
  async listAll<T extends KubeObject = KubeObject>(res: ResourceRef, opts: Omit<ListOptions, 'continue'> = {}): Promise<KubeList<T>> {
    const first = await this.list<T>(res, opts);
    const items = first.items;
    let next = first.metadata.continue;
    while (next) {
      let page: KubeList<T>;
      try {
        // The continue token pins the version; the server refuses both together.
        page = await this.list<T>(res, { ...opts, continue: next, resourceVersion: undefined, resourceVersionMatch: undefined });
      } catch (err) {
        // 410: the version the pages were read at was compacted mid-way; one unpaged list instead.
        if (isGone(err)) return this.list<T>(res, { ...opts, limit: undefined });
        throw err;
      }
      items.push(...page.items);
      next = page.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
  }

  async create<T extends KubeObject>(res: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    const path = resourcePath(res, { namespace: namespaceFor(res, opts.namespace, obj) });
    return expectObject<T>(await this.call('POST', path, writeQuery(opts), obj), `POST ${path}`);
  }

  /**
   * PUT: replace the object (or, with opts.subresource, one of its subresources such as a
   * namespace's 'finalize'); metadata.resourceVersion makes it a compare-and-swap (409 if stale).
   */
  async update<T extends KubeObject>(res: ResourceRef, obj: T, opts: UpdateOptions = {}): Promise<T> {
    const { subresource, ...write } = opts;
    return this.put(res, obj, write, subresource);
  }

  /** PUT to /status: only the status stanza changes. */
  async updateStatus<T extends KubeObject>(res: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(res, obj, opts, 'status');
  }

  /**
   * POST to an object's subresource, e.g. a pod's 'binding' (client-go's pods.Bind). The answer
   * is whatever the subresource returns: an object, or a Success Status.
   */
  async createSubresource(res: ResourceRef, name: string, subresource: string, body: KubeObject, opts: WriteOptions = {}): Promise<KubeObject | Status> {
    const path = resourcePath(res, { namespace: namespaceFor(res, opts.namespace, body), name, subresource });
    const answer = await this.call('POST', path, writeQuery(opts), body);
    return isStatus(answer) ? answer : expectObject(answer, `POST ${path}`);
  }

  async patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    name: string,
    patch: PatchBody,
    type: PatchType,
    opts: PatchOptions = {},
  ): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) throw new TypeError('apply patches need opts.fieldManager');
    if ((type === 'json') !== Array.isArray(patch)) {
      throw new TypeError(type === 'json' ? 'a json patch is an array of operations' : `a ${type} patch is an object`);
    }
    const path = resourcePath(res, { namespace: namespaceFor(res, opts.namespace), name, subresource: opts.subresource });
    const body = await this.call('PATCH', path, writeQuery(opts), patch, PATCH_CONTENT_TYPES[type]);
    return expectObject<T>(body, `PATCH ${path}`);
  }

  /**
   * Delete one object. The answer is the object itself while finalizers or a grace period keep
   * it (deletionTimestamp set), or a Success Status once it is gone.
   */
  async delete<T extends KubeObject = KubeObject>(res: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const path = resourcePath(res, { namespace: namespaceFor(res, opts.namespace), name });
    const body = await this.call('DELETE', path, undefined, deleteBody(opts));
    return isStatus(body) ? body : expectObject<T>(body, `DELETE ${path}`);
  }

  /** Delete every object matching the selectors (in one namespace, or all for cluster-scoped). */
  async deleteCollection<T extends KubeObject = KubeObject>(res: ResourceRef, opts: DeleteCollectionOptions = {}): Promise<KubeList<T> | Status> {
    const path = resourcePath(res, { namespace: res.namespaced ? namespaceFor(res, opts.namespace) : undefined });
    const body = await this.call('DELETE', path, listQuery(opts), deleteBody(opts));
    return isStatus(body) ? body : expectList<T>(body, `DELETE ${path}`);
  }

  /**
   * Stream changes. `onEvent` gets every event, ERROR ones included (410 means: relist).
   * `onClose` runs exactly once: without an error when the server ended the watch or stop()
   * was called, with the error otherwise (an ApiError for a refused watch). An exception thrown
   * by onEvent ends the watch and reaches onClose.
   */
  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onClose: (err?: Error) => void,
  ): WatchHandle {
    const path = resourcePath(res, { namespace: opts.namespace });
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      onClose(err);
    };
    let stream: { stop(): void } = { stop() {} };
    try {
      stream = this.transport.stream(
        { method: 'GET', path, query: watchQuery(opts) },
        { onOpen: opts.onOpen, onValue: (v) => onEvent(parseWatchEvent<T>(v)), onClose: finish },
      );
    } catch (err) {
      // Keep the contract "onClose reports failures" even when the request could not start.
      queueMicrotask(() => finish(err as Error));
    }
    if (opts.timeoutSeconds !== undefined) {
      // A server that forgets to end the watch, or a peer that vanished without a FIN, must
      // not leave the caller waiting forever.
      timer = setTimeout(() => {
        finish(new Error(`watch ${path}: still open ${WATCH_GRACE_MS / 1000} s past timeoutSeconds=${opts.timeoutSeconds}`));
        stream.stop();
      }, opts.timeoutSeconds * 1000 + WATCH_GRACE_MS);
      timer.unref();
    }
    return {
      stop: () => {
        finish();
        stream.stop();
      },
    };
  }

  /** Release pooled connections. */
  close(): void {
    this.transport.close();
  }

  private async put<T extends KubeObject>(res: ResourceRef, obj: T, opts: WriteOptions, subresource: string | undefined): Promise<T> {
    const name = obj.metadata.name;
    if (!name) throw new TypeError(`update of ${res.plural}: metadata.name is required`);
    const path = resourcePath(res, { namespace: namespaceFor(res, opts.namespace, obj), name, subresource });
    return expectObject<T>(await this.call('PUT', path, writeQuery(opts), obj), `PUT ${path}`);
  }

  private async call(method: HttpMethod, path: string, query?: URLSearchParams, body?: unknown, contentType?: string): Promise<unknown> {
    const res = await this.transport.request({ method, path, query, body, contentType });
    return res.body;
  }
}

function expectObject<T extends KubeObject>(body: unknown, what: string): T {
  if (!isObject(body) || !isObject(body['metadata'])) {
    throw new Error(`${what}: the answer is not a Kubernetes object (no metadata)`);
  }
  return body as T;
}

function expectList<T extends KubeObject>(body: unknown, what: string): KubeList<T> {
  if (!isObject(body) || !Array.isArray(body['items'])) throw new Error(`${what}: the answer is not a list (no items)`);
  if (!isObject(body['metadata'])) body['metadata'] = {};
  return body as unknown as KubeList<T>;
}
