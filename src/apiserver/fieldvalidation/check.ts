// The findings of one object against its model, as plain lists: for callers that format their
// own errors (server-side apply, tests) rather than use the fieldValidation verdicts.
import { loadSchema, type Schema } from '../../api/schema.js';
import { decodeAgainstModel, strictMessage } from './decode.js';
import { nodeFromValue, parseJsonNodes } from './json-node.js';

export interface FieldCheck {
  /** Strict paths of unknown fields, e.g. 'spec.ports[0].bar'. */
  readonly unknown: readonly string[];
  /** Strict paths of fields given twice (only visible in raw JSON). */
  readonly duplicates: readonly string[];
  /** Go decode errors; the first one (or the aborting one) is what Kubernetes returns. */
  readonly typeErrors: readonly string[];
  /** All strict findings rendered (`unknown field "x"`, `duplicate field "y"`) in Kubernetes' order. */
  readonly strict: readonly string[];
}

/**
 * Checks `obj` against `model`. With `rawJson` (the text `obj` was parsed from) the walk follows
 * the text: document order, duplicates seen. Without, keys are walked sorted, as Kubernetes
 * does for YAML bodies and patched objects. Throws JsonSyntaxError on malformed rawJson.
 */
export function checkFields(model: string, obj: unknown, rawJson?: string, schema: Schema = loadSchema()): FieldCheck {
  const report = decodeAgainstModel(schema, model, rawJson === undefined ? nodeFromValue(obj) : parseJsonNodes(rawJson));
  const typeErrors = report.decodeError === undefined ? report.typeErrors : [report.decodeError, ...report.typeErrors.filter((e) => e !== report.decodeError)];
  return {
    unknown: report.strict.filter((f) => f.kind === 'unknown').map((f) => f.path),
    duplicates: report.strict.filter((f) => f.kind === 'duplicate').map((f) => f.path),
    typeErrors,
    strict: report.strict.map(strictMessage),
  };
}
