// The patch engine: PATCH bodies of the four kinds kube-apiserver accepts, and the
// managedFields bookkeeping of every write. Nothing here mutates its inputs, so a failed
// request changes nothing.
import { loadSchema, type Schema } from '../../api/schema.js';
import type { JsonObject, KubeObject } from '../../api/types.js';
import { serverSideApply } from './apply.js';
import { decodeApplyBody } from './body.js';
import { patchErrors, type PatchError } from './errors.js';
import { applyJsonPatch } from './json-patch.js';
import { isJsonObject } from './json.js';
import { applyMergePatch } from './merge-patch.js';
import { APPLY_PATCH_YAML, JSON_PATCH, MERGE_PATCH, patchTypeOf, STRATEGIC_MERGE_PATCH, validatePatchOptions } from './options.js';
import { applyStrategicMergePatch } from './strategic.js';
import { modelOf, trackingContext } from './tracking.js';
import { TypeResolver } from './typeref.js';
import { trackUpdate } from './update.js';

export { PatchError, type PatchErrorReason } from './errors.js';
export { LAST_APPLIED_ANNOTATION } from './apply.js';
export {
  APPLY_PATCH_YAML,
  defaultFieldManager,
  JSON_PATCH,
  MERGE_PATCH,
  PATCH_TYPES,
  STRATEGIC_MERGE_PATCH,
  type PatchType,
} from './options.js';


export interface PatchContext {
  /** Client model name of the kind, e.g. 'V1Deployment' (ResourceInfo.model). */
  model: string;
  /** The endpoint's group/version, e.g. 'apps/v1'. */
  apiVersion: string;
  kind: string;
  /** The fieldManager query parameter. Required for apply. */
  fieldManager?: string;
  /** The force query parameter; only allowed for apply. */
  force?: boolean;
  /** '' or undefined for the main resource, else e.g. 'status'. */
  subresource?: string;
  /** Plural resource and object name, for the 404 of a non-apply patch of a missing object. */
  resource?: string;
  name?: string;
  /** For tests: the clock and schema. */
  now?: Date;
  schema?: Schema;
}

/**
 * Applies a PATCH body to `live` (undefined when the object does not exist: only apply may then
 * create it). `contentType` is the request's Content-Type (parameters are ignored).
 * Throws PatchError with the status kube-apiserver would answer. For apply, the result carries
 * its managedFields; for the other types, call recordUpdate on the result before storing it.
 */
export function applyPatch(contentType: string, live: KubeObject | undefined, body: Buffer | string, ctx: PatchContext): KubeObject {
  const patchType = patchTypeOf(contentType);
  validatePatchOptions(patchType, ctx);
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const schema = ctx.schema ?? loadSchema();
  const types = new TypeResolver(schema);
  const type = types.forModel(ctx.model);

  if (patchType === APPLY_PATCH_YAML) {
    const tracking = trackingContext(types, ctx.model, ctx.apiVersion, ctx.subresource ?? '', ctx.now);
    const applied = serverSideApply(live && asJson(live), decodeApplyBody(text), {
      ...tracking,
      type,
      kind: ctx.kind,
      manager: ctx.fieldManager ?? '',
      force: ctx.force ?? false,
    });
    return asKubeObject(applied);
  }
  if (live === undefined) throw notFound(ctx);
  const current = asJson(live);
  switch (patchType) {
    case JSON_PATCH:
      return asKubeObject(applyJsonPatch(current, text));
    case MERGE_PATCH:
      return asKubeObject(applyMergePatch(current, text));
    case STRATEGIC_MERGE_PATCH:
      return asKubeObject(applyStrategicMergePatch(current, text, type, types));
  }
}

export interface RecordUpdateOptions {
  /** Client model name; by default the served kind's model for newObj's kind. */
  model?: string;
  now?: Date;
  schema?: Schema;
}

/**
 * The managedFields bookkeeping of a create (oldObj undefined), update or non-apply patch, as
 * kube-apiserver does it on every write: returns newObj with an Update entry for `manager`
 * holding the fields this write set or changed (other owners lose them). Call it after
 * defaulting and the strategy's reset of status/spec, right before storing. `apiVersion` is the
 * request's group/version; `subresource` e.g. 'status' or 'scale'. Arguments are not modified.
 */
export function recordUpdate(oldObj: KubeObject | undefined, newObj: KubeObject, manager: string, apiVersion: string, subresource = '', options: RecordUpdateOptions = {}): KubeObject {
  const schema = options.schema ?? loadSchema();
  const types = new TypeResolver(schema);
  const model = options.model ?? modelOf(apiVersion, newObj.kind) ?? '';
  const ctx = trackingContext(types, model, apiVersion, subresource, options.now);
  try {
    return asKubeObject(trackUpdate(oldObj && asJson(oldObj), asJson(newObj), manager, ctx));
  } catch {
    // UpdateNoErrors: bookkeeping never fails a write; the live object's entries are kept.
    const kept = structuredClone(newObj);
    if (oldObj?.metadata.managedFields) kept.metadata.managedFields = structuredClone(oldObj.metadata.managedFields);
    else delete kept.metadata.managedFields;
    return kept;
  }
}

function notFound(ctx: PatchContext): PatchError {
  const group = ctx.apiVersion.includes('/') ? ctx.apiVersion.split('/')[0]! : '';
  return patchErrors.notFound(group, ctx.resource ?? `${ctx.kind.toLowerCase()}s`, ctx.name ?? '');
}

/** Stored objects are JSON; the KubeObject type is the looser view of the same data. */
function asJson(obj: KubeObject): JsonObject {
  return obj as unknown as JsonObject;
}

function asKubeObject(obj: JsonObject): KubeObject {
  const meta = obj['metadata'];
  if (meta === undefined) obj['metadata'] = {};
  else if (!isJsonObject(meta)) throw patchErrors.notAnObject(meta);
  return obj as unknown as KubeObject;
}
