// /openapi/v2 (Swagger 2.0).
//
// What kubectl 1.27..1.33 does with it: client-go's discovery asks for
// `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and unmarshals the
// body as a gnostic openapi_v2.Document protobuf, whatever Content-Type comes back, so a JSON
// body is an error there. kubectl 1.27 and 1.28 load v2 up front in `explain` and in every
// command that validates (create, apply, replace: --validate is on by default), so such an
// error fails those commands; 1.29+ only read v2 as a fallback. An empty body is a valid,
// empty Document: kubectl finds no v2 schema and uses /openapi/v3 for explain (all versions
// default to it), for detecting server-side fieldValidation (all versions), and for apply's
// strategic merge patch (1.29+), or its compiled-in types for that patch (1.27, 1.28).
// That is our answer to protobuf requests. A real protobuf Document would only add
// `kubectl explain --output plaintext-openapiv2` (and v2-driven patches in 1.27/1.28).
//
// Other clients that ask for JSON (curl, tooling) get a real Swagger 2.0 document converted
// from the v3 ones.
import type { JsonSchema } from './types.js';
import { REF_PREFIX } from './schemas.js';
import { BUILTIN } from './canonical.js';

export const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export type V2Format = 'protobuf' | 'json' | 'none';

/** Which form a client's Accept header asks for. */
export function v2Format(accept: string | undefined): V2Format {
  if (accept === undefined || accept.trim() === '') return 'json';
  let json = false;
  for (const part of accept.split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase();
    if (type.startsWith('application/com.github.proto-openapi.spec.v2')) return 'protobuf';
    if (type === 'application/json' || type === '*/*' || type === 'application/*') json = true;
  }
  return json ? 'json' : 'none';
}

/** Swagger 2.0 from the v3 group-version documents. */
export function swaggerFromV3(documents: readonly JsonSchema[]): JsonSchema {
  const definitions: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {};
  for (const doc of documents) {
    const schemas = ((doc['components'] as JsonSchema | undefined)?.['schemas'] ?? {}) as JsonSchema;
    for (const [name, s] of Object.entries(schemas)) definitions[name] = v2Schema(name, s as JsonSchema);
    for (const [path, item] of Object.entries(doc['paths'] as JsonSchema)) paths[path] = v2PathItem(item as JsonSchema);
  }
  const sortedDefs = Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]]));
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths, definitions: sortedDefs };
}

function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v === null || typeof v !== 'object') return v;
  const o = v as JsonSchema;
  // Swagger 2.0 allows siblings beside $ref; Kubernetes' v2 puts the description there.
  const allOf = o['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1) {
    const { allOf: _, ...rest } = o;
    return rewriteRefs({ ...(allOf[0] as JsonSchema), ...rest });
  }
  const out: JsonSchema = {};
  for (const [k, val] of Object.entries(o)) {
    out[k] = k === '$ref' && typeof val === 'string' ? val.replace(REF_PREFIX, '#/definitions/') : rewriteRefs(val);
  }
  return out;
}

/** Swagger 2.0 has no oneOf: IntOrString and Quantity are strings with a format, as in Kubernetes' v2. */
function v2Schema(name: string, s: JsonSchema): unknown {
  if (name === BUILTIN.intOrString) return { description: s['description'], type: 'string', format: 'int-or-string' };
  if (name === BUILTIN.quantity) return { description: s['description'], type: 'string' };
  return rewriteRefs(s);
}

function v2Parameter(p: JsonSchema): JsonSchema {
  const { schema, ...rest } = p;
  return { ...rest, ...(schema as JsonSchema) };
}

function v2PathItem(item: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === 'parameters') out[key] = (value as JsonSchema[]).map(v2Parameter);
    else out[key] = v2Operation(value as JsonSchema);
  }
  return out;
}

function v2Operation(op: JsonSchema): JsonSchema {
  const { requestBody, responses, parameters, ...rest } = op;
  const params = ((parameters as JsonSchema[] | undefined) ?? []).map(v2Parameter);
  const out: JsonSchema = { ...rest };
  if (requestBody !== undefined) {
    const body = requestBody as JsonSchema;
    const contentTypes = body['content'] as Record<string, JsonSchema>;
    const first = Object.values(contentTypes)[0]!;
    out['consumes'] = Object.keys(contentTypes);
    params.unshift({ name: 'body', in: 'body', required: body['required'] === true, schema: rewriteRefs(first['schema']) });
  }
  if (params.length > 0) out['parameters'] = params;
  const v2Responses: JsonSchema = {};
  const produces = new Set<string>();
  for (const [code, r] of Object.entries(responses as Record<string, JsonSchema>)) {
    const c = r['content'] as Record<string, JsonSchema> | undefined;
    if (c === undefined) {
      v2Responses[code] = { description: r['description'] };
      continue;
    }
    for (const t of Object.keys(c)) produces.add(t);
    v2Responses[code] = { description: r['description'], schema: rewriteRefs(Object.values(c)[0]!['schema']) };
  }
  if (produces.size > 0) out['produces'] = [...produces];
  out['responses'] = v2Responses;
  out['schemes'] = ['https'];
  return out;
}
