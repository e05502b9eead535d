// Request options of KubeClient's verbs and their query-string form (meta/v1 ListOptions,
// CreateOptions, PatchOptions, DeleteOptions as the API server reads them).

export interface SelectorOptions {
  /** e.g. 'app=web,tier!=db' */
  labelSelector?: string;
  /** e.g. 'metadata.name=web' */
  fieldSelector?: string;
}

export interface ListOptions extends SelectorOptions {
  /** Absent for a namespaced resource: across all namespaces. */
  namespace?: string;
  /** Page size; the answer's metadata.continue fetches the next page. */
  limit?: number;
  continue?: string;
  /** '' or absent: the latest state (a consistent read). '0': any cached state is fine. */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WriteOptions {
  namespace?: string;
  /** Recorded in managedFields; required for apply patches. */
  fieldManager?: string;
  /** Validate and answer without persisting. */
  dryRun?: boolean;
  /** How the server treats unknown or duplicate fields. */
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export interface UpdateOptions extends WriteOptions {
  /** PUT to a subresource instead, e.g. 'status' or a namespace's 'finalize'. */
  subresource?: string;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  // JSON is YAML, so the body is sent as JSON under the apply content type.
  apply: 'application/apply-patch+yaml',
};

/** RFC 6902 operation, for type 'json'. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export interface PatchOptions extends WriteOptions {
  /** Server-side apply: take ownership of fields other managers own. */
  force?: boolean;
  /** e.g. 'status' or 'scale'. */
  subresource?: string;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  namespace?: string;
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  /** Delete only if the object still has this uid / resourceVersion (409 otherwise). */
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteCollectionOptions extends DeleteOptions, SelectorOptions {}

export interface WatchOptions extends SelectorOptions {
  namespace?: string;
  /** Deliver changes after this version. '0' or absent: start with ADDED for every current object. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the watch after this long; the client gives up 30 s after that. */
  timeoutSeconds?: number;
  /** The server accepted the watch (headers arrived): the connection is healthy. */
  onOpen?: () => void;
}

export function listQuery(opts: ListOptions): URLSearchParams {
  const q = new URLSearchParams();
  selectorQuery(q, opts);
  if (opts.limit !== undefined) q.set('limit', String(opts.limit));
  if (opts.continue) q.set('continue', opts.continue);
  if (opts.resourceVersion !== undefined) q.set('resourceVersion', opts.resourceVersion);
  if (opts.resourceVersionMatch) q.set('resourceVersionMatch', opts.resourceVersionMatch);
  return q;
}

export function watchQuery(opts: WatchOptions): URLSearchParams {
  const q = new URLSearchParams({ watch: 'true' });
  selectorQuery(q, opts);
  if (opts.resourceVersion !== undefined) q.set('resourceVersion', opts.resourceVersion);
  if (opts.allowWatchBookmarks) q.set('allowWatchBookmarks', 'true');
  if (opts.timeoutSeconds !== undefined) q.set('timeoutSeconds', String(opts.timeoutSeconds));
  return q;
}

export function writeQuery(opts: WriteOptions & { force?: boolean }): URLSearchParams {
  const q = new URLSearchParams();
  if (opts.fieldManager) q.set('fieldManager', opts.fieldManager);
  if (opts.dryRun) q.set('dryRun', 'All');
  if (opts.fieldValidation) q.set('fieldValidation', opts.fieldValidation);
  if (opts.force !== undefined) q.set('force', String(opts.force));
  return q;
}

/** The meta/v1 DeleteOptions body. */
export function deleteBody(opts: DeleteOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (opts.propagationPolicy) body['propagationPolicy'] = opts.propagationPolicy;
  if (opts.gracePeriodSeconds !== undefined) body['gracePeriodSeconds'] = opts.gracePeriodSeconds;
  if (opts.preconditions) body['preconditions'] = opts.preconditions;
  if (opts.dryRun) body['dryRun'] = ['All'];
  return body;
}

function selectorQuery(q: URLSearchParams, opts: SelectorOptions): void {
  if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
  if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
}
