// One OpenAPI v3 document per group-version (/openapi/v3/apis/apps/v1), as kube-apiserver
// splits them: the paths of that group-version's resources and every schema they reach.
import type { Schema } from '../../api/schema.js';
import type { ResourceInfo } from '../resources.js';
import { BUILTIN, modelRefs } from './canonical.js';
import { resourcePaths, type PathRefs } from './paths.js';
import { builtinSchemas, modelSchema, type SchemaContext } from './schemas.js';
import type { GroupVersionKind, JsonSchema } from './types.js';

export interface Catalog {
  readonly schema: Schema;
  /** Model -> canonical definition name, for every model any document uses. */
  readonly names: ReadonlyMap<string, string>;
  /** Model -> the kinds it is the schema of (x-kubernetes-group-version-kind). */
  readonly kinds: ReadonlyMap<string, readonly GroupVersionKind[]>;
}

export const SCALE_MODEL = 'V1Scale';
export const STATUS_MODEL = 'V1Status';
export const DELETE_OPTIONS_MODEL = 'V1DeleteOptions';

export function groupVersionDocument(resources: readonly ResourceInfo[], catalog: Catalog): JsonSchema {
  const nameOf = (model: string): string => {
    const name = catalog.names.get(model);
    if (name === undefined) throw new Error(`OpenAPI: no definition name for model ${model}`);
    return name;
  };
  const paths: Record<string, JsonSchema> = {};
  const roots: string[] = [];
  for (const res of resources) {
    const list = catalog.schema.modelForKind(res.group, res.version, `${res.kind}List`)?.name;
    if (list === undefined) throw new Error(`OpenAPI: no list model for ${res.kind}`);
    const refs: PathRefs = {
      kind: nameOf(res.model),
      list: nameOf(list),
      scale: nameOf(SCALE_MODEL),
      status: nameOf(STATUS_MODEL),
      deleteOptions: nameOf(DELETE_OPTIONS_MODEL),
      patch: BUILTIN.patch,
    };
    Object.assign(paths, resourcePaths(res, refs));
    roots.push(res.model, list, STATUS_MODEL, DELETE_OPTIONS_MODEL);
    if (res.scale) roots.push(SCALE_MODEL);
  }

  const ctx: SchemaContext = { nameOf, model: (n) => catalog.schema.model(n) };
  const schemas: Record<string, JsonSchema> = {};
  for (const model of reachable(catalog.schema, roots)) {
    const m = catalog.schema.model(model)!;
    schemas[nameOf(model)] = modelSchema(m, ctx, catalog.kinds.get(model) ?? []);
  }
  if (roots.length > 0) Object.assign(schemas, builtinSchemas());
  const sorted = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]]));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    components: { schemas: sorted },
  };
}

function reachable(schema: Schema, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    const m = schema.model(name);
    if (m === undefined) continue;
    seen.add(name);
    for (const f of m.fields.values()) queue.push(...modelRefs(f.type));
  }
  return [...seen];
}
