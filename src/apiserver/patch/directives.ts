// Strategic merge patch directives (k8s.io/apimachinery/pkg/util/strategicpatch) and the
// clean-up of patch values that are taken into the object as they are.
import type { JsonObject, JsonValue } from '../../api/types.js';
import { isJsonObject } from './json.js';

/** `$patch: replace|delete|merge` inside a map or a list element. */
export const PATCH_DIRECTIVE = '$patch';
/** `$retainKeys: [...]`: keys of the map to keep; the others are cleared. */
export const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
/** `$setElementOrder/<list>: [...]`: the order of the merged list. */
export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';
/** `$deleteFromPrimitiveList/<list>: [...]`: values to remove from a merged primitive list. */
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';

export function isDirectiveKey(key: string): boolean {
  return (
    key === PATCH_DIRECTIVE ||
    key === RETAIN_KEYS_DIRECTIVE ||
    key.startsWith(`${SET_ELEMENT_ORDER_PREFIX}/`) ||
    key.startsWith(`${DELETE_FROM_PRIMITIVE_LIST_PREFIX}/`)
  );
}

/**
 * A patch value as it lands in the object when nothing is there to merge with: maps carrying
 * `$patch` vanish (Kubernetes' removeDirectives), nulls are dropped (discardNullValuesFromPatch)
 * and the remaining directive keys go too, as decoding into the Go type drops them.
 * Returns undefined when the value itself is dropped.
 */
export function patchValueAsIs(v: JsonValue): JsonValue | undefined {
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const item of v) {
      const kept = patchValueAsIs(item);
      if (kept !== undefined) out.push(kept);
    }
    return out;
  }
  if (!isJsonObject(v)) return v;
  if (PATCH_DIRECTIVE in v) return undefined;
  const out: JsonObject = {};
  for (const [k, child] of Object.entries(v)) {
    if (child === null || isDirectiveKey(k)) continue;
    const kept = patchValueAsIs(child);
    if (kept !== undefined) out[k] = kept;
  }
  return out;
}
