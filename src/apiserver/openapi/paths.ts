// The paths of one group-version document: collection, item, and /status and /scale
// subresources of every resource, with the operations its verbs allow. kubectl keys on:
//   - x-kubernetes-group-version-kind on operations (explain finds a resource's kind there;
//     apply and validation find the kind's PATCH there);
//   - a `fieldValidation` query parameter on that PATCH: without it kubectl falls back to
//     client-side validation instead of sending fieldValidation=Strict;
//   - application/strategic-merge-patch+json in the PATCH body's content types: with it kubectl
//     1.29+ computes apply patches from this document.
import type { ResourceInfo, Verb } from '../resources.js';
import { REF_PREFIX } from './schemas.js';
import type { GroupVersionKind, JsonSchema } from './types.js';

/** Definition names an operation refers to. */
export interface PathRefs {
  /** The resource's kind and list kind. */
  readonly kind: string;
  readonly list: string;
  /** autoscaling/v1 Scale, for /scale. */
  readonly scale: string;
  readonly status: string;
  readonly deleteOptions: string;
  readonly patch: string;
}

type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';

const RESPONSE_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const LIST_RESPONSE_TYPES = [...RESPONSE_TYPES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

function query(name: string, type: 'string' | 'integer' | 'boolean', description: string): JsonSchema {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

// Our own words for the parameters kube-apiserver accepts (names and types are the API's).
const P = {
  pretty: query('pretty', 'string', "If 'true', the output is indented."),
  dryRun: query('dryRun', 'string', "'All' validates and processes the request without persisting it."),
  fieldManager: query('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields.'),
  fieldValidation: query(
    'fieldValidation',
    'string',
    'What to do with unknown or duplicate fields in the body: Ignore (drop them), Warn (the default: drop them and answer with a warning per field) or Strict (reject the request).',
  ),
  force: query('force', 'boolean', 'Apply requests only: take ownership of fields other managers own instead of failing with a conflict.'),
  labelSelector: query('labelSelector', 'string', 'Only objects whose labels match this selector.'),
  fieldSelector: query('fieldSelector', 'string', 'Only objects whose fields match this selector.'),
  limit: query('limit', 'integer', 'At most this many items; the list metadata carries a continue token for the rest.'),
  continue: query('continue', 'string', 'The continue token of a previous, limited list call.'),
  resourceVersion: query('resourceVersion', 'string', 'The revision the list or watch starts from; see resourceVersionMatch.'),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'End the list or watch call after this many seconds.'),
  watch: query('watch', 'boolean', 'Stream changes (ADDED, MODIFIED, DELETED events) instead of returning a list.'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'Let the server send BOOKMARK events during a watch.'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', 'Start a watch with ADDED events for the current state.'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes immediately.'),
  orphanDependents: query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  propagationPolicy: query('propagationPolicy', 'string', 'How dependents are deleted: Orphan, Background or Foreground.'),
};

const PATH_NAME: JsonSchema = { name: 'name', in: 'path', description: 'Name of the object.', required: true, schema: { type: 'string', uniqueItems: true } };
const PATH_NAMESPACE: JsonSchema = {
  name: 'namespace',
  in: 'path',
  description: 'Namespace of the objects.',
  required: true,
  schema: { type: 'string', uniqueItems: true },
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];

function content(types: readonly string[], schemaRef: string): JsonSchema {
  const schema = { $ref: `${REF_PREFIX}${schemaRef}` };
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

function responses(codes: readonly string[], types: readonly string[], schemaRef: string): JsonSchema {
  const body = content(types, schemaRef);
  const out: JsonSchema = {};
  for (const code of codes) out[code] = { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', content: body };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

/** Operation naming as Kubernetes': readCoreV1NamespacedService, patchAppsV1NamespacedDeploymentScale. */
function operationName(res: ResourceInfo): { prefix: string; tag: string } {
  const g = res.group === '' ? 'core' : res.group.split('.')[0]!;
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return { prefix: `${cap(g)}${cap(res.version)}`, tag: `${g}_${res.version}` };
}

export function resourcePaths(res: ResourceInfo, refs: PathRefs): Record<string, JsonSchema> {
  const base = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  const scope = res.namespaced ? `${base}/namespaces/{namespace}/${res.plural}` : `${base}/${res.plural}`;
  const gvk: GroupVersionKind = { group: res.group, version: res.version, kind: res.kind };
  const { prefix, tag } = operationName(res);
  const subject = `${res.namespaced ? 'Namespaced' : ''}${res.kind}`;
  const can = (v: Verb): boolean => res.verbs.includes(v);
  const scopeParams = res.namespaced ? [PATH_NAMESPACE, P.pretty] : [P.pretty];
  const itemParams = res.namespaced ? [PATH_NAME, PATH_NAMESPACE, P.pretty] : [PATH_NAME, P.pretty];

  const op = (action: Action, id: string, what: string, extra: JsonSchema, g: GroupVersionKind = gvk): JsonSchema => ({
    tags: [tag],
    description: what,
    operationId: id,
    ...extra,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: g.group, kind: g.kind, version: g.version },
  });
  const body = (schemaRef: string): JsonSchema => ({ content: content(['*/*'], schemaRef), required: true });
  const patchBody = { content: content(PATCH_TYPES, refs.patch), required: true };

  const paths: Record<string, JsonSchema> = {};
  const collection: JsonSchema = {};
  if (can('list')) {
    collection['get'] = op('list', `list${prefix}${subject}`, `list or watch objects of kind ${res.kind}`, {
      parameters: LIST_PARAMS,
      responses: responses(['200'], LIST_RESPONSE_TYPES, refs.list),
    });
  }
  if (can('create')) {
    collection['post'] = op('post', `create${prefix}${subject}`, `create a ${res.kind}`, {
      parameters: WRITE_PARAMS,
      requestBody: body(refs.kind),
      responses: responses(['200', '201', '202'], RESPONSE_TYPES, refs.kind),
    });
  }
  if (can('deletecollection')) {
    collection['delete'] = op('deletecollection', `delete${prefix}Collection${subject}`, `delete collection of ${res.kind}`, {
      parameters: [...LIST_PARAMS.filter((p) => p !== P.watch && p !== P.allowWatchBookmarks), P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy],
      requestBody: { content: content(['*/*'], refs.deleteOptions) },
      responses: responses(['200'], RESPONSE_TYPES, refs.status),
    });
  }
  if (Object.keys(collection).length > 0) paths[scope] = { ...collection, parameters: scopeParams };

  const item: JsonSchema = {};
  if (can('get')) item['get'] = op('get', `read${prefix}${subject}`, `read the specified ${res.kind}`, { responses: responses(['200'], RESPONSE_TYPES, refs.kind) });
  if (can('update')) {
    item['put'] = op('put', `replace${prefix}${subject}`, `replace the specified ${res.kind}`, {
      parameters: WRITE_PARAMS,
      requestBody: body(refs.kind),
      responses: responses(['200', '201'], RESPONSE_TYPES, refs.kind),
    });
  }
  if (can('patch')) {
    item['patch'] = op('patch', `patch${prefix}${subject}`, `partially update the specified ${res.kind}`, {
      parameters: [...WRITE_PARAMS, P.force],
      requestBody: patchBody,
      responses: responses(['200', '201'], RESPONSE_TYPES, refs.kind),
    });
  }
  if (can('delete')) {
    item['delete'] = op('delete', `delete${prefix}${subject}`, `delete a ${res.kind}`, {
      parameters: [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy],
      requestBody: { content: content(['*/*'], refs.deleteOptions) },
      responses: responses(['200', '202'], RESPONSE_TYPES, refs.kind),
    });
  }
  if (Object.keys(item).length > 0) paths[`${scope}/{name}`] = { ...item, parameters: itemParams };

  const subresource = (name: 'status' | 'scale', schemaRef: string, g: GroupVersionKind): JsonSchema => {
    const Sub = name === 'status' ? 'Status' : 'Scale';
    return {
      get: op('get', `read${prefix}${subject}${Sub}`, `read ${name} of the specified ${res.kind}`, { responses: responses(['200'], RESPONSE_TYPES, schemaRef) }, g),
      put: op(
        'put',
        `replace${prefix}${subject}${Sub}`,
        `replace ${name} of the specified ${res.kind}`,
        { parameters: WRITE_PARAMS, requestBody: body(schemaRef), responses: responses(['200', '201'], RESPONSE_TYPES, schemaRef) },
        g,
      ),
      patch: op(
        'patch',
        `patch${prefix}${subject}${Sub}`,
        `partially update ${name} of the specified ${res.kind}`,
        { parameters: [...WRITE_PARAMS, P.force], requestBody: patchBody, responses: responses(['200', '201'], RESPONSE_TYPES, schemaRef) },
        g,
      ),
      parameters: itemParams,
    };
  };
  if (res.status) paths[`${scope}/{name}/status`] = subresource('status', refs.kind, gvk);
  if (res.scale) paths[`${scope}/{name}/scale`] = subresource('scale', refs.scale, { group: 'autoscaling', version: 'v1', kind: 'Scale' });

  if (res.namespaced && can('list')) {
    paths[`${base}/${res.plural}`] = {
      get: op('list', `list${prefix}${res.kind}ForAllNamespaces`, `list or watch objects of kind ${res.kind} in all namespaces`, {
        parameters: LIST_PARAMS,
        responses: responses(['200'], LIST_RESPONSE_TYPES, refs.list),
      }),
      parameters: [P.pretty],
    };
  }
  return paths;
}
