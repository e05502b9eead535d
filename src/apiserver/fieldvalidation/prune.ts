// Dropping unknown fields: kube-apiserver decodes bodies into typed structs, so a field the
// schema does not know never reaches storage (Warn and Ignore report or skip it; Strict rejects
// the body before this runs).
import { loadSchema, type FieldType, type Schema } from '../../api/schema.js';

/** Removes, in place, every field of `obj` that the model (recursively) does not declare. */
export function pruneUnknownFields(model: string, obj: unknown, schema: Schema = loadSchema()): void {
  pruneValue({ kind: 'object', model }, obj, schema);
}

function pruneValue(type: FieldType, value: unknown, schema: Schema): void {
  if (value === null || typeof value !== 'object') return;
  switch (type.kind) {
    case 'object': {
      if (Array.isArray(value)) return;
      const model = schema.model(type.model);
      if (!model) return;
      const rec = value as Record<string, unknown>;
      for (const key of Object.keys(rec)) {
        const field = model.fields.get(key);
        if (!field) delete rec[key];
        else pruneValue(field.type, rec[key], schema);
      }
      return;
    }
    case 'array':
      if (Array.isArray(value)) for (const item of value) pruneValue(type.items, item, schema);
      return;
    case 'map':
      if (!Array.isArray(value)) for (const v of Object.values(value as Record<string, unknown>)) pruneValue(type.values, v, schema);
      return;
    default:
      return;
  }
}
