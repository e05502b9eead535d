// The vocabulary of the message tables: a Kubernetes API type as its protobuf field numbers
// plus what its Go struct tags say about JSON (name, pointer, omitempty, inline). The decoder
// needs both because Kubernetes stores the JSON the Go struct would marshal to, and protobuf
// itself cannot tell "unset" from "zero".
import type { JsonValue } from '../../api/types.js';

export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes';
export type ElementType = ScalarType | MessageSpec;
/** A Go slice (`repeated` in proto). */
export interface ListType {
  readonly list: ElementType;
}
/** A Go map; every map key in Kubernetes' API is a string. */
export interface MapType {
  readonly map: ElementType;
}
export type FieldType = ElementType | ListType | MapType;

export interface FieldSpec {
  readonly number: number;
  /** JSON name; '' for a Go embedded struct tagged `json:",inline"`, whose fields join the parent's. */
  readonly json: string;
  readonly type: FieldType;
  /** A Go pointer: set-to-zero differs from unset, so a value on the wire is always kept. */
  readonly pointer: boolean;
  /** The JSON tag has omitempty: zero scalars and empty slices/maps are dropped (never structs). */
  readonly omitEmpty: boolean;
}

/** What the decoder holds for a field before rendering. */
export type DecodedValue = string | number | boolean | Uint8Array | DecodedMessage;
export type DecodedSlot = DecodedValue | DecodedValue[] | Map<string, DecodedValue>;

export interface DecodedMessage {
  readonly spec: MessageSpec;
  readonly fields: Map<number, DecodedSlot>;
}

/** A Go type with its own MarshalJSON (Time, IntOrString, Quantity, FieldsV1). May throw ProtobufDecodeError. */
export type CustomJson = (message: DecodedMessage, path: string) => JsonValue;

export interface MessageSpec {
  /** The Go type name, for error messages. */
  readonly name: string;
  readonly fields: ReadonlyMap<number, FieldSpec>;
  readonly toJson?: CustomJson;
}

// --- the table DSL ---------------------------------------------------------------------

export const STRING: ScalarType = 'string';
export const INT32: ScalarType = 'int32';
export const INT64: ScalarType = 'int64';
export const BOOL: ScalarType = 'bool';
export const BYTES: ScalarType = 'bytes';
/** Marks a Go embedded struct tagged `json:",inline"`. */
export const INLINE = '';

/** The field is a Go pointer (`*int32`, `*bool`, `*Struct`, ...). */
export const PTR = 'ptr';
/** The JSON tag lacks omitempty: the zero value (or null for nil pointers/slices/maps) is written. */
export const ALWAYS = 'always';
type Flag = typeof PTR | typeof ALWAYS;

/**
 * `[jsonName, type, ...flags]`; without flags a field is a Go value with omitempty, the common case.
 * Rows are keyed by field number, so JSON keys come out in field-number order (order is not
 * significant in JSON objects; Go's struct order differs in places).
 */
export type FieldDef = readonly [json: string, type: FieldType, ...flags: Flag[]];

export function list(element: ElementType): ListType {
  return { list: element };
}

export function map(value: ElementType): MapType {
  return { map: value };
}

export function message(name: string, defs: Readonly<Record<number, FieldDef>>, toJson?: CustomJson): MessageSpec {
  const fields = new Map<number, FieldSpec>();
  for (const [key, [json, type, ...flags]] of Object.entries(defs)) {
    const number = Number(key);
    fields.set(number, { number, json, type, pointer: flags.includes(PTR), omitEmpty: !flags.includes(ALWAYS) });
  }
  return toJson ? { name, fields, toJson } : { name, fields };
}

/** The JSON path of a field below `path`, for error messages; inline fields add nothing. */
export function fieldPath(path: string, field: FieldSpec): string {
  if (field.json === INLINE) return path;
  return path === '' ? field.json : `${path}.${field.json}`;
}

export function isList(t: FieldType): t is ListType {
  return typeof t === 'object' && 'list' in t;
}

export function isMap(t: FieldType): t is MapType {
  return typeof t === 'object' && 'map' in t;
}

export function isMessage(t: FieldType): t is MessageSpec {
  return typeof t === 'object' && 'fields' in t;
}

export function isDecodedMessage(v: DecodedSlot | undefined): v is DecodedMessage {
  return typeof v === 'object' && v !== null && 'spec' in v && 'fields' in v;
}
