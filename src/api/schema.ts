// The structural schema of every Kubernetes type we serve (field names, types, descriptions),
// generated at build time from the official client's models (scripts/gen-schema.mjs ->
// dist/schema.json). Used for unknown-field detection (fieldValidation), OpenAPI documents
// (kubectl explain, client-side validation) and strategic merge patch navigation.
//
// CONTRACT (implemented by the schema work; other code relies on exactly this):
//   loadSchema(): Schema  -- cached, synchronous
//   Model names are the client library's model names, e.g. 'V1PodSpec', 'V1ObjectMeta'.

export type FieldType =
  | { kind: 'string'; format?: string; enum?: string[] }
  | { kind: 'integer'; format?: 'int32' | 'int64' }
  | { kind: 'number'; format?: string }
  | { kind: 'boolean' }
  | { kind: 'object'; model: string }
  | { kind: 'array'; items: FieldType }
  | { kind: 'map'; values: FieldType }
  | { kind: 'intOrString' }
  | { kind: 'quantity' }
  | { kind: 'time' }
  | { kind: 'bytes' }
  /** Free-form JSON (e.g. RawExtension, FieldsV1). */
  | { kind: 'any' };

export interface ModelField {
  name: string;
  type: FieldType;
  description?: string;
  required?: boolean;
}

export interface Model {
  name: string;
  description?: string;
  fields: ReadonlyMap<string, ModelField>;
}

export interface Schema {
  model(name: string): Model | undefined;
  /** The top-level model of a served kind, e.g. ('apps','v1','Deployment') -> V1Deployment. */
  modelForKind(group: string, version: string, kind: string): Model | undefined;
  /** All model names (for OpenAPI generation). */
  modelNames(): string[];
}
