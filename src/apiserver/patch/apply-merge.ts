// Merging an applied configuration into the live object (structured-merge-diff
// TypedValue.Merge, the configuration on the right): scalars and atomic values are replaced,
// maps and structs merge key by key, associative lists merge item by item (matched by their
// list-map keys or set values), keeping the live order around the configuration's order.
import type { JsonObject, JsonValue } from '../../api/types.js';
import { serializePE, type Path } from './fieldpath.js';
import { isJsonObject } from './json.js';
import { childPath, isEmptyValue, itemPEs, nodeKind } from './typed.js';
import type { TypeRef, TypeResolver } from './typeref.js';

export function mergeApplied(live: JsonObject, config: JsonObject, type: TypeRef, types: TypeResolver): JsonObject {
  const out = new Merger(types).node(live, config, type, []);
  return isJsonObject(out) ? out : {};
}

class Merger {
  constructor(private readonly types: TypeResolver) {}

  node(l: JsonValue | undefined, r: JsonValue | undefined, t: TypeRef, path: Path): JsonValue | undefined {
    if (r === undefined) return l;
    if (l === undefined) return r;
    const kind = nodeKind(t, l, r);
    // A null on one side of a granular value is "nothing there"; two empty values keep the right one.
    if (kind === 'leaf' || (isEmptyValue(l) && isEmptyValue(r))) return r;
    if (r === null) return l;
    if (l === null) return r;
    if (kind === 'list' && t.kind === 'list' && Array.isArray(l) && Array.isArray(r)) return this.list(l, r, t, path);
    if (isJsonObject(l) && isJsonObject(r)) return this.map(l, r, t, path);
    return r;
  }

  private map(l: JsonObject, r: JsonObject, t: TypeRef, path: Path): JsonObject {
    const out: JsonObject = {};
    const put = (key: string, v: JsonValue | undefined): void => {
      // A field merged to null is unset: decoding into the Go type drops it.
      if (v !== undefined && v !== null) out[key] = v;
    };
    for (const [key, lv] of Object.entries(l)) {
      put(key, key in r ? this.node(lv, r[key], this.types.child(t, key).type, childPath(path, key)) : lv);
    }
    for (const [key, rv] of Object.entries(r)) if (!(key in l)) put(key, rv);
    return out;
  }

  /**
   * Items present on both sides are merged in the configuration's order; live-only items stay
   * where they were, relative to the shared items (structured-merge-diff visitListItems).
   */
  private list(l: JsonValue[], r: JsonValue[], t: Extract<TypeRef, { kind: 'list' }>, path: Path): JsonValue[] {
    const rPEs = itemPEs(t.list, r, path, false);
    const lPEs = itemPEs(t.list, l, path, true);
    const rIds = rPEs.map(serializePE);
    const lIds = lPEs.map(serializePE);
    const peOf = new Map([...lPEs, ...rPEs].map((pe) => [serializePE(pe), pe]));
    const right = new Map(rIds.map((id, i) => [id, r[i]!]));
    // A key repeated in the live list matches nothing: the configuration's item replaces them all.
    const left = new Map<string, JsonValue | undefined>();
    lIds.forEach((id, i) => left.set(id, left.has(id) ? undefined : l[i]));
    const itemPath = (id: string): Path => [...path, peOf.get(id)!];

    const out: JsonValue[] = [];
    const merged = new Set<string>();
    const shared = rIds.filter((id) => left.has(id));
    let nextShared = shared.shift();
    const emit = (id: string, lv: JsonValue | undefined, rv: JsonValue | undefined): void => {
      const v = this.node(lv, rv, t.items, itemPath(id));
      if (v !== undefined) out.push(v);
    };

    let li = 0;
    let ri = 0;
    while (li < l.length || ri < r.length) {
      if (li < l.length && ri < r.length) {
        const id = lIds[li]!;
        if (id === rIds[ri]) {
          merged.add(id);
          emit(id, left.get(id), right.get(id));
          li++;
          ri++;
          nextShared = shared.shift();
          continue;
        }
        // A shared item out of turn waits for its place in the configuration's order.
        if (right.has(id) && nextShared !== undefined && nextShared !== id) {
          li++;
          continue;
        }
      }
      if (li < l.length) {
        const id = lIds[li]!;
        if (!right.has(id)) {
          emit(id, l[li], undefined);
          li++;
          continue;
        } else if (merged.has(id)) {
          li++;
        }
      }
      if (ri < r.length) {
        const id = rIds[ri]!;
        merged.add(id);
        emit(id, left.get(id), right.get(id));
        ri++;
        if (nextShared === id) nextShared = shared.shift();
      }
    }
    return out;
  }
}
