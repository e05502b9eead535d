// The structural schema of every Kubernetes type we serve (field names, types, descriptions),
// generated at build time from the official client's models (scripts/gen-schema.mjs ->
// dist/schema.json). Used for unknown-field detection (fieldValidation), OpenAPI documents
// (kubectl explain, client-side validation) and strategic merge patch navigation.
//
// CONTRACT (implemented by the schema work; other code relies on exactly this):
//   loadSchema(): Schema  -- cached, synchronous
//   Model names are the client library's model names, e.g. 'V1PodSpec', 'V1ObjectMeta'.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

// ---------------------------------------------------------------------------------------------
// Implementation: dist/schema.json, read once. The same URL resolves from src/api/schema.ts
// (vitest) and dist/api/schema.js (built server): both sit two levels below the project root.
// Field names (the `fields` map keys and ModelField.name) are JSON names, e.g. 'apiVersion'.

const SCHEMA_URL = new URL('../../dist/schema.json', import.meta.url);

interface SchemaFile {
  generatedFrom: string;
  kinds: { group: string; version: string; kind: string; model: string }[];
  models: Record<string, { description?: string; fields: ModelField[] }>;
}

let cached: Schema | undefined;

export function loadSchema(): Schema {
  cached ??= buildSchema(readSchemaFile());
  return cached;
}

function readSchemaFile(): SchemaFile {
  const file = fileURLToPath(SCHEMA_URL);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`the API schema ${file} is missing (${why}); run \`npm run build\` to generate it`);
  }
  const parsed: unknown = JSON.parse(text);
  if (!isSchemaFile(parsed)) throw new Error(`${file} is not a schema file from scripts/gen-schema.mjs; run \`npm run build\` again`);
  return parsed;
}

/** Shape check at the boundary; the field types themselves are trusted generator output. */
function isSchemaFile(v: unknown): v is SchemaFile {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o['generatedFrom'] === 'string' && Array.isArray(o['kinds']) && typeof o['models'] === 'object' && o['models'] !== null;
}

function buildSchema(file: SchemaFile): Schema {
  const models = new Map<string, Model>();
  for (const [name, m] of Object.entries(file.models)) {
    const fields = new Map<string, ModelField>();
    for (const f of m.fields) fields.set(f.name, f);
    models.set(name, m.description === undefined ? { name, fields } : { name, description: m.description, fields });
  }
  const kinds = new Map<string, string>();
  for (const k of file.kinds) kinds.set(`${k.group}/${k.version}/${k.kind}`, k.model);
  const names = [...models.keys()];
  return {
    model: (name) => models.get(name),
    modelForKind: (group, version, kind) => {
      const name = kinds.get(`${group}/${version}/${kind}`);
      return name === undefined ? undefined : models.get(name);
    },
    modelNames: () => [...names],
  };
}
