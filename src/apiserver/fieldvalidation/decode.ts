// What kube-apiserver's strict JSON decoder (sigs.k8s.io/json UnmarshalStrict into the Go type)
// finds in a body: unknown and duplicate fields, reported in document order with paths like
// `spec.template.spec.containers[0].imagePullPolicy`, and type mismatches, reported as Go's
// encoding/json does (`json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port
// of type int32`). Mismatches make the body undecodable whatever fieldValidation says; unknown and
// duplicate fields are what fieldValidation governs.
import type { FieldType, Model, Schema } from '../../api/schema.js';
import { embeddedStructOf, goStructName, goTypeName } from './go-names.js';
import type { JsonNode } from './json-node.js';
import { base64Error, quantityError, timeError } from './scalars.js';

export interface StrictFinding {
  readonly kind: 'unknown' | 'duplicate';
  /** Kubernetes' strict path: keys joined by '.', list indices as [i], map keys included. */
  readonly path: string;
}

export interface DecodeReport {
  /** Unknown and duplicate fields in Kubernetes' order, deduplicated, at most 100 (as Go caps). */
  readonly strict: readonly StrictFinding[];
  /** Every type mismatch found, in order. */
  readonly typeErrors: readonly string[];
  /** The error the Go decoder returns: one that aborts decoding if any, else the first mismatch. */
  readonly decodeError?: string;
}

/** `unknown field "spec.foo"`, as Kubernetes renders a strict finding. */
export function strictMessage(f: StrictFinding): string {
  return `${f.kind} field ${JSON.stringify(f.path)}`;
}

const MAX_STRICT = 100;

/** Where the decoder is: the strict path, and Go's error context (innermost struct, field stack). */
interface Context {
  readonly path: string;
  readonly struct: string | undefined;
  readonly stack: readonly string[];
}

/** Thrown to stop the walk where Go's decoder stops: an Unmarshaler (IntOrString, Time, ...) failed. */
class Abort {}

/** Decodes `node` as the model named `model` would be, without building anything. */
export function decodeAgainstModel(schema: Schema, model: string, node: JsonNode): DecodeReport {
  const w = new Walker(schema);
  try {
    w.value(node, { kind: 'object', model }, { path: '', struct: undefined, stack: [] });
  } catch (e) {
    if (!(e instanceof Abort)) throw e;
  }
  const decodeError = w.fatal ?? w.typeErrors[0];
  return decodeError === undefined
    ? { strict: w.strict, typeErrors: w.typeErrors }
    : { strict: w.strict, typeErrors: w.typeErrors, decodeError };
}

class Walker {
  readonly strict: StrictFinding[] = [];
  readonly typeErrors: string[] = [];
  fatal: string | undefined;
  private readonly seen = new Set<string>();

  constructor(private readonly schema: Schema) {}

  private addStrict(kind: StrictFinding['kind'], path: string): void {
    const key = `${kind} ${path}`;
    if (this.strict.length >= MAX_STRICT || this.seen.has(key)) return;
    this.seen.add(key);
    this.strict.push({ kind, path });
  }

  private mismatch(found: string, goType: string, ctx: Context): string {
    return ctx.struct === undefined
      ? `json: cannot unmarshal ${found} into Go value of type ${goType}`
      : `json: cannot unmarshal ${found} into Go struct field ${ctx.struct}.${ctx.stack.join('.')} of type ${goType}`;
  }

  private saved(message: string): void {
    this.typeErrors.push(message);
  }

  private abort(message: string): never {
    this.typeErrors.push(message);
    this.fatal = message;
    throw new Abort();
  }

  value(node: JsonNode, type: FieldType, ctx: Context): void {
    if (node.t === 'null') return; // null is accepted (and ignored) for every Go type
    switch (type.kind) {
      case 'object':
        return this.struct(node, type, ctx);
      case 'array':
        if (node.t !== 'array') return this.saved(this.mismatch(node.t, goTypeName(type), ctx));
        node.items.forEach((item, i) => this.value(item, type.items, { ...ctx, path: `${ctx.path}[${i}]` }));
        return;
      case 'map':
        return this.map(node, type, ctx);
      case 'string':
        if (node.t !== 'string') this.saved(this.mismatch(node.t, 'string', ctx));
        return;
      case 'boolean':
        if (node.t !== 'bool') this.saved(this.mismatch(node.t, 'bool', ctx));
        return;
      case 'integer': {
        const goType = type.format ?? 'int64';
        if (node.t !== 'number') return this.saved(this.mismatch(node.t, goType, ctx));
        if (!fitsInteger(node.text, goType)) this.saved(this.mismatch(`number ${node.text}`, goType, ctx));
        return;
      }
      case 'number':
        if (node.t !== 'number') return this.saved(this.mismatch(node.t, 'float64', ctx));
        if (!Number.isFinite(Number(node.text))) this.saved(this.mismatch(`number ${node.text}`, 'float64', ctx));
        return;
      case 'intOrString':
        // IntOrString.UnmarshalJSON: a string, else json.Unmarshal into int32; its error aborts.
        if (node.t === 'string') return;
        if (node.t !== 'number') return this.abort(this.mismatch(node.t, 'int32', ctx));
        if (!fitsInteger(node.text, 'int32')) this.abort(this.mismatch(`number ${node.text}`, 'int32', ctx));
        return;
      case 'quantity': {
        // Quantity.UnmarshalJSON parses the raw text (quotes stripped, escapes not decoded).
        const text = node.t === 'string' ? node.raw.trim() : node.t === 'number' ? node.text : node.t;
        const err = quantityError(text);
        if (err !== undefined) this.abort(err);
        return;
      }
      case 'time': {
        // metav1.Time.UnmarshalJSON: json.Unmarshal into a string, then RFC 3339.
        if (node.t !== 'string') return this.abort(this.mismatch(node.t, 'string', ctx));
        const err = timeError(node.value);
        if (err !== undefined) this.abort(err);
        return;
      }
      case 'bytes':
        // []byte: a base64 string (or, as Go allows, an array of numbers).
        if (node.t === 'string') {
          const err = base64Error(node.value);
          if (err !== undefined) this.saved(err);
        } else if (node.t !== 'array') {
          this.saved(this.mismatch(node.t, '[]uint8', ctx));
        }
        return;
      case 'any':
        return; // RawExtension, FieldsV1: opaque to the decoder
    }
  }

  private struct(node: JsonNode, type: { kind: 'object'; model: string }, ctx: Context): void {
    const model = this.schema.model(type.model);
    if (model === undefined) return;
    if (node.t !== 'object') return this.saved(this.mismatch(node.t, goTypeName(type), ctx));
    const seen = new Set<string>();
    for (const [key, child] of node.entries) {
      const path = ctx.path === '' ? key : `${ctx.path}.${key}`;
      const field = model.fields.get(key);
      if (field === undefined) {
        this.addStrict('unknown', path);
        continue;
      }
      if (seen.has(key)) this.addStrict('duplicate', path);
      seen.add(key);
      this.value(child, field.type, { path, struct: goStructName(model.name), stack: fieldStack(ctx, model, key) });
    }
  }

  private map(node: JsonNode, type: { kind: 'map'; values: FieldType }, ctx: Context): void {
    if (node.t !== 'object') return this.saved(this.mismatch(node.t, goTypeName(type), ctx));
    const seen = new Set<string>();
    for (const [key, child] of node.entries) {
      const path = ctx.path === '' ? key : `${ctx.path}.${key}`;
      if (seen.has(key)) this.addStrict('duplicate', path);
      seen.add(key);
      // Go's error context does not name map keys: the stack stays at the map field.
      this.value(child, type.values, { ...ctx, path });
    }
  }
}

function fieldStack(ctx: Context, model: Model, key: string): string[] {
  const embedded = embeddedStructOf(model, key);
  return embedded === undefined ? [...ctx.stack, key] : [...ctx.stack, embedded, key];
}

const INT_RANGE: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** strconv.ParseInt plus the overflow check: integers only, no fraction or exponent. */
function fitsInteger(text: string, goType: string): boolean {
  if (!/^-?\d+$/.test(text)) return false;
  const [min, max] = INT_RANGE[goType] ?? INT_RANGE['int64']!;
  const n = BigInt(text);
  return n >= min && n <= max;
}
