// metadata.managedFields, decoded into owners and their field sets and encoded back the way
// kube-apiserver writes them (k8s.io/apimachinery/pkg/util/managedfields/internal): one entry
// per manager, operation, subresource and, for updates, apiVersion; sorted by operation, time,
// manager, apiVersion, subresource; at most 10 update entries, the oldest merged into
// "ancient-changes".
import type { JsonObject, JsonValue, ManagedFieldsEntry } from '../../api/types.js';
import { FieldSet } from './fieldpath.js';
import { decodeFieldsV1, encodeFieldsV1 } from './fieldsv1.js';
import { isJsonObject } from './json.js';

export type Operation = 'Apply' | 'Update';

export interface Owner {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource: string;
  /** RFC 3339, seconds precision. */
  time?: string;
  set: FieldSet;
}

/** Owners by identity (see ownerId). */
export type Owners = Map<string, Owner>;

/** DefaultMaxUpdateManagers */
export const MAX_UPDATE_MANAGERS = 10;

/**
 * BuildManagerIdentifier: the entry without time and fields, as Go's JSON encoding spells it.
 * Appliers are one owner whatever apiVersion they apply with.
 */
export function ownerId(o: Pick<Owner, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: Record<string, string> = {};
  if (o.manager !== '') id['manager'] = o.manager;
  id['operation'] = o.operation;
  if (o.operation === 'Update' && o.apiVersion !== '') id['apiVersion'] = o.apiVersion;
  if (o.subresource !== '') id['subresource'] = o.subresource;
  return JSON.stringify(id);
}

/** How conflict messages name an owner: `"kubectl"`, `"kube-controller-manager" using apps/v1`. */
export function printOwner(o: Owner): string {
  let s = JSON.stringify(o.manager);
  if (o.subresource !== '') s += ` with subresource ${JSON.stringify(o.subresource)}`;
  if (o.operation === 'Update') s += ` using ${o.apiVersion}`;
  return s;
}

/** DecodeManagedFields; throws with Kubernetes' message when an entry is malformed. */
export function decodeManagedFields(entries: JsonValue | undefined): Owners {
  const owners: Owners = new Map();
  if (entries === undefined || entries === null) return owners;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((e, i) => {
    if (!isJsonObject(e)) throw new Error(`managed fields entry ${i} is not an object`);
    const operation = e['operation'];
    if (operation !== 'Apply' && operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    const apiVersion = typeof e['apiVersion'] === 'string' ? e['apiVersion'] : '';
    if (apiVersion === '') throw new Error('apiVersion must not be empty');
    const fieldsType = e['fieldsType'];
    if (fieldsType === undefined || fieldsType === '') throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(fieldsType)} in managed fields entry ${i}`);
    const fields = e['fieldsV1'] ?? {};
    if (!isJsonObject(fields)) throw new Error(`error decoding set: fieldsV1 of entry ${i} is not an object`);
    const owner: Owner = {
      manager: typeof e['manager'] === 'string' ? e['manager'] : '',
      operation,
      apiVersion,
      subresource: typeof e['subresource'] === 'string' ? e['subresource'] : '',
      set: decodeFieldsV1(fields),
    };
    if (typeof e['time'] === 'string') owner.time = e['time'];
    owners.set(ownerId(owner), owner);
  });
  return owners;
}

/** encodeManagedFields: undefined when nobody owns anything (the field is then omitted). */
export function encodeManagedFields(owners: Owners): ManagedFieldsEntry[] | undefined {
  const entries = [...owners.values()].filter((o) => !o.set.isEmpty());
  if (entries.length === 0) return undefined;
  entries.sort(compareOwners);
  return entries.map((o) => {
    const e: ManagedFieldsEntry = { manager: o.manager, operation: o.operation, apiVersion: o.apiVersion };
    if (o.time !== undefined) e.time = o.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = encodeFieldsV1(o.set);
    if (o.subresource !== '') e.subresource = o.subresource;
    return e;
  });
}

function seconds(t: string | undefined): number {
  return t === undefined ? 0 : Math.floor(Date.parse(t) / 1000);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sortEncodedManagedFields */
function compareOwners(p: Owner, q: Owner): number {
  return (
    compareStrings(p.operation, q.operation) ||
    seconds(p.time) - seconds(q.time) ||
    compareStrings(p.manager, q.manager) ||
    compareStrings(p.apiVersion, q.apiVersion) ||
    compareStrings(p.subresource, q.subresource)
  );
}

/** capUpdateManagers: merges the oldest update entries, per apiVersion, into "ancient-changes". */
export function capUpdateManagers(owners: Owners, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...owners.entries()].filter(([, o]) => o.operation === 'Update');
  if (updaters.length <= max) return;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || compareStrings(ia, ib));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const [id, o] = updaters[i]!;
    const bucket = ownerId({ manager: 'ancient-changes', operation: 'Update', apiVersion: o.apiVersion, subresource: '' });
    const first = firstOfVersion.get(o.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(o.apiVersion, id);
      continue;
    }
    if (!owners.has(bucket)) {
      const firstOwner = owners.get(first)!;
      owners.delete(first);
      owners.set(bucket, { ...firstOwner, manager: 'ancient-changes', subresource: '' });
    }
    const b = owners.get(bucket)!;
    const merged: Owner = { ...b, set: o.set.union(b.set) };
    if (o.time !== undefined) merged.time = o.time;
    owners.set(bucket, merged);
    owners.delete(id);
    length--;
  }
}

/** RFC 3339 at seconds precision, as metav1.Time serializes. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function managedFieldsOf(obj: JsonObject): JsonValue | undefined {
  const meta = obj['metadata'];
  return isJsonObject(meta) ? meta['managedFields'] : undefined;
}
