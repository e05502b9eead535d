// Where a value sits in the schema, for the merge algorithms: a struct (a model), a map, a
// list with its apply semantics, a scalar, or free-form JSON ("deduced", as structured-merge-diff
// calls untyped parts: maps merge key by key, lists are atomic). Built from the structural
// schema (src/api/schema.ts) and the patch metadata (src/api/patchmeta.ts).
import { isAtomicStruct, patchMetaFor, type FieldPatchMeta } from '../../api/patchmeta.js';
import type { FieldType, Schema } from '../../api/schema.js';
import type { JsonPrimitive } from '../../api/types.js';

/** Server-side apply list semantics (x-kubernetes-list-type). */
export interface ListSemantics {
  type: 'atomic' | 'set' | 'map';
  /** listType=map keys, sorted by name as field paths order them. */
  keys: readonly string[];
  keyDefaults: Readonly<Record<string, JsonPrimitive>>;
}

export type TypeRef =
  | { kind: 'struct'; model: string; atomic: boolean }
  | { kind: 'map'; values: TypeRef; atomic: boolean }
  | { kind: 'list'; items: TypeRef; list: ListSemantics }
  | { kind: 'scalar' }
  | { kind: 'deduced' };

/** A child of a struct or map: its type and, for struct fields, the patch metadata. */
export interface ChildRef {
  type: TypeRef;
  meta: FieldPatchMeta | undefined;
  /** A declared struct field (not a map key, not a free-form key). */
  named: boolean;
}

export const DEDUCED: TypeRef = { kind: 'deduced' };
const SCALAR: TypeRef = { kind: 'scalar' };
const ATOMIC_LIST: ListSemantics = { type: 'atomic', keys: [], keyDefaults: {} };

export class TypeResolver {
  constructor(private readonly schema: Schema) {}

  /** The type of a whole object of the given model; unknown models are free-form. */
  forModel(model: string): TypeRef {
    return this.schema.model(model) ? { kind: 'struct', model, atomic: isAtomicStruct(model) } : DEDUCED;
  }

  /** The child `key` of a value of type `parent`. Unknown struct fields are free-form. */
  child(parent: TypeRef, key: string): ChildRef {
    switch (parent.kind) {
      case 'struct': {
        const field = this.schema.model(parent.model)?.fields.get(key);
        if (!field) return { type: DEDUCED, meta: undefined, named: false };
        const meta = patchMetaFor(parent.model, key);
        return { type: this.fromField(field.type, meta), meta, named: true };
      }
      case 'map':
        return { type: parent.values, meta: undefined, named: false };
      default:
        return { type: DEDUCED, meta: undefined, named: false };
    }
  }

  /** The element type of a list type (free-form lists hold free-form elements). */
  items(list: TypeRef): TypeRef {
    return list.kind === 'list' ? list.items : DEDUCED;
  }

  private fromField(t: FieldType, meta: FieldPatchMeta | undefined): TypeRef {
    switch (t.kind) {
      case 'object':
        return this.forModel(t.model);
      case 'array':
        return { kind: 'list', items: this.fromField(t.items, undefined), list: listSemantics(meta) };
      case 'map':
        return { kind: 'map', values: this.fromField(t.values, undefined), atomic: meta?.mapType === 'atomic' };
      case 'any':
        return DEDUCED;
      default:
        return SCALAR;
    }
  }
}

/**
 * Apply semantics of a list: its +listType, else what the patch strategy implies (a merge list
 * with a merge key is a map keyed by it, without one a set), else atomic.
 */
function listSemantics(meta: FieldPatchMeta | undefined): ListSemantics {
  if (!meta) return ATOMIC_LIST;
  const type = meta.listType ?? (meta.strategy.includes('merge') ? (meta.mergeKey ? 'map' : 'set') : 'atomic');
  if (type !== 'map') return { type, keys: [], keyDefaults: {} };
  const keys = meta.listMapKeys ?? (meta.mergeKey ? [meta.mergeKey] : []);
  return { type, keys: [...keys].sort(), keyDefaults: meta.keyDefaults ?? {} };
}
