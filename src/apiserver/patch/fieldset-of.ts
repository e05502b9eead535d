// The fields an applied configuration sets (structured-merge-diff TypedValue.ToFieldSet):
// every scalar and atomic value, every list item (and what it sets inside), every map key of a
// free-form map, and fields set to null or {}. Structs themselves are not members.
import type { JsonValue } from '../../api/types.js';
import { FieldSet, type Path } from './fieldpath.js';
import { isJsonObject } from './json.js';
import { childPath, itemPEs, nodeKind } from './typed.js';
import type { TypeRef, TypeResolver } from './typeref.js';

export function fieldSetOf(value: JsonValue, type: TypeRef, types: TypeResolver, allowDuplicates = false): FieldSet {
  const set = new FieldSet();
  walk(value, type, [], set, types, allowDuplicates);
  return set;
}

function walk(v: JsonValue, t: TypeRef, path: Path, set: FieldSet, types: TypeResolver, allowDuplicates: boolean): void {
  const kind = nodeKind(t, v);
  if (kind === 'leaf') {
    if (path.length > 0) set.insert(path);
    return;
  }
  if (kind === 'list') {
    if (!Array.isArray(v) || t.kind !== 'list') return;
    const pes = itemPEs(t.list, v, path, allowDuplicates);
    const ids = pes.map((pe) => JSON.stringify(pe));
    const repeated = new Set(ids.filter((id, i) => ids.indexOf(id) !== i));
    v.forEach((item, i) => {
      const itemPath = [...path, pes[i]!];
      // A duplicated item (only tolerated in live objects) is owned as a whole.
      if (!repeated.has(ids[i]!)) walk(item, t.items, itemPath, set, types, allowDuplicates);
      set.insert(itemPath);
    });
    return;
  }
  if (!isJsonObject(v)) return;
  for (const [key, child] of Object.entries(v)) {
    const ref = types.child(t, key);
    const p = childPath(path, key);
    walk(child, ref.type, p, set, types, allowDuplicates);
    if (child === null || (isJsonObject(child) && Object.keys(child).length === 0) || !ref.named) set.insert(p);
  }
}
