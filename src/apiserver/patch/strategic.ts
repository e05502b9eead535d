// application/strategic-merge-patch+json, as kube-apiserver applies it
// (StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls). The schema decides
// how each field merges: maps and structs recurse, lists whose field has patchStrategy=merge
// merge by their patchMergeKey (primitive ones by value), anything else is replaced. Directives:
// `$patch: replace|delete` on maps and list items, `$retainKeys`, `$setElementOrder/<list>`,
// `$deleteFromPrimitiveList/<list>`, and `null` to delete a field. Free-form parts (and unknown
// models) have no strategies, which makes the patch a JSON merge patch there.
import type { JsonObject, JsonValue } from '../../api/types.js';
import { parsePatchBody } from './body.js';
import {
  DELETE_FROM_PRIMITIVE_LIST_PREFIX,
  PATCH_DIRECTIVE,
  RETAIN_KEYS_DIRECTIVE,
  SET_ELEMENT_ORDER_PREFIX,
  patchValueAsIs,
} from './directives.js';
import { patchErrors } from './errors.js';
import { cloneJson, goJsonKind, isJsonObject } from './json.js';
import { smpErrors } from './strategic-errors.js';
import { checkSetElementOrder, elementKind, findByKey, normalizeElementOrder, partitionByPresence } from './strategic-order.js';
import type { ChildRef, TypeRef, TypeResolver } from './typeref.js';

export function applyStrategicMergePatch(live: JsonObject, body: string, type: TypeRef, types: TypeResolver): JsonObject {
  const patch = parsePatchBody(body);
  if (patch === null) return cloneJson(live);
  if (!isJsonObject(patch)) throw patchErrors.badRequest(`json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`);
  return strategicMerge(live, patch, type, types);
}

/** Merges a decoded patch into a copy of `original`; neither argument is modified. */
export function strategicMerge(original: JsonObject, patch: JsonObject, type: TypeRef, types: TypeResolver): JsonObject {
  return new StrategicMerger(types).mergeMap(cloneJson(original), cloneJson(patch), type);
}

/** The list field a `$prefix/<field>` directive key names. */
function directiveTarget(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === SET_ELEMENT_ORDER_PREFIX ? smpErrors.badSetElementOrderFormat() : smpErrors.badPrimitiveListFormat();
  }
  return key.slice(slash + 1);
}

/** The strategy other than retainKeys ('merge', 'replace' or '') of a field's patchStrategy. */
function mergeStrategy(child: ChildRef): string {
  const strategies = child.meta?.strategy ?? [];
  const others = strategies.filter((s) => s !== 'retainKeys');
  if (strategies.length > 2 || others.length > 1) throw patchErrors.unknown(`unexpected patch strategy: [${strategies.join(' ')}]`);
  return others[0] ?? '';
}

function sameKind(a: JsonValue, b: JsonValue): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b);
  return typeof a === typeof b;
}

class StrategicMerger {
  constructor(private readonly types: TypeResolver) {}

  /** mergeMap: both arguments are owned (and modified) by the merge. */
  mergeMap(original: JsonObject, patch: JsonObject, type: TypeRef): JsonObject {
    if (PATCH_DIRECTIVE in patch) return this.mapDirective(patch);
    this.applyRetainKeys(original, patch);
    this.mergeOrderedLists(original, patch, type);

    for (const [patchKey, patchV] of Object.entries(patch)) {
      let key = patchKey;
      const isDeleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX);
      if (isDeleteList) key = directiveTarget(patchKey, DELETE_FROM_PRIMITIVE_LIST_PREFIX);

      // null deletes the field (for a deletion list, the list itself: Kubernetes does the same).
      if (patchV === null) {
        delete original[key];
        continue;
      }
      const originalV = original[key];
      if (originalV === undefined || !sameKind(originalV, patchV)) {
        // Nothing to merge with: take the patch value (a deletion list has nothing to delete from).
        if (!isDeleteList) this.setAsIs(original, key, patchV);
        continue;
      }
      const child = this.types.child(type, key);
      if (isJsonObject(originalV) && isJsonObject(patchV)) {
        original[key] = mergeStrategy(child) === 'replace' ? this.asIs(patchV) : this.mergeMap(originalV, patchV, child.type);
      } else if (Array.isArray(originalV) && Array.isArray(patchV)) {
        original[key] = this.mergeListField(originalV, patchV, child, isDeleteList);
      } else {
        this.setAsIs(original, key, patchV);
      }
    }
    return original;
  }

  /** `$patch` in a map: replace keeps the patch alone, delete empties the map; merge is refused. */
  private mapDirective(patch: JsonObject): JsonObject {
    const directive = patch[PATCH_DIRECTIVE]!;
    if (directive === 'replace') {
      delete patch[PATCH_DIRECTIVE];
      return this.asIs(patch);
    }
    if (directive === 'delete') return {};
    throw smpErrors.badPatchType(directive, patch);
  }

  /** `$retainKeys`: every key set by the patch must be listed; live keys not listed are cleared. */
  private applyRetainKeys(original: JsonObject, patch: JsonObject): void {
    if (!(RETAIN_KEYS_DIRECTIVE in patch)) return;
    const retain = patch[RETAIN_KEYS_DIRECTIVE];
    delete patch[RETAIN_KEYS_DIRECTIVE];
    if (!Array.isArray(retain)) throw smpErrors.badRetainKeysFormat();
    const keep = new Set<JsonValue>(retain);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || k.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
      if (!keep.has(k)) throw smpErrors.badRetainKeysFormat();
    }
    for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
  }

  /**
   * mergePatchIntoOriginal: each `$setElementOrder/<list>` merges that list now and orders it:
   * listed items in the directive's order, server-only items where they were.
   */
  private mergeOrderedLists(original: JsonObject, patch: JsonObject, type: TypeRef): void {
    for (const [key, order] of Object.entries(patch)) {
      if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
      delete patch[key];
      if (!Array.isArray(order)) throw smpErrors.badArgType('[]interface {}', order);
      const field = directiveTarget(key, SET_ELEMENT_ORDER_PREFIX);
      const originalList = original[field];
      const patchList = patch[field];
      if (originalList !== undefined && !Array.isArray(originalList)) throw smpErrors.badArgType('[]interface {}', originalList);
      if (patchList !== undefined && !Array.isArray(patchList)) throw smpErrors.badArgType('[]interface {}', patchList);

      const child = this.types.child(type, field);
      const mergeKey = child.meta?.mergeKey ?? '';
      mergeStrategy(child);
      checkSetElementOrder(patchList ?? [], order, mergeKey);

      let merged: JsonValue[];
      if (originalList !== undefined && patchList === undefined) merged = originalList;
      else if (originalList === undefined && patchList !== undefined) merged = this.asIsList(patchList);
      else if (originalList !== undefined && patchList !== undefined) merged = this.mergeListField(originalList, patchList, child, false);
      else continue;

      const kind = elementKind(originalList ?? [], patchList ?? []);
      if (kind === undefined) throw smpErrors.noElements();
      const [listed, serverOnly] = partitionByPresence(merged, order, mergeKey);
      original[field] = normalizeElementOrder(listed, serverOnly, order, originalList ?? [], mergeKey, kind);
      delete patch[field];
    }
  }

  /** mergeSliceHandler: merge lists merge; deletion lists always apply; other lists are replaced. */
  private mergeListField(original: JsonValue[], patch: JsonValue[], child: ChildRef, isDeleteList: boolean): JsonValue[] {
    if (mergeStrategy(child) === 'merge' || isDeleteList) {
      return this.mergeList(original, patch, this.types.items(child.type), child.meta?.mergeKey ?? '', isDeleteList);
    }
    return this.asIsList(patch);
  }

  /** mergeSlice */
  private mergeList(original: JsonValue[], patch: JsonValue[], itemType: TypeRef, mergeKey: string, isDeleteList: boolean): JsonValue[] {
    if (original.length === 0 && patch.length === 0) return original;
    const kind = elementKind(original, patch)!;

    let merged: JsonValue[];
    let orderedBy = patch;
    let base = original;
    if (kind === 'scalar') {
      if (isDeleteList) {
        const drop = new Set(patch);
        return original.filter((v) => !drop.has(v));
      }
      merged = [...new Set([...original, ...patch])];
    } else {
      if (mergeKey === '') throw smpErrors.noMergeKeyDeclared(itemType.kind === 'struct' ? itemType.model : 'list');
      [base, orderedBy] = this.listDirectives(original, patch, mergeKey);
      merged = this.mergeListItems([...base], orderedBy, mergeKey, itemType);
    }
    const [fromPatch, serverOnly] = partitionByPresence(merged, orderedBy, mergeKey);
    return normalizeElementOrder(fromPatch, serverOnly, orderedBy, base, mergeKey, kind);
  }

  /**
   * mergeSliceWithSpecialElements: `$patch: delete` items remove live items with their key,
   * a `$patch: replace` item makes the patch's other items the whole list.
   * Returns the live list to merge into and the patch items left to merge.
   */
  private listDirectives(original: JsonValue[], patch: JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
    const plain: JsonValue[] = [];
    let replace = false;
    let live = original;
    for (const item of patch) {
      const m = item as JsonObject;
      if (!(PATCH_DIRECTIVE in m)) {
        plain.push(item);
        continue;
      }
      const directive = m[PATCH_DIRECTIVE]!;
      if (directive === 'delete') {
        if (!(mergeKey in m)) throw smpErrors.noMergeKey(m, mergeKey);
        live = this.withoutKey(live, mergeKey, m[mergeKey]!);
      } else if (directive === 'replace') {
        replace = true;
      } else if (directive === 'merge') {
        throw smpErrors.listMergeDirective();
      } else {
        throw smpErrors.badPatchType(directive, m);
      }
    }
    if (replace) return [this.asIsList(plain), []];
    return [live, plain];
  }

  private withoutKey(list: JsonValue[], mergeKey: string, value: JsonValue): JsonValue[] {
    let out = list;
    for (let i = findByKey(out, mergeKey, value); i >= 0; i = findByKey(out, mergeKey, value)) {
      out = [...out.slice(0, i), ...out.slice(i + 1)];
    }
    return out;
  }

  /** mergeSliceWithoutSpecialElements: patch items merge into the live item with their key, or are appended. */
  private mergeListItems(live: JsonValue[], patch: JsonValue[], mergeKey: string, itemType: TypeRef): JsonValue[] {
    for (const item of patch) {
      const m = item as JsonObject;
      if (!(mergeKey in m)) throw smpErrors.noMergeKey(m, mergeKey);
      const i = findByKey(live, mergeKey, m[mergeKey]!);
      if (i >= 0) live[i] = this.mergeMap(live[i] as JsonObject, m, itemType);
      else {
        const added = patchValueAsIs(m);
        if (added !== undefined) live.push(added);
      }
    }
    return live;
  }

  private setAsIs(target: JsonObject, key: string, v: JsonValue): void {
    const kept = patchValueAsIs(v);
    if (kept === undefined) delete target[key];
    else target[key] = kept;
  }

  private asIs(m: JsonObject): JsonObject {
    return (patchValueAsIs(m) as JsonObject | undefined) ?? {};
  }

  private asIsList(list: JsonValue[]): JsonValue[] {
    return patchValueAsIs(list) as JsonValue[];
  }
}
