// application/apply-patch+yaml: server-side apply (FieldManager.Apply in
// k8s.io/apimachinery/pkg/util/managedfields over structured-merge-diff's Updater.Apply). The
// applied configuration is merged into the live object; what the manager applied before but
// no longer applies, and nobody else owns, is removed; the manager's Apply entry becomes
// exactly the applied fields; changing a field another manager owns is a conflict (409) unless
// forced, which moves the field to the applier.
import type { JsonObject, StatusCause } from '../../api/types.js';
import { mergeApplied } from './apply-merge.js';
import { compareObjects, filterComparison } from './compare.js';
import { patchErrors } from './errors.js';
import { FieldSet, pathString } from './fieldpath.js';
import { fieldSetOf } from './fieldset-of.js';
import { cloneJson, isJsonObject, jsonEqual, parseJson } from './json.js';
import { capUpdateManagers, decodeManagedFields, managedFieldsOf, ownerId, printOwner, timestamp, type Owner, type Owners } from './managed-fields.js';
import { transferOwnership, withoutNeverOwned, type Conflict } from './ownership.js';
import { pruneUnapplied } from './prune.js';
import { ItemKeyError } from './typed.js';
import { recordChange, withManagedFields, withoutManagedFields, type TrackingContext } from './update.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ApplyContext extends TrackingContext {
  kind: string;
  /** The fieldManager query parameter (required for apply). */
  manager: string;
  force: boolean;
}

/** Applies `config` to `live` (undefined: the object does not exist yet); arguments are not modified. */
export function serverSideApply(live: JsonObject | undefined, config: JsonObject, ctx: ApplyContext): JsonObject {
  checkAppliedType(config, ctx);
  const meta = config['metadata'];
  if (isJsonObject(meta) && meta['managedFields'] !== undefined && meta['managedFields'] !== null) {
    throw patchErrors.badRequest('metadata.managedFields must be nil');
  }
  let owners: Owners;
  try {
    owners = decodeManagedFields(live ? managedFieldsOf(live) : undefined);
  } catch (err) {
    throw patchErrors.unknown(`failed to decode managed fields: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    fieldSetOf(config, ctx.type, ctx.types);
  } catch (err) {
    if (err instanceof ItemKeyError) throw patchErrors.unknown(`failed to create typed patch object (${objectRef(config, ctx)}): ${err.message}`);
    throw err;
  }
  const base = live ? withoutManagedFields(live) : {};
  try {
    // skipNonAppliedManager: fields that existed before anyone applied belong to "before-first-apply".
    if (owners.size === 0 && live) recordChange(owners, {}, base, 'before-first-apply', ctx);
    const first = attempt(owners, base, config, ctx, ctx.force);
    if ('object' in first) return first.object;
    // lastAppliedManager: kubectl moving from client-side apply may take the fields it applied then.
    const allowed = ctx.manager === 'kubectl' ? fieldsFromLastApplied(base, ctx) : new FieldSet();
    const remaining = first.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw conflictError(remaining, owners);
    const forced = attempt(owners, base, config, ctx, true);
    if ('object' in forced) return forced.object;
    throw conflictError(forced.conflicts, owners);
  } catch (err) {
    if (err instanceof ItemKeyError) throw patchErrors.unknown(`failed to create typed live object (${objectRef(base, ctx)}): ${err.message}`);
    throw err;
  }
}

type Attempt = { object: JsonObject } | { conflicts: Conflict[] };

function attempt(current: Owners, base: JsonObject, config: JsonObject, ctx: ApplyContext, force: boolean): Attempt {
  const owners: Owners = new Map(current);
  const id = ownerId({ manager: ctx.manager, operation: 'Apply', apiVersion: ctx.apiVersion, subresource: ctx.subresource });
  const previous = owners.get(id);
  const applied = fieldSetOf(config, ctx.type, ctx.types).filter((p) => !ctx.ignored(p));
  const owner: Owner = { manager: ctx.manager, operation: 'Apply', apiVersion: ctx.apiVersion, subresource: ctx.subresource, set: applied };
  if (previous?.time !== undefined) owner.time = previous.time;
  owners.set(id, owner);

  const merged = mergeApplied(base, config, ctx.type, ctx.types);
  const allOwned = [...owners.values()].reduce((acc, o) => acc.union(o.set), new FieldSet());
  const next = previous ? pruneUnapplied(merged, previous.set, allOwned, ctx.type, ctx.types) : merged;

  const cmp = filterComparison(compareObjects(base, next, ctx.type, ctx.types), (p) => !ctx.ignored(p));
  const conflicts = transferOwnership(owners, cmp, id, force);
  if (conflicts.length > 0 && !force) return { conflicts };

  const changed = !jsonEqual(base, next);
  // managedFieldsUpdater: the entry's time moves only when the object changed.
  if (changed) owner.time = timestamp(ctx.now);
  const kept = withoutNeverOwned(owner.set);
  if (kept.isEmpty()) owners.delete(id);
  else owners.set(id, { ...owner, set: kept });
  capUpdateManagers(owners);

  const object = changed ? next : cloneJson(base);
  syncLastApplied(object, config, ctx.manager);
  return { object: withManagedFields(object, owners) };
}

/** objectGVKNN: how the field manager's errors name an object, e.g. `default/web; apps/v1, Kind=Deployment`. */
function objectRef(obj: JsonObject, ctx: ApplyContext): string {
  const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  return `${str(meta['namespace'])}/${str(meta['name'])}; ${gvkString(ctx.apiVersion, ctx.kind)}`;
}

/** schema.GroupVersionKind's String(): `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`. */
function gvkString(apiVersion: string, kind: string): string {
  return `${apiVersion.includes('/') ? apiVersion : `/${apiVersion}`}, Kind=${kind}`;
}

/** versionCheckManager: the configuration must be of the endpoint's group, version and kind. */
function checkAppliedType(config: JsonObject, ctx: ApplyContext): void {
  const apiVersion = typeof config['apiVersion'] === 'string' ? config['apiVersion'] : '';
  const kind = typeof config['kind'] === 'string' ? config['kind'] : '';
  if (apiVersion === ctx.apiVersion && kind === ctx.kind) return;
  throw patchErrors.badRequest(`invalid object type: ${gvkString(apiVersion, kind)}`);
}

/**
 * lastAppliedUpdater: kubectl's server-side apply keeps an existing client-side apply annotation
 * in step with what it applied, so that a later client-side apply still computes right.
 */
function syncLastApplied(object: JsonObject, config: JsonObject, manager: string): void {
  if (manager !== 'kubectl') return;
  const annotations = (object['metadata'] as JsonObject | undefined)?.['annotations'];
  if (!isJsonObject(annotations) || typeof annotations[LAST_APPLIED_ANNOTATION] !== 'string' || annotations[LAST_APPLIED_ANNOTATION] === '') return;
  const applied = cloneJson(config);
  const appliedAnnotations = (applied['metadata'] as JsonObject | undefined)?.['annotations'];
  if (isJsonObject(appliedAnnotations)) delete appliedAnnotations[LAST_APPLIED_ANNOTATION];
  annotations[LAST_APPLIED_ANNOTATION] = `${JSON.stringify(sortKeys(applied))}\n`;
}

function sortKeys(v: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) {
    const child = v[k]!;
    out[k] = isJsonObject(child) ? sortKeys(child) : Array.isArray(child) ? child.map((c) => (isJsonObject(c) ? sortKeys(c) : c)) : child;
  }
  return out;
}

/**
 * allowedConflictsFromLastApplied: the fields of the last-applied annotation whose values the
 * live object still has; kubectl owned them in spirit.
 */
function fieldsFromLastApplied(live: JsonObject, ctx: ApplyContext): FieldSet {
  const annotations = (live['metadata'] as JsonObject | undefined)?.['annotations'];
  const text = isJsonObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  if (typeof text !== 'string' || text === '') return new FieldSet();
  const last = parseJson(text);
  if (!isJsonObject(last) || last['apiVersion'] !== ctx.apiVersion) return new FieldSet();
  try {
    const cmp = compareObjects(last, live, ctx.type, ctx.types);
    return fieldSetOf(last, ctx.type, ctx.types, true).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
  } catch {
    return new FieldSet();
  }
}

/** NewConflictError: 409 listing each field and the manager that owns it. */
function conflictError(conflicts: Conflict[], owners: Owners): Error {
  const sorted = [...conflicts].sort((a, b) => (a.ownerId < b.ownerId ? -1 : a.ownerId > b.ownerId ? 1 : 0));
  const who = (c: Conflict): string => printOwner(owners.get(c.ownerId)!);
  const causes: StatusCause[] = sorted.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${who(c)}`, field: pathString(c.path) }));
  if (sorted.length === 1) {
    const c = sorted[0]!;
    return patchErrors.applyConflict(`Apply failed with 1 conflict: conflict with ${who(c)}: ${pathString(c.path)}`, causes);
  }
  const lines: string[] = [];
  let current = '';
  for (const c of sorted) {
    if (c.ownerId !== current) {
      current = c.ownerId;
      lines.push(`conflicts with ${who(c)}:`);
    }
    lines.push(`- ${pathString(c.path)}`);
  }
  return patchErrors.applyConflict(`Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`, causes);
}
