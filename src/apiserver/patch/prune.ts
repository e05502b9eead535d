// Removing what an applier stopped applying (structured-merge-diff Updater.prune and
// TypedValue.RemoveItems): a field, list item or map key the manager applied last time, does
// not apply now, and that no manager owns is deleted from the object. Struct fields count as
// owned when something under them is (EnsureNamedFieldsAreMembers), so a struct goes only when
// nothing in it is owned any more.
import type { JsonObject, JsonValue } from '../../api/types.js';
import { FieldSet, serializePE, type Path } from './fieldpath.js';
import { isJsonObject } from './json.js';
import { itemPEs, nodeKind } from './typed.js';
import type { TypeRef, TypeResolver } from './typeref.js';

export function pruneUnapplied(merged: JsonObject, lastApplied: FieldSet, owned: FieldSet, type: TypeRef, types: TypeResolver): JsonObject {
  if (lastApplied.isEmpty()) return merged;
  const toRemove = withNamedFields(lastApplied, type, types).difference(withNamedFields(owned, type, types));
  return removeItems(merged, toRemove, type, types);
}

/** EnsureNamedFieldsAreMembers: adds every struct field that has a member below it. */
export function withNamedFields(set: FieldSet, type: TypeRef, types: TypeResolver): FieldSet {
  const out = new FieldSet(set.all());
  for (const path of set.all()) {
    let t = type;
    for (let i = 0; i < path.length - 1; i++) {
      const pe = path[i]!;
      if ('field' in pe) {
        const child = types.child(t, pe.field);
        if (child.named) out.insert(path.slice(0, i + 1));
        t = child.type;
      } else {
        t = types.items(t);
      }
    }
  }
  return out;
}

interface Trie {
  member: boolean;
  children: Map<string, Trie>;
}

function trieOf(set: FieldSet): Trie {
  const root: Trie = { member: false, children: new Map() };
  for (const path of set.all()) {
    let node = root;
    for (const pe of path) {
      const id = serializePE(pe);
      let next = node.children.get(id);
      if (!next) node.children.set(id, (next = { member: false, children: new Map() }));
      node = next;
    }
    node.member = true;
  }
  return root;
}

/** RemoveItems: members of the set go with everything under them; emptied maps and lists go too. */
export function removeItems(value: JsonObject, set: FieldSet, type: TypeRef, types: TypeResolver): JsonObject {
  const out = remove(value, type, trieOf(set), [], types);
  return isJsonObject(out) ? out : {};
}

function remove(v: JsonValue, t: TypeRef, trie: Trie, path: Path, types: TypeResolver): JsonValue | undefined {
  const kind = nodeKind(t, v);
  if (kind === 'list' && t.kind === 'list' && Array.isArray(v)) {
    const pes = itemPEs(t.list, v, path, true);
    const items: JsonValue[] = [];
    v.forEach((item, i) => {
      const node = trie.children.get(serializePE(pes[i]!));
      if (node?.member) return;
      const kept = node ? remove(item, t.items, node, [...path, pes[i]!], types) : item;
      if (kept !== undefined) items.push(kept);
    });
    return items.length > 0 ? items : undefined;
  }
  if (kind === 'map' && isJsonObject(v)) {
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(v)) {
      const node = trie.children.get(`f:${key}`);
      if (node?.member) continue;
      const kept = node ? remove(child, types.child(t, key).type, node, [...path, { field: key }], types) : child;
      if (kept !== undefined && kept !== null) out[key] = kept;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return v;
}
