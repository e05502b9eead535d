// Strict checks of a PATCH body itself, before it is applied (kube-apiserver decodes the patch
// strictly when fieldValidation is Strict or Warn): duplicate keys anywhere in a merge or
// strategic merge patch, unknown/duplicate keys of JSON patch operations, duplicate keys of an
// apply patch (YAML). Unknown fields are judged later, on the patched object.
import { parseJsonNodes, JsonSyntaxError, type JsonNode } from './json-node.js';
import { yamlDuplicateKeys } from './yaml-duplicates.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchInspection {
  readonly type: PatchType;
  /** Rendered strict findings of the patch body, in Kubernetes' order (json/merge/strategic). */
  readonly strict: readonly string[];
  /** YAML duplicate-key findings of an apply patch: `line 10: key "paused" already set in map`. */
  readonly yamlDuplicates: readonly string[];
  /** The patch cannot be decoded at all: the 400 message. */
  readonly decodeError?: string;
  /** The patch as decoded (strategic merge patch errors quote it). */
  readonly value?: unknown;
}

export function inspectPatch(type: PatchType, body: string): PatchInspection {
  if (type === 'apply') return { type, strict: [], yamlDuplicates: yamlDuplicateKeys(body) };
  let node: JsonNode;
  try {
    node = parseJsonNodes(body);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    return { type, strict: [], yamlDuplicates: [], decodeError: `error decoding patch: ${e.message}` };
  }
  const value: unknown = JSON.parse(body);
  if (type === 'json') return { type, ...jsonPatchFindings(node), yamlDuplicates: [], value };
  if (node.t !== 'object') {
    // Decoded into map[string]interface{}; strategic merge patch reports Go's error bare.
    const err = `json: cannot unmarshal ${node.t} into Go value of type map[string]interface {}`;
    return { type, strict: [], yamlDuplicates: [], decodeError: type === 'merge' ? `error decoding patch: ${err}` : err, value };
  }
  const out: string[] = [];
  interfaceDuplicates(node, '', out);
  return { type, strict: out, yamlDuplicates: [], value };
}

/** Duplicate keys of a value decoded into interface{}: every nested object is a Go map. */
function interfaceDuplicates(node: JsonNode, path: string, out: string[], prefix = ''): void {
  if (node.t === 'array') {
    node.items.forEach((item, i) => interfaceDuplicates(item, `${path}[${i}]`, out, prefix));
  } else if (node.t === 'object') {
    const seen = new Set<string>();
    for (const [key, child] of node.entries) {
      const p = path === '' ? key : `${path}.${key}`;
      if (seen.has(key)) push(out, `${prefix}duplicate field ${JSON.stringify(p)}`);
      seen.add(key);
      interfaceDuplicates(child, p, out, prefix);
    }
  }
}

function push(out: string[], message: string): void {
  if (!out.includes(message)) out.push(message);
}

const OP_FIELDS = new Set(['op', 'path', 'from', 'value']);

/** A JSON patch decodes into []struct{op, path, from string; value interface{}}. */
function jsonPatchFindings(node: JsonNode): { strict: string[]; decodeError?: string } {
  // `into`: the Go value being filled; `field`: the op field, when inside an operation.
  const fail = (found: string, into: string, field?: string): { strict: string[]; decodeError: string } => ({
    strict: [],
    decodeError:
      field === undefined
        ? `error decoding patch: json: cannot unmarshal ${found} into Go value of type ${into}`
        : `error decoding patch: json: cannot unmarshal ${found} into Go struct field jsonPatchOp.${field} of type ${into}`,
  });
  if (node.t === 'null') return { strict: [] };
  if (node.t !== 'array') return fail(node.t, '[]handlers.jsonPatchOp');
  const out: string[] = [];
  for (const [i, op] of node.items.entries()) {
    if (op.t === 'null') continue;
    if (op.t !== 'object') return fail(op.t, 'handlers.jsonPatchOp');
    const seen = new Set<string>();
    for (const [key, child] of op.entries) {
      const path = `[${i}].${key}`;
      if (!OP_FIELDS.has(key)) {
        push(out, `json patch unknown field ${JSON.stringify(path)}`);
        continue;
      }
      if (seen.has(key)) push(out, `json patch duplicate field ${JSON.stringify(path)}`);
      seen.add(key);
      if (key === 'value') interfaceDuplicates(child, path, out, 'json patch ');
      else if (child.t !== 'string' && child.t !== 'null') return fail(child.t, 'string', key);
    }
  }
  return { strict: out };
}
