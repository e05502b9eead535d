// The FieldsV1 wire format of managedFields (k8s.io/apimachinery managedfields, structured-merge-diff
// fieldpath/serialize.go): a trie of path elements whose leaves are `{}`; a path that is owned
// and also has owned children carries `".": {}` first. Siblings are sorted.
import type { JsonObject } from '../../api/types.js';
import { comparePE, FieldSet, parsePE, serializePE, type Path, type PathElement } from './fieldpath.js';
import { isJsonObject } from './json.js';

interface Node {
  pe: PathElement;
  member: boolean;
  children: Map<string, Node>;
}

export function encodeFieldsV1(set: FieldSet): JsonObject {
  const root = new Map<string, Node>();
  for (const path of set.all()) {
    let level = root;
    path.forEach((pe, i) => {
      const id = serializePE(pe);
      let node = level.get(id);
      if (!node) {
        node = { pe, member: false, children: new Map() };
        level.set(id, node);
      }
      if (i === path.length - 1) node.member = true;
      level = node.children;
    });
  }
  return emit(root);
}

function emit(level: Map<string, Node>): JsonObject {
  const out: JsonObject = {};
  const nodes = [...level.values()].sort((a, b) => comparePE(a.pe, b.pe));
  for (const node of nodes) {
    if (node.children.size === 0) {
      out[serializePE(node.pe)] = {};
      continue;
    }
    const inner: JsonObject = node.member ? { '.': {} } : {};
    Object.assign(inner, emit(node.children));
    out[serializePE(node.pe)] = inner;
  }
  return out;
}

/** Decodes FieldsV1; throws on a malformed document (callers decide what that means). */
export function decodeFieldsV1(fields: JsonObject): FieldSet {
  const set = new FieldSet();
  const walk = (obj: JsonObject, prefix: Path): void => {
    for (const [k, v] of Object.entries(obj)) {
      if (k === '.') {
        if (prefix.length > 0) set.insert(prefix);
        continue;
      }
      if (!isJsonObject(v)) throw new Error(`expected an object for ${k}`);
      const path = [...prefix, parsePE(k)];
      if (Object.keys(v).length === 0) set.insert(path);
      else walk(v, path);
    }
  };
  walk(fields, []);
  return set;
}
