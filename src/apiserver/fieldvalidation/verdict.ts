// fieldValidation (metav1 CreateOptions/UpdateOptions/PatchOptions): what kube-apiserver does
// with a body's strict-decoding findings. Strict rejects, Warn (the default when the
// parameter is absent) answers with `Warning: 299 - "<finding>"` headers, Ignore drops them.
// Type mismatches are decode errors and reject the request under every directive.
import { loadSchema, type Schema } from '../../api/schema.js';
import { decodeAgainstModel, strictMessage, type DecodeReport } from './decode.js';
import { goSprint } from './go-names.js';
import { JsonSyntaxError, nodeFromValue, parseJsonNodes, type JsonNode } from './json-node.js';
import type { PatchInspection } from './patch-body.js';
import { yamlDuplicateKeys } from './yaml-duplicates.js';

export type FieldValidationDirective = 'Strict' | 'Warn' | 'Ignore';

/** A Status to answer with: the caller wraps it in its API error type. */
export interface Rejection {
  readonly ok: false;
  readonly code: 400 | 422;
  readonly reason: 'BadRequest' | 'Invalid';
  readonly message: string;
  /** Status.details of a 422 Invalid. */
  readonly details?: {
    readonly group?: string;
    readonly kind: string;
    readonly name: string;
    readonly causes: readonly { readonly reason: string; readonly message: string; readonly field: string }[];
  };
}

export interface Acceptance {
  readonly ok: true;
  /** Texts for `Warning: 299 - "<text>"` response headers, one header each, in this order. */
  readonly warnings: readonly string[];
}

export type Outcome = Acceptance | Rejection;

/** The kind a body is decoded into: a served resource, or autoscaling/v1 Scale for /scale. */
export interface DecodeTarget {
  readonly kind: string;
  readonly version: string;
  /** Client model name, as in ResourceInfo.model. */
  readonly model: string;
}

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

const ACCEPTED: Acceptance = { ok: true, warnings: [] };

/**
 * The `fieldValidation` query parameter. Absent or empty means Warn; anything else than the
 * three directives is a 422 on the request's options object, as Kubernetes validates them.
 */
export function fieldValidationDirective(param: string | null | undefined, options: OptionsKind): FieldValidationDirective | Rejection {
  if (param === undefined || param === null || param === '') return 'Warn';
  if (param === 'Strict' || param === 'Warn' || param === 'Ignore') return param;
  const message = `Unsupported value: ${JSON.stringify(param)}: supported values: "", "Ignore", "Strict", "Warn"`;
  return {
    ok: false,
    code: 422,
    reason: 'Invalid',
    message: `${options}.meta.k8s.io "" is invalid: fieldValidation: ${message}`,
    details: { group: 'meta.k8s.io', kind: options, name: '', causes: [{ reason: 'FieldValueNotSupported', message, field: 'fieldValidation' }] },
  };
}

export type Body = { readonly format: 'json'; readonly text: string } | { readonly format: 'yaml'; readonly text: string; readonly value: unknown };

/**
 * A create (POST) or update (PUT) body. JSON is checked on its text (order, duplicates); a
 * YAML body is checked on the caller's parse of it plus the text for duplicate keys.
 */
export function validateBody(target: DecodeTarget, body: Body, directive: FieldValidationDirective, schema: Schema = loadSchema()): Outcome {
  const cannot = (why: string): Rejection => badRequest(`${target.kind} in version ${JSON.stringify(target.version)} cannot be handled as a ${target.kind}: ${why}`);
  let node: JsonNode;
  if (body.format === 'json') {
    try {
      node = parseJsonNodes(body.text);
    } catch (e) {
      if (e instanceof JsonSyntaxError) return cannot(e.message);
      throw e;
    }
  } else {
    node = nodeFromValue(body.value);
  }
  const report = decodeAgainstModel(schema, target.model, node);
  if (report.decodeError !== undefined) return cannot(report.decodeError);
  if (directive === 'Ignore') return ACCEPTED;

  const yamlDuplicates = body.format === 'yaml' ? yamlDuplicateKeys(body.text) : [];
  const findings = report.strict.map(strictMessage);
  if (directive === 'Warn') return { ok: true, warnings: [...yamlDuplicates, ...findings] };
  if (yamlDuplicates.length === 0 && findings.length === 0) return ACCEPTED;
  return cannot(`strict decoding error: ${joinStrict(yamlDuplicates, findings)}`);
}

/**
 * A patch, judged after it was applied: the patch body's own findings (inspectPatch) and what
 * the strict decoder finds in the patched object. Unknown fields of an apply patch are not
 * judged here: server-side apply rejects them itself, whatever fieldValidation says.
 */
export function validatePatched(
  target: DecodeTarget,
  patched: unknown,
  inspection: PatchInspection,
  directive: FieldValidationDirective,
  schema: Schema = loadSchema(),
): Outcome {
  if (inspection.decodeError !== undefined) return badRequest(inspection.decodeError);
  if (inspection.type === 'apply') {
    if (directive === 'Ignore' || inspection.yamlDuplicates.length === 0) return ACCEPTED;
    if (directive === 'Warn') return { ok: true, warnings: [...inspection.yamlDuplicates] };
    return badRequest(
      `error strict decoding patch: error strict decoding YAML: error converting YAML to JSON: ${joinStrict(inspection.yamlDuplicates, [])}`,
    );
  }
  const report: DecodeReport = decodeAgainstModel(schema, target.model, nodeFromValue(patched));
  // The rejected value Kubernetes quotes: the patched JSON, or the decoded SMP patch map.
  const quoted = inspection.type === 'strategic' ? goSprint(inspection.value) : JSON.stringify(patched);
  if (report.decodeError !== undefined) return invalidPatch(quoted, report.decodeError);
  if (directive === 'Ignore') return ACCEPTED;
  const findings = [...inspection.strict, ...report.strict.map(strictMessage)];
  if (directive === 'Warn') return { ok: true, warnings: findings };
  if (findings.length === 0) return ACCEPTED;
  return invalidPatch(quoted, `strict decoding error: ${findings.join(', ')}`);
}

/** YAML duplicates come first, as one go-yaml error listing every line; then the rest. */
function joinStrict(yamlDuplicates: readonly string[], findings: readonly string[]): string {
  const parts = yamlDuplicates.length === 0 ? [...findings] : [`yaml: unmarshal errors:\n  ${yamlDuplicates.join('\n  ')}`, ...findings];
  return parts.join(', ');
}

function badRequest(message: string): Rejection {
  return { ok: false, code: 400, reason: 'BadRequest', message };
}

/** Kubernetes reports a patch that does not decode as an Invalid with an empty kind and name. */
function invalidPatch(value: string, detail: string): Rejection {
  const body = `Invalid value: ${JSON.stringify(value)}: ${detail}`;
  return {
    ok: false,
    code: 422,
    reason: 'Invalid',
    message: ` "" is invalid: patch: ${body}`,
    details: { kind: '', name: '', causes: [{ reason: 'FieldValueInvalid', message: body, field: 'patch' }] },
  };
}
