// Decoding of JSON patch bodies (json-patch, merge-patch and strategic-merge-patch).
import type { JsonValue } from '../../api/types.js';
import { patchErrors } from './errors.js';
import { parseJson } from './json.js';

/** The body as JSON; kube-apiserver refuses text that is not valid JSON before any patching. */
export function parsePatchBody(body: string): JsonValue {
  const doc = parseJson(body);
  if (doc === undefined) throw patchErrors.badRequest('invalid JSON patch');
  return doc;
}
