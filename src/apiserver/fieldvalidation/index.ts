// fieldValidation: the decoding checks kube-apiserver runs on every create, update and patch
// body, against the kind's schema (src/api/schema.ts).
//
// What it reproduces (Kubernetes 1.27+ semantics and message texts):
//   - unknown fields, recursively through structs, lists and maps; paths as the strict decoder
//     writes them, keys joined by '.' and list indices as [i]: `unknown field "spec.ports[0].bar"`;
//   - duplicate fields in raw JSON (`duplicate field "spec.paused"`, map keys included) and
//     duplicate keys in YAML (`line 12: key "paused" already set in map`);
//   - type mismatches, which reject the body under every directive:
//     `Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into
//     Go struct field ServicePort.spec.ports.port of type int32`; also IntOrString, Quantity,
//     RFC 3339 times and base64 []byte values.
//
// How the server uses it:
//
//   const directive = fieldValidationDirective(url.searchParams.get('fieldValidation'), 'CreateOptions');
//   if (typeof directive !== 'string') -> answer the Rejection (422 on CreateOptions)
//
//   POST / PUT (JSON body, or YAML with the caller's parse in `value`):
//     const out = validateBody({ kind, version, model }, { format: 'json', text }, directive);
//
//   PATCH (before applying, then after):
//     const inspection = inspectPatch('strategic' | 'merge' | 'json' | 'apply', text);
//     ...apply the patch...
//     const out = validatePatched({ kind, version, model }, patchedObject, inspection, directive);
//
//   out.ok === false -> answer Status { code, reason, message, details } (400 BadRequest for
//                       bodies that do not decode or fail Strict; 422 Invalid for patches,
//                       as Kubernetes does);
//   out.ok === true  -> add one `Warning: 299 - "<text>"` header per out.warnings entry.
//
// Or plug `checkFieldsHook()` in as ServerPlugins.checkFields: it takes (res, obj, raw, mode),
// judges `raw` bodies as creates/updates and raw-less objects as patch results, returns the
// warnings and throws ApiError for rejections. It cannot see duplicate keys of a patch body;
// inspectPatch/validatePatched can.
//
// For subresources the target is the body's kind: { kind: 'Scale', version: 'v1', model:
// 'V1Scale' } for /scale, the resource's own kind for /status. Unknown fields of server-side
// apply patches are rejected by apply itself; checkFields() gives their paths.

export {
  fieldValidationDirective,
  validateBody,
  validatePatched,
  type Acceptance,
  type Body,
  type DecodeTarget,
  type FieldValidationDirective,
  type OptionsKind,
  type Outcome,
  type Rejection,
} from './verdict.js';
export { inspectPatch, type PatchInspection, type PatchType } from './patch-body.js';
export { checkFields, type FieldCheck } from './check.js';
export { JsonSyntaxError } from './json-node.js';
export { checkFieldsHook } from './plugin.js';
export { pruneUnknownFields } from './prune.js';
