// Which fields an operation added, modified or removed (structured-merge-diff
// TypedValue.Compare). Objects are compared as their Go types hold them (zero-valued fields
// filled in), which decides whether a whole struct or list counts as added.
import type { JsonValue } from '../../api/types.js';
import { FieldSet, type Path, type PathElement } from './fieldpath.js';
import { isJsonObject, jsonEqual } from './json.js';
import { childPath, isEmptyValue, itemPEs, nodeKind, withGoZeroFields } from './typed.js';
import type { TypeRef, TypeResolver } from './typeref.js';

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compareObjects(lhs: JsonValue, rhs: JsonValue, type: TypeRef, types: TypeResolver): Comparison {
  const cmp: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  new Comparer(types, cmp).node(lhs, rhs, type, []);
  return cmp;
}

/** Keeps only the paths `keep` accepts in each part of a comparison. */
export function filterComparison(cmp: Comparison, keep: (p: Path) => boolean): Comparison {
  return { added: cmp.added.filter(keep), modified: cmp.modified.filter(keep), removed: cmp.removed.filter(keep) };
}

class Comparer {
  constructor(
    private readonly types: TypeResolver,
    private readonly cmp: Comparison,
  ) {}

  node(lRaw: JsonValue | undefined, rRaw: JsonValue | undefined, t: TypeRef, path: Path): void {
    const l = withGoZeroFields(t, lRaw);
    const r = withGoZeroFields(t, rRaw);
    const kind = nodeKind(t, l, r);
    if (kind === 'leaf' || (isEmptyValue(l) && isEmptyValue(r))) {
      this.leaf(l, r, path);
      return;
    }
    if (kind === 'list' && t.kind === 'list') this.list(l, r, t, path);
    else this.map(l, r, t, path);
    if (path.length === 0) return;
    if (l === undefined) this.cmp.added.insert(path);
    else if (r === undefined) this.cmp.removed.insert(path);
  }

  private leaf(l: JsonValue | undefined, r: JsonValue | undefined, path: Path): void {
    if (path.length === 0) return;
    if (l === undefined) this.cmp.added.insert(path);
    else if (r === undefined) this.cmp.removed.insert(path);
    else if (!jsonEqual(l, r)) this.cmp.modified.insert(path);
  }

  private map(l: JsonValue | undefined, r: JsonValue | undefined, t: TypeRef, path: Path): void {
    const lm = isJsonObject(l) ? l : {};
    const rm = isJsonObject(r) ? r : {};
    const keys = new Set([...Object.keys(lm), ...Object.keys(rm)]);
    for (const key of keys) this.node(lm[key], rm[key], this.types.child(t, key).type, childPath(path, key));
  }

  /** Items are matched by key (or value); a key repeated on one side is compared as a whole. */
  private list(l: JsonValue | undefined, r: JsonValue | undefined, t: Extract<TypeRef, { kind: 'list' }>, path: Path): void {
    const groups = new Map<string, { pe: PathElement; left: JsonValue[]; right: JsonValue[] }>();
    const add = (items: JsonValue[], side: 'left' | 'right'): void => {
      const pes = itemPEs(t.list, items, path, true);
      items.forEach((item, i) => {
        const pe = pes[i]!;
        const id = JSON.stringify(pe);
        let g = groups.get(id);
        if (!g) groups.set(id, (g = { pe, left: [], right: [] }));
        g[side].push(item);
      });
    };
    add(Array.isArray(l) ? l : [], 'left');
    add(Array.isArray(r) ? r : [], 'right');
    for (const { pe, left, right } of groups.values()) {
      const itemPath = [...path, pe];
      if (left.length <= 1 && right.length <= 1) this.node(left[0], right[0], t.items, itemPath);
      else if (left.length >= 2 && right.length >= 2) {
        if (!jsonEqual(left, right)) this.cmp.modified.insert(itemPath);
      } else if (left.length >= 2) {
        if (right.length === 1) this.node(undefined, right[0], t.items, itemPath);
        this.cmp.removed.insert(itemPath);
      } else {
        if (left.length === 1) this.node(left[0], undefined, t.items, itemPath);
        this.cmp.added.insert(itemPath);
      }
    }
  }
}
