// Decoding of PATCH bodies: JSON for json-patch, merge-patch and strategic-merge-patch; YAML
// (of which JSON, what kubectl sends, is a subset) for apply.
import { parse as parseYaml } from 'yaml';
import type { JsonObject, JsonValue } from '../../api/types.js';
import { patchErrors } from './errors.js';
import { goJsonKind, isJsonObject, parseJson } from './json.js';

/** The body as JSON; kube-apiserver refuses text that is not valid JSON before any patching. */
export function parsePatchBody(body: string): JsonValue {
  const doc = parseJson(body);
  if (doc === undefined) throw patchErrors.badRequest('invalid JSON patch');
  return doc;
}

/** The apply body: YAML (JSON being YAML) decoding to an object. */
export function decodeApplyBody(text: string): JsonObject {
  let doc: JsonValue;
  try {
    doc = (parseYaml(text) as JsonValue | undefined) ?? null;
  } catch (err) {
    throw patchErrors.badRequest(`error decoding patch: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (doc === null) return {};
  if (!isJsonObject(doc)) throw patchErrors.badRequest(`error decoding patch: json: cannot unmarshal ${goJsonKind(doc)} into Go value of type map[string]interface {}`);
  return doc;
}
