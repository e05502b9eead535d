// The request side of PATCH: which patch types an endpoint accepts and the checks kube-apiserver
// makes on the patch options (ValidatePatchOptions), plus the default field manager.
import { patchErrors } from './errors.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH_YAML = 'application/apply-patch+yaml';

export type PatchType = typeof JSON_PATCH | typeof MERGE_PATCH | typeof STRATEGIC_MERGE_PATCH | typeof APPLY_PATCH_YAML;

/** The patch types a PATCH endpoint accepts, in the order kube-apiserver lists them (apply-patch+cbor is feature-gated off). */
export const PATCH_TYPES: readonly PatchType[] = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH_YAML];

/** validation.FieldManagerMaxLength */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/** The patch type named by a Content-Type (parameters such as charset are ignored), else 415. */
export function patchTypeOf(contentType: string): PatchType {
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  const found = PATCH_TYPES.find((t) => t === base);
  if (!found) throw patchErrors.unsupportedMediaType(PATCH_TYPES);
  return found;
}

/** ValidatePatchOptions */
export function validatePatchOptions(patchType: PatchType, ctx: { fieldManager?: string; force?: boolean }): void {
  const manager = ctx.fieldManager ?? '';
  if (patchType === APPLY_PATCH_YAML && manager === '') {
    throw patchErrors.invalidOption('fieldManager', 'FieldValueRequired', 'Required value: is required for apply patch');
  }
  if (patchType !== APPLY_PATCH_YAML && ctx.force !== undefined) {
    throw patchErrors.invalidOption('force', 'FieldValueForbidden', 'Forbidden: may not be specified for non-apply patch');
  }
  if (Buffer.byteLength(manager) > FIELD_MANAGER_MAX_LENGTH) {
    throw patchErrors.invalidOption('fieldManager', 'FieldValueTooLong', `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`);
  }
}

/**
 * managerOrUserAgent: the fieldManager parameter, else the User-Agent up to its first `/`
 * (printable characters, at most 128 bytes), e.g. "kubectl" for kubectl's own agent.
 */
export function defaultFieldManager(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0]!) {
    if (!/^\P{C}$/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}
