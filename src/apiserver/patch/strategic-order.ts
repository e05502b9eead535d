// The order of a list after a strategic merge (apimachinery's normalizeElementOrder): items
// named by the patch (or by its $setElementOrder list) follow the patch's order, items only the
// server has keep their live order, and the two are interleaved so that each server-only item
// stays in front of the first patch item that followed it in the live list.
// Ref: design-proposals-archive/cli/preserve-order-in-strategic-merge-patch.md
import type { JsonObject, JsonValue } from '../../api/types.js';
import { PATCH_DIRECTIVE } from './directives.js';
import { isJsonObject } from './json.js';
import { smpErrors } from './strategic-errors.js';

/** Lists either hold maps (merged by a key) or scalars (merged by value). */
export type ElementKind = 'map' | 'scalar';

/** The identity of an item for ordering: its merge key's value, or the scalar itself. */
function identity(item: JsonValue, mergeKey: string, kind: ElementKind): JsonValue | undefined {
  if (kind !== 'map') return item;
  return isJsonObject(item) ? item[mergeKey] : undefined;
}

export function indexIn(list: readonly JsonValue[], item: JsonValue, mergeKey: string, kind: ElementKind): number {
  const id = identity(item, mergeKey, kind);
  return list.findIndex((x) => identity(x, mergeKey, kind) === id);
}

/**
 * The kind of the elements of lists merged together. Kubernetes refuses lists of lists and
 * lists whose elements differ in type; empty lists have no kind.
 */
export function elementKind(...lists: readonly JsonValue[][]): ElementKind | undefined {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      if (Array.isArray(v)) throw smpErrors.noListOfLists();
      const k = v === null ? 'null' : typeof v;
      if (kind === undefined) kind = k;
      else if (kind !== k) throw smpErrors.mixedElementTypes(lists.map((l) => [...l]));
    }
  }
  if (kind === undefined) return undefined;
  return kind === 'object' ? 'map' : 'scalar';
}

/** findMapInSliceBasedOnKeyValue: the index of the map whose merge key has `value`, or -1. */
export function findByKey(list: readonly JsonValue[], mergeKey: string, value: JsonValue): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    if (!isJsonObject(item)) throw smpErrors.notAMap(i);
    if (mergeKey in item && item[mergeKey] === value) return i;
  }
  return -1;
}

/** Splits `items` into those present in `by` and the others (the server-only items). */
export function partitionByPresence(items: readonly JsonValue[], by: readonly JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
  const present: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  if (mergeKey === '') {
    const inBy = new Set(by);
    for (const v of items) (inBy.has(v) ? present : serverOnly).push(v);
    return [present, serverOnly];
  }
  for (const v of items) {
    if (!isJsonObject(v)) throw smpErrors.badArgType('map[string]interface {}', v);
    if (!(mergeKey in v)) throw smpErrors.noMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]!) >= 0 ? present : serverOnly).push(v);
  }
  return [present, serverOnly];
}

/**
 * normalizeElementOrder: sorts patch items by `patchOrder`, server-only items by `serverOrder`,
 * then interleaves them.
 */
export function normalizeElementOrder(
  patchItems: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: readonly JsonValue[],
  serverOrder: readonly JsonValue[],
  mergeKey: string,
  kind: ElementKind,
): JsonValue[] {
  const sortedPatch = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const sortedServer = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  return interleave(sortedServer, sortedPatch, serverOrder, mergeKey, kind);
}

/** normalizeSliceOrder: a stable sort by position in `order`; `$patch: delete` items go last. */
function sortByOrder(items: JsonValue[], order: readonly JsonValue[], mergeKey: string, kind: ElementKind): JsonValue[] {
  let toSort = items;
  let toDelete: JsonValue[] = [];
  if (kind === 'map') {
    requireMergeKey(mergeKey, items);
    requireMergeKey(mergeKey, order);
    toSort = items.filter((v) => !isDeleteItem(v));
    toDelete = items.filter(isDeleteItem);
  }
  // Every item is in `order` by construction; an unknown one sorts last (Kubernetes leaves that case unspecified).
  const rank = (v: JsonValue): number => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const sorted = toSort
    .map((v, i) => ({ v, i, r: rank(v) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.v);
  return [...sorted, ...toDelete];
}

function isDeleteItem(v: JsonValue): boolean {
  return isJsonObject(v) && v[PATCH_DIRECTIVE] === 'delete';
}

function requireMergeKey(mergeKey: string, list: readonly JsonValue[]): void {
  for (const item of list) {
    if (!isJsonObject(item)) throw smpErrors.badArgType('map[string]interface {}', item);
    if (!(mergeKey in item)) throw smpErrors.noMergeKey(item, mergeKey);
  }
}

/**
 * mergeSortedSlice: inserts each server-only item (left) among the patch items (right). A left
 * item goes first only when both items are in the live list and it came before there.
 */
function interleave(left: JsonValue[], right: JsonValue[], serverOrder: readonly JsonValue[], mergeKey: string, kind: ElementKind): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]!);
    else if (j >= right.length) out.push(left[i++]!);
    else {
      const li = indexIn(serverOrder, left[i]!, mergeKey, kind);
      const ri = indexIn(serverOrder, right[j]!, mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
      else out.push(right[j++]!);
    }
  }
  return out;
}

/** The items of a patch list that are not directives, for the $setElementOrder consistency check. */
export function nonDeleteItems(list: readonly JsonValue[], mergeKey: string): JsonValue[] {
  return mergeKey === '' ? [...list] : list.filter((v) => !isDeleteItem(v));
}

/**
 * validatePatchWithSetOrderList: the patch list's items (deletions and directive items aside)
 * must appear in the $setElementOrder list, in the same relative order.
 */
export function checkSetElementOrder(patchList: readonly JsonValue[], order: readonly JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = nonDeleteItems(patchList, mergeKey);
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p]!;
    if (isJsonObject(item) && PATCH_DIRECTIVE in item) {
      p++;
      continue;
    }
    if (sameMergeKey(item, order[o]!, mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) throw smpErrors.orderMismatch([...patchList], [...order]);
}

function sameMergeKey(a: JsonValue, b: JsonValue, mergeKey: string): boolean {
  if (mergeKey === '') return a === b;
  if (!isJsonObject(a)) throw smpErrors.badArgType('map[string]interface {}', a);
  if (!isJsonObject(b)) throw smpErrors.badArgType('map[string]interface {}', b);
  if (!(mergeKey in a)) throw smpErrors.noMergeKey(a, mergeKey);
  if (!(mergeKey in b)) throw smpErrors.noMergeKey(b, mergeKey);
  return (a as JsonObject)[mergeKey] === (b as JsonObject)[mergeKey];
}
