// Ownership of the fields a create, update or non-apply patch changes (FieldManager.Update in
// k8s.io/apimachinery/pkg/util/managedfields): the manager's Update entry gains every field
// the write added or modified, other owners lose them, and fields the write removed leave
// every owner.
import type { JsonObject } from '../../api/types.js';
import { compareObjects, filterComparison } from './compare.js';
import type { Path } from './fieldpath.js';
import { cloneJson, isJsonObject } from './json.js';
import { capUpdateManagers, decodeManagedFields, encodeManagedFields, managedFieldsOf, ownerId, timestamp, type Owners } from './managed-fields.js';
import { transferOwnership, withoutNeverOwned } from './ownership.js';
import type { TypeRef, TypeResolver } from './typeref.js';

export interface TrackingContext {
  types: TypeResolver;
  type: TypeRef;
  /** The request's group/version, e.g. "apps/v1". */
  apiVersion: string;
  /** '' for the main resource, else e.g. 'status' or 'scale'. */
  subresource: string;
  /** Fields the resource's strategy resets for this endpoint (GetResetFields); never owned here. */
  ignored: (path: Path) => boolean;
  now: Date;
}

/** Returns `next` with its managedFields recording this write by `manager`; arguments are not modified. */
export function trackUpdate(prev: JsonObject | undefined, next: JsonObject, manager: string, ctx: TrackingContext): JsonObject {
  const owners = ownersForUpdate(prev, next, ctx.subresource !== '');
  const out = withoutManagedFields(next);
  // skipNonAppliedManager: an existing object without managedFields is not tracked until applied to.
  if (owners.size === 0 && prev !== undefined && hasUid(prev)) return out;
  recordChange(owners, prev === undefined ? {} : withoutManagedFields(prev), out, manager || 'unknown', ctx);
  return withManagedFields(out, owners);
}

/** The Update bookkeeping shared with apply's "before-first-apply" owner; modifies `owners`. */
export function recordChange(owners: Owners, prev: JsonObject, next: JsonObject, manager: string, ctx: TrackingContext): void {
  const cmp = filterComparison(compareObjects(prev, next, ctx.type, ctx.types), (p) => !ctx.ignored(p));
  const id = ownerId({ manager, operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource });
  transferOwnership(owners, cmp, '', true);
  const changed = withoutNeverOwned(cmp.modified.union(cmp.added));
  if (!changed.isEmpty()) {
    // managedFieldsUpdater: what this write changed joins what the manager still owned.
    const kept = owners.get(id)?.set;
    owners.set(id, {
      manager,
      operation: 'Update',
      apiVersion: ctx.apiVersion,
      subresource: ctx.subresource,
      time: timestamp(ctx.now),
      set: kept ? changed.union(kept) : changed,
    });
  }
  capUpdateManagers(owners);
}

/**
 * decodeLiveOrNew: a write may set managedFields itself (an empty list resets them); otherwise,
 * and always for subresources, the live object's entries carry over. Undecodable entries count as none.
 */
function ownersForUpdate(prev: JsonObject | undefined, next: JsonObject, isSubresource: boolean): Owners {
  const decode = (obj: JsonObject | undefined): Owners => {
    try {
      return decodeManagedFields(obj ? managedFieldsOf(obj) : undefined);
    } catch {
      return new Map();
    }
  };
  if (isSubresource) return decode(prev);
  const requested = managedFieldsOf(next);
  if (Array.isArray(requested) && (requested.length === 0 || (requested.length === 1 && isJsonObject(requested[0]) && Object.keys(requested[0]).length === 0))) {
    return new Map();
  }
  const own = decode(next);
  return own.size > 0 ? own : decode(prev);
}

function hasUid(obj: JsonObject): boolean {
  const meta = obj['metadata'];
  return isJsonObject(meta) && typeof meta['uid'] === 'string' && meta['uid'] !== '';
}

export function withoutManagedFields(obj: JsonObject): JsonObject {
  const out = cloneJson(obj);
  const meta = out['metadata'];
  if (isJsonObject(meta)) delete meta['managedFields'];
  return out;
}

/** `obj` (owned by the caller) with its metadata.managedFields set from `owners`. */
export function withManagedFields(obj: JsonObject, owners: Owners): JsonObject {
  const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : (obj['metadata'] = {});
  const entries = encodeManagedFields(owners);
  if (entries === undefined) delete meta['managedFields'];
  else meta['managedFields'] = entries as unknown as JsonObject[];
  return obj;
}
