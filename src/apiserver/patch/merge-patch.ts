// application/merge-patch+json: RFC 7386 JSON merge patch. Objects merge key by key, `null`
// deletes a key, anything else (lists included) replaces. Also the fallback of strategic merge
// patch for free-form parts of an object.
import type { JsonObject, JsonValue } from '../../api/types.js';
import { parsePatchBody } from './body.js';
import { patchErrors } from './errors.js';
import { cloneJson, goJsonKind, isJsonObject } from './json.js';

export function applyMergePatch(live: JsonObject, body: string): JsonObject {
  const patch = parsePatchBody(body);
  // kube-apiserver decodes the patch as a map (evanphx/json-patch and the strict decoder kubectl asks for).
  if (patch === null || typeof patch !== 'object') throw patchErrors.badRequest('Invalid JSON Patch');
  if (Array.isArray(patch)) {
    throw patchErrors.badRequest(`error decoding patch: json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  return mergeObjects(live, patch);
}

/** RFC 7386 MergePatch(target, patch) for an object patch; never mutates its arguments. */
export function mergeObjects(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = cloneJson(target);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergeValue(out[key], value);
  }
  return out;
}

function mergeValue(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return cloneJson(patch);
  return mergeObjects(isJsonObject(target) ? target : {}, patch);
}
