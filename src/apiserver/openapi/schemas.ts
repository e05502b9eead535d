// components.schemas of an OpenAPI v3 document: one JSON Schema per model, shaped as
// kube-apiserver publishes them, because kubectl reads them three ways:
//   - explain walks properties, items, additionalProperties and allOf/$ref, prints
//     descriptions and guesses types from the $ref's last name segment (`<[]ServicePort>`);
//   - apply (1.29+) computes strategic merge patches from x-kubernetes-patch-strategy and
//     x-kubernetes-patch-merge-key on properties, following allOf[0].$ref and items;
//   - it finds a kind's schema by x-kubernetes-group-version-kind.
import { isAtomicStruct, patchMetaFor } from '../../api/patchmeta.js';
import type { FieldType, Model, ModelField } from '../../api/schema.js';
import { BUILTIN } from './canonical.js';
import type { GroupVersionKind, JsonSchema } from './types.js';

export const REF_PREFIX = '#/components/schemas/';

export function ref(definition: string): JsonSchema {
  return { $ref: `${REF_PREFIX}${definition}` };
}

/** The client models flatten these to strings; Kubernetes types them as MicroTime and FieldsV1. */
const MICRO_TIME_FIELDS = new Set(['CoreV1Event.eventTime', 'CoreV1EventSeries.lastObservedTime', 'V1LeaseSpec.acquireTime', 'V1LeaseSpec.renewTime']);
const FIELDS_V1 = 'V1ManagedFieldsEntry.fieldsV1';

export interface SchemaContext {
  /** Canonical definition name of a model. */
  readonly nameOf: (model: string) => string;
  /** Model lookup, to describe a field by its type when the field has no description. */
  readonly model: (name: string) => Model | undefined;
}

/** The component schema of one model. */
export function modelSchema(model: Model, ctx: SchemaContext, gvks: readonly GroupVersionKind[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of model.fields.values()) {
    properties[field.name] = propertySchema(model.name, field, ctx);
    if (field.required) required.push(field.name);
  }
  const s: JsonSchema = {};
  if (model.description !== undefined) s['description'] = model.description;
  s['type'] = 'object';
  s['properties'] = properties;
  if (required.length > 0) s['required'] = required;
  if (gvks.length > 0) s['x-kubernetes-group-version-kind'] = gvks.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  if (isAtomicStruct(model.name)) s['x-kubernetes-map-type'] = 'atomic';
  return s;
}

function propertySchema(owner: string, field: ModelField, ctx: SchemaContext): JsonSchema {
  const where = `${owner}.${field.name}`;
  const base = typeSchema(field.type, ctx, where);
  let s: JsonSchema;
  if (typeof base['$ref'] === 'string') {
    if (field.description !== undefined) {
      // Kubernetes' form: description beside an allOf holding the reference.
      s = { allOf: [base], description: field.description };
    } else {
      // The client drops the descriptions of struct-typed fields (spec, metadata, ...). Show the
      // type's own description in field lists, beside a plain $ref: explain then prints it once,
      // where an allOf would print it twice (field, then referenced type).
      const target = field.type.kind === 'object' ? ctx.model(field.type.model)?.description : undefined;
      s = target === undefined ? base : { ...base, description: target };
    }
  } else {
    s = field.description === undefined ? base : { ...base, description: field.description };
  }
  const meta = patchMetaFor(owner, field.name);
  if (meta !== undefined) {
    if (meta.listType !== undefined) s['x-kubernetes-list-type'] = meta.listType;
    if (meta.listMapKeys !== undefined) s['x-kubernetes-list-map-keys'] = [...meta.listMapKeys];
    if (meta.mapType !== undefined) s['x-kubernetes-map-type'] = meta.mapType;
    if (meta.mergeKey !== undefined) s['x-kubernetes-patch-merge-key'] = meta.mergeKey;
    if (meta.strategy.length > 0) s['x-kubernetes-patch-strategy'] = meta.strategy.join(',');
  }
  return s;
}

function typeSchema(type: FieldType, ctx: SchemaContext, where: string): JsonSchema {
  switch (type.kind) {
    case 'string': {
      const s: JsonSchema = { type: 'string' };
      if (type.format !== undefined) s['format'] = type.format;
      if (type.enum !== undefined) s['enum'] = [...type.enum];
      return s;
    }
    case 'integer':
      return type.format === undefined ? { type: 'integer' } : { type: 'integer', format: type.format };
    case 'number':
      return { type: 'number', format: type.format ?? 'double' };
    case 'boolean':
      return { type: 'boolean' };
    case 'object':
      return ref(ctx.nameOf(type.model));
    case 'array':
      return { type: 'array', items: elementSchema(type.items, ctx, where) };
    case 'map':
      return { type: 'object', additionalProperties: elementSchema(type.values, ctx, where) };
    case 'intOrString':
      return ref(BUILTIN.intOrString);
    case 'quantity':
      return ref(BUILTIN.quantity);
    case 'time':
      return ref(MICRO_TIME_FIELDS.has(where) ? BUILTIN.microTime : BUILTIN.time);
    case 'bytes':
      return { type: 'string', format: 'byte' };
    case 'any':
      return where === FIELDS_V1 ? ref(BUILTIN.fieldsV1) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

/** List items and map values wrap references in allOf, as Kubernetes does. */
function elementSchema(type: FieldType, ctx: SchemaContext, where: string): JsonSchema {
  const s = typeSchema(type, ctx, where);
  return typeof s['$ref'] === 'string' ? { allOf: [s] } : s;
}

/** Definitions of the types the client flattens; descriptions are ours. */
export function builtinSchemas(): Record<string, JsonSchema> {
  return {
    [BUILTIN.time]: { description: 'A timestamp in RFC 3339 form, in seconds precision, e.g. "2024-05-01T12:00:00Z".', type: 'string', format: 'date-time' },
    [BUILTIN.microTime]: { description: 'A timestamp in RFC 3339 form with microseconds, e.g. "2024-05-01T12:00:00.000000Z".', type: 'string', format: 'date-time' },
    [BUILTIN.fieldsV1]: { description: 'The set of fields a manager owns, as a trie of field paths.', type: 'object' },
    [BUILTIN.patch]: { description: 'The body of a PATCH request; its form depends on the Content-Type.', type: 'object' },
    [BUILTIN.intOrString]: {
      description: 'Either an integer or a string; a port given by number or by name, for example.',
      format: 'int-or-string',
      oneOf: [{ type: 'integer' }, { type: 'string' }],
    },
    [BUILTIN.quantity]: {
      description: 'A fixed-point number with an optional SI or binary suffix, e.g. "500m", "1.5", "128Mi", "2Gi".',
      oneOf: [{ type: 'string' }, { type: 'number' }],
    },
  };
}
