// What server-side apply's walkers need to know about a value at a place in the schema
// (structured-merge-diff typed/helpers.go): whether it is a leaf (scalar or atomic), a granular
// list or a granular map/struct, and how a list item is addressed.
import type { JsonObject, JsonValue } from '../../api/types.js';
import { fieldPE, keyPE, pathString, type Path, type PathElement } from './fieldpath.js';
import { cloneJson, isJsonObject } from './json.js';
import type { ListSemantics, TypeRef } from './typeref.js';
import { GO_ZERO_FIELDS } from './zero-values.js';

export type NodeKind = 'leaf' | 'list' | 'map';

/**
 * How a value is walked. Atomic types are leaves; a value that does not fit its type is a leaf
 * too (validation reports it elsewhere); free-form maps are granular and free-form lists atomic.
 */
export function nodeKind(t: TypeRef, ...values: (JsonValue | undefined)[]): NodeKind {
  const present = values.filter((v): v is JsonValue => v !== undefined && v !== null);
  switch (t.kind) {
    case 'scalar':
      return 'leaf';
    case 'struct':
    case 'map':
      return !t.atomic && present.every(isJsonObject) ? 'map' : 'leaf';
    case 'list':
      return t.list.type !== 'atomic' && present.every(Array.isArray) ? 'list' : 'leaf';
    case 'deduced':
      return present.length > 0 && present.every(isJsonObject) ? 'map' : 'leaf';
  }
}

/** Null, absent or empty: structured-merge-diff promotes two such values to a leaf. */
export function isEmptyValue(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isJsonObject(v) && Object.keys(v).length === 0;
}

export class ItemKeyError extends Error {}

/** The path element of a list item: its key fields (with their defaults) or, in a set, its value. */
export function itemPE(list: ListSemantics, item: JsonValue, index: number): PathElement {
  if (list.type === 'atomic') return { index };
  if (list.type === 'set') {
    if (typeof item === 'object' && item !== null) throw new ItemKeyError(`element ${index}: associative list without keys has an element that's a ${Array.isArray(item) ? 'list' : 'map'} type`);
    return { value: item };
  }
  if (item === null) throw new ItemKeyError(`element ${index}: associative list with keys may not have a null element`);
  if (!isJsonObject(item)) throw new ItemKeyError(`element ${index}: associative list with keys may not have non-map elements`);
  const fields: [string, JsonValue][] = [];
  for (const k of list.keys) {
    const v = item[k] ?? list.keyDefaults[k];
    if (v !== undefined) fields.push([k, v]);
  }
  if (fields.length === 0) {
    const keys = list.keys.map((k) => JSON.stringify(k)).join(' ');
    throw new ItemKeyError(`element ${index}: associative list with keys has an element that omits all key fields [${keys}] (and doesn't have default values for any key fields)`);
  }
  return keyPE(fields);
}

/** The path elements of a list's items, or an error for a config that repeats a key. */
export function itemPEs(list: ListSemantics, items: readonly JsonValue[], path: Path, allowDuplicates: boolean): PathElement[] {
  let pes: PathElement[];
  try {
    pes = items.map((item, i) => itemPE(list, item, i));
  } catch (err) {
    if (err instanceof ItemKeyError) throw new ItemKeyError(`${pathString(path)}: ${err.message}`);
    throw err;
  }
  if (!allowDuplicates) {
    const seen = new Set<string>();
    for (const pe of pes) {
      const id = JSON.stringify(pe);
      if (seen.has(id)) throw new ItemKeyError(`${pathString(path)}: duplicate entries for key ${pathString([pe])}`);
      seen.add(id);
    }
  }
  return pes;
}

/**
 * The object as the Go type would hold it: fields a Go struct always carries (see
 * zero-values.ts) are filled in. Only used to compare objects the way kube-apiserver does.
 */
export function withGoZeroFields(t: TypeRef, v: JsonValue | undefined): JsonValue | undefined {
  if (t.kind !== 'struct' || !isJsonObject(v)) return v;
  const zeros = GO_ZERO_FIELDS[t.model];
  if (!zeros) return v;
  let out: JsonObject | undefined;
  for (const [k, zero] of Object.entries(zeros)) {
    if (k in v) continue;
    out ??= { ...v };
    out[k] = cloneJson(zero);
  }
  return out ?? v;
}

export function childPath(path: Path, key: string): Path {
  return [...path, fieldPE(key)];
}
