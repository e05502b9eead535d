// application/json-patch+json: RFC 6902 operations, answered the way kube-apiserver answers
// them (jsonPatcher in k8s.io/apiserver/pkg/endpoints/handlers/patch.go): a body that is not an
// array of objects is a 400, more than 10000 operations a 413, and any failing operation (a
// `test` that does not match, a missing path, an unknown op) a 422 with a fixed message.
import jsonpatch, { type Operation } from 'fast-json-patch';
import type { JsonObject, JsonValue } from '../../api/types.js';
import { patchErrors } from './errors.js';
import { cloneJson, goJsonKind, isJsonObject } from './json.js';
import { parsePatchBody } from './body.js';

/** kube-apiserver's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

export function applyJsonPatch(live: JsonObject, body: string): JsonObject {
  const ops = decodeOperations(parsePatchBody(body));
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw patchErrors.tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  let result: JsonValue;
  try {
    // The library validates each operation (op, path, value) before applying it; it clones `live`.
    result = jsonpatch.applyPatch<JsonValue>(cloneJson(live), ops, true, true).newDocument;
  } catch {
    throw patchErrors.unprocessable();
  }
  if (!isJsonObject(result)) throw patchErrors.notAnObject(result);
  return result;
}

/** The body decoded as jsonpatch.Patch: a JSON array of operation objects (null means none). */
function decodeOperations(doc: JsonValue): Operation[] {
  if (doc === null) return [];
  if (!Array.isArray(doc)) throw patchErrors.badRequest(`json: cannot unmarshal ${goJsonKind(doc)} into Go value of type jsonpatch.Patch`);
  const ops: Operation[] = [];
  for (const op of doc) {
    if (!isJsonObject(op)) throw patchErrors.badRequest(`json: cannot unmarshal ${goJsonKind(op)} into Go value of type jsonpatch.Operation`);
    // Shape checks (op, path, value) are the library's validator's job; a bad one is a 422.
    ops.push(op as unknown as Operation);
  }
  return ops;
}
