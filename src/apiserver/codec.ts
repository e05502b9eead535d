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

export function encode(obj: KubeObject): string {
  const rv = obj.metadata.resourceVersion;
  if (rv === undefined) return JSON.stringify(obj);
  delete obj.metadata.resourceVersion;
  try {
    return JSON.stringify(obj);
  } finally {
    obj.metadata.resourceVersion = rv;
  }
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
