// The errors of strategic merge patch, with the texts of k8s.io/apimachinery/pkg/util/mergepatch
// and the status kube-apiserver gives each (interpretStrategicMergePatchError): malformed
// directives are 400, lists of lists 422, anything else an untyped error, hence a 500.
import type { JsonValue } from '../../api/types.js';
import { patchErrors, type PatchError } from './errors.js';
import { goFormat } from './json.js';

export const smpErrors = {
  badPrimitiveListFormat: (): PatchError => patchErrors.badRequest('invalid patch format of primitive list'),
  badRetainKeysFormat: (): PatchError => patchErrors.badRequest('invalid patch format of retainKeys'),
  badSetElementOrderFormat: (): PatchError => patchErrors.badRequest('invalid patch format of setElementOrder list'),
  /** ErrNoListOfLists is one of the two errors kube-apiserver maps to its generic 422. */
  noListOfLists: (): PatchError => patchErrors.unprocessable(),
  noMergeKey: (item: JsonValue, key: string): PatchError => patchErrors.unknown(`map: ${goFormat(item)} does not contain declared merge key: ${key}`),
  badArgType: (expected: GoType, actual: JsonValue | undefined): PatchError =>
    patchErrors.unknown(`expected a ${expected}, but received a ${goTypeOf(actual)}`),
  badPatchType: (directive: JsonValue, m: JsonValue): PatchError => patchErrors.unknown(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(m)}`),
  listMergeDirective: (): PatchError => patchErrors.unknown('merging lists cannot yet be specified in the patch'),
  noMergeKeyDeclared: (where: string): PatchError => patchErrors.unknown(`cannot merge lists without merge key for ${where}`),
  mixedElementTypes: (lists: JsonValue[][]): PatchError => patchErrors.unknown(`list element types are not identical: ${goFormat(lists)}`),
  noElements: (): PatchError => patchErrors.unknown('no elements in any of the given slices'),
  notAMap: (index: number): PatchError => patchErrors.unknown(`value for key ${index} is not a map`),
  orderMismatch: (patchList: JsonValue[], order: JsonValue[]): PatchError =>
    patchErrors.unknown(`The order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(order)}\n`),
};

/** Go's reflect type names of decoded JSON, as they appear in these messages. */
export type GoType = 'map[string]interface {}' | '[]interface {}' | 'string' | 'int64' | 'float64' | 'bool' | '<nil>';

export function goTypeOf(v: JsonValue | undefined): GoType {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'string' ? 'string' : 'bool';
}
