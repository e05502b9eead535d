// Where a resource lives in the REST API. The client needs only the four facts that shape a URL,
// so any apiserver ResourceInfo fits structurally and the client never imports the server.

import type { KubeObject } from '../api/types.js';

/** The part of a resource description that builds its URLs (a ResourceInfo satisfies it). */
export interface ResourceRef {
  /** '' for the core (legacy) group, served under /api. */
  group: string;
  version: string;
  /** Lower-case plural used in URLs, e.g. 'configmaps'. */
  plural: string;
  namespaced: boolean;
}

/** Build a ResourceRef by hand, e.g. `resourceRef('apps', 'v1', 'deployments')`. */
export function resourceRef(group: string, version: string, plural: string, namespaced = true): ResourceRef {
  return { group, version, plural, namespaced };
}

/** /api/v1 for the core group, /apis/<group>/<version> otherwise. */
export function groupVersionPath(res: ResourceRef): string {
  return res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
}

export interface PathParts {
  /** Absent for a namespaced resource means "across all namespaces" (list, watch only). */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * The path of a collection, an object or an object's subresource:
 * <gv>/namespaces/<ns>/<plural>/<name>/<subresource>. A namespace given for a cluster-scoped
 * resource is ignored, as the API has no such path.
 */
export function resourcePath(res: ResourceRef, parts: PathParts = {}): string {
  let path = groupVersionPath(res);
  if (res.namespaced && parts.namespace !== undefined) {
    if (parts.namespace === '') throw new TypeError(`empty namespace for ${res.plural}`);
    path += `/namespaces/${encodeURIComponent(parts.namespace)}`;
  }
  path += `/${res.plural}`;
  if (parts.name !== undefined) {
    if (parts.name === '') throw new TypeError(`empty name for ${res.plural}`);
    path += `/${encodeURIComponent(parts.name)}`;
    if (parts.subresource !== undefined) path += `/${parts.subresource}`;
  } else if (parts.subresource !== undefined) {
    throw new TypeError(`subresource ${parts.subresource} of ${res.plural} needs an object name`);
  }
  return path;
}

/**
 * The namespace a single-object request goes to: the explicit one, else the object's own.
 * A namespaced resource without either is a caller bug, so it throws rather than guessing
 * 'default' (which would silently act on the wrong object).
 */
export function namespaceFor(res: ResourceRef, explicit: string | undefined, obj?: KubeObject): string | undefined {
  if (!res.namespaced) return undefined;
  const ns = explicit ?? obj?.metadata.namespace;
  if (ns === undefined || ns === '') {
    throw new TypeError(`${res.plural} is namespaced: pass a namespace or set metadata.namespace`);
  }
  return ns;
}

/** The cache key of an object, as Kubernetes' MetaNamespaceKeyFunc: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  if (name === undefined || name === '') throw new TypeError('object has no metadata.name');
  return namespace ? `${namespace}/${name}` : name;
}

/** The inverse of objectKey. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  if (slash < 0) return { name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
