// Objects <-> stored values. As kube-apiserver's etcd3 store does, the stored form carries no
// resourceVersion: it is the key's modRevision, set on the way out.
import type { KubeObject } from '../api/types.js';
import type { KeyValue } from '../storage/index.js';
import { apiVersionOfResource, storagePrefix, type ResourceInfo } from './resources.js';

export function keyFor(res: ResourceInfo, namespace: string | undefined, name: string): string {
  return res.namespaced ? `${storagePrefix(res)}${namespace}/${name}` : `${storagePrefix(res)}${name}`;
}

/** The key prefix of a list: all namespaces, or one namespace's objects. */
export function listPrefix(res: ResourceInfo, namespace: string | undefined): string {
  return res.namespaced && namespace ? `${storagePrefix(res)}${namespace}/` : storagePrefix(res);
}

/**
 * The stored text: apiVersion, kind and metadata first (so that reads can splice the
 * resourceVersion in without parsing, see `withResourceVersion`), no resourceVersion.
 */
export function encode(obj: KubeObject): string {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _rv, ...meta } = metadata;
  return JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
}

/**
 * The object's JSON as served, straight from the stored text: the resourceVersion spliced into
 * metadata. Undefined when the text is not in `encode`'s shape (the caller then decodes).
 */
export function withResourceVersion(res: ResourceInfo, kv: KeyValue): string | undefined {
  const head = `{"apiVersion":${JSON.stringify(apiVersionOfResource(res))},"kind":${JSON.stringify(res.kind)},"metadata":{`;
  if (!kv.value.startsWith(head) || kv.value.startsWith('}', head.length)) return undefined;
  return `${head}"resourceVersion":"${kv.modRevision}",${kv.value.slice(head.length)}`;
}

export function decode(res: ResourceInfo, kv: KeyValue): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.apiVersion = apiVersionOfResource(res);
  obj.kind = res.kind;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** A deep copy through JSON, the representation every object has anyway. */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
