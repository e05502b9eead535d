// Field paths and field sets of server-side apply (sigs.k8s.io/structured-merge-diff fieldpath):
// a path element selects a struct field or map key (`f:name`), an associative list item by
// its keys (`k:{"port":80,"protocol":"TCP"}`), a set item by value (`v:"a"`) or an atomic
// list item by index (`i:0`). A set of paths is what a manager owns.
import type { JsonValue } from '../../api/types.js';
import { isJsonObject } from './json.js';

export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly (readonly [string, JsonValue])[] }
  | { readonly value: JsonValue }
  | { readonly index: number };

export type Path = readonly PathElement[];

export function fieldPE(name: string): PathElement {
  return { field: name };
}

/** A key element; its fields are kept sorted by name, as structured-merge-diff does. */
export function keyPE(fields: Iterable<readonly [string, JsonValue]>): PathElement {
  return { key: [...fields].sort(([a], [b]) => compareStrings(a, b)) };
}

/** The FieldsV1 spelling of an element, e.g. `f:spec` or `k:{"name":"app"}`. */
export function serializePE(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) return `k:{${pe.key.map(([n, v]) => `${JSON.stringify(n)}:${JSON.stringify(v)}`).join(',')}}`;
  if ('value' in pe) return `v:${JSON.stringify(pe.value)}`;
  return `i:${pe.index}`;
}

export function parsePE(s: string): PathElement {
  if (s.length < 2 || s[1] !== ':') throw new Error(`invalid path element ${JSON.stringify(s)}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return { field: body };
    case 'v':
      return { value: JSON.parse(body) as JsonValue };
    case 'k': {
      const obj = JSON.parse(body) as JsonValue;
      if (!isJsonObject(obj)) throw new Error(`invalid key path element ${JSON.stringify(s)}`);
      return keyPE(Object.entries(obj));
    }
    case 'i': {
      const n = Number(body);
      if (!Number.isInteger(n)) throw new Error(`invalid index path element ${JSON.stringify(s)}`);
      return { index: n };
    }
    default:
      throw new Error(`unknown path element type in ${JSON.stringify(s)}`);
  }
}

/** A path as conflict messages print it: `.spec.ports[port=80,protocol="TCP"].targetPort`. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      if ('field' in pe) return `.${pe.field}`;
      if ('key' in pe) return `[${pe.key.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
      if ('value' in pe) return `[=${valueString(pe.value)}]`;
      return `[${pe.index}]`;
    })
    .join('');
}

function valueString(v: JsonValue): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? 'null';
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** structured-merge-diff's total order of values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const rank = (v: JsonValue): number =>
    typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : Array.isArray(v) ? 3 : v === null ? 5 : 4;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareStrings(JSON.stringify(a), JSON.stringify(b));
}

/** The order of path elements in a set: fields, then keys, then values, then indexes. */
export function comparePE(a: PathElement, b: PathElement): number {
  const rank = (pe: PathElement): number => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if ('field' in a && 'field' in b) return compareStrings(a.field, b.field);
  if ('key' in a && 'key' in b) {
    for (let i = 0; i < Math.min(a.key.length, b.key.length); i++) {
      const [an, av] = a.key[i]!;
      const [bn, bv] = b.key[i]!;
      const c = compareStrings(an, bn) || compareValues(av, bv);
      if (c !== 0) return c;
    }
    return a.key.length - b.key.length;
  }
  if ('value' in a && 'value' in b) return compareValues(a.value, b.value);
  if ('index' in a && 'index' in b) return a.index - b.index;
  return 0;
}

const SEP = '\u0000';

function pathId(path: Path): string {
  return path.map(serializePE).join(SEP);
}

/** A set of field paths (structured-merge-diff's fieldpath.Set), immutable from outside. */
export class FieldSet {
  private readonly paths = new Map<string, Path>();

  constructor(paths: Iterable<Path> = []) {
    for (const p of paths) this.insert(p);
  }

  insert(path: Path): void {
    this.paths.set(pathId(path), path);
  }

  has(path: Path): boolean {
    return this.paths.has(pathId(path));
  }

  get size(): number {
    return this.paths.size;
  }

  isEmpty(): boolean {
    return this.paths.size === 0;
  }

  /** Every path, unordered. */
  all(): Path[] {
    return [...this.paths.values()];
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet(this.all());
    for (const p of other.all()) out.insert(p);
    return out;
  }

  difference(other: FieldSet): FieldSet {
    return new FieldSet(this.all().filter((p) => !other.has(p)));
  }

  intersection(other: FieldSet): FieldSet {
    return new FieldSet(this.all().filter((p) => other.has(p)));
  }

  filter(keep: (path: Path) => boolean): FieldSet {
    return new FieldSet(this.all().filter(keep));
  }

  /** Paths in structured-merge-diff's iteration order: at each level, members then children, each sorted. */
  sorted(): Path[] {
    return this.all().sort(comparePaths);
  }
}

/** Preorder where a path's own membership comes before its children, siblings sorted. */
function comparePaths(a: Path, b: Path): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    // At the deepest shared level, a member (a path ending here) precedes the children subtree.
    const aEnds = i === a.length - 1;
    const bEnds = i === b.length - 1;
    const c = comparePE(a[i]!, b[i]!);
    if (c !== 0) {
      if (aEnds !== bEnds) return aEnds ? -1 : 1;
      return c;
    }
  }
  return a.length - b.length;
}
