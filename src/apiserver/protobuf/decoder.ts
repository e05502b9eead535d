// One generic protobuf decoder over the message tables: wire bytes -> DecodedMessage (last
// value per singular field, lists appended, maps keyed, repeated sub-messages merged, as Go's
// generated Unmarshal does). Rendering to JSON is render.ts's job. Every failure, including
// the wire reader's own, surfaces as ProtobufDecodeError with the field path.
import pb from 'protobufjs/minimal.js';
import { ProtobufDecodeError } from './errors.js';
import {
  fieldPath,
  isDecodedMessage,
  isList,
  isMap,
  isMessage,
  type DecodedMessage,
  type DecodedValue,
  type ElementType,
  type FieldSpec,
  type MessageSpec,
} from './schema.js';

type Reader = pb.Reader;
type Int64 = ReturnType<Reader['int64']> | number;

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32', 'invalid (6)', 'invalid (7)'];

// Go keeps invalid UTF-8 bytes in strings and its JSON encoder writes U+FFFD for them; the BOM
// is an ordinary character there, so it must not be swallowed.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function emptyMessage(spec: MessageSpec): DecodedMessage {
  return { spec, fields: new Map() };
}

/** Decodes `bytes` as `spec`, merging into `into` when the field occurred before. */
export function decodeMessage(bytes: Uint8Array, spec: MessageSpec, path: string, into = emptyMessage(spec)): DecodedMessage {
  const reader = pb.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const number = tag >>> 3;
      const wire = tag & 7;
      if (number === 0) throw new ProtobufDecodeError(`${spec.name}: field number 0 is illegal`, path);
      const field = spec.fields.get(number);
      // Fields this table does not know (newer Kubernetes, or parts we do not model) are skipped.
      if (field === undefined) reader.skipType(wire);
      else readField(reader, field, wire, into, path);
    }
  } catch (err) {
    if (err instanceof ProtobufDecodeError) throw err;
    throw new ProtobufDecodeError(`${spec.name}: malformed wire data (${err instanceof Error ? err.message : String(err)})`, path);
  }
  return into;
}

function readField(reader: Reader, field: FieldSpec, wire: number, target: DecodedMessage, parentPath: string): void {
  const path = fieldPath(parentPath, field);
  const { type } = field;
  const slot = target.fields.get(field.number);
  if (isList(type)) {
    const items = Array.isArray(slot) ? slot : [];
    target.fields.set(field.number, items);
    if (wire === WIRE_LEN && isPackable(type.list)) readPacked(reader, type.list, items, path);
    else items.push(readElement(reader, type.list, wire, `${path}[${items.length}]`));
  } else if (isMap(type)) {
    const entries = slot instanceof Map ? slot : new Map<string, DecodedValue>();
    target.fields.set(field.number, entries);
    expectWire(wire, WIRE_LEN, path);
    const [key, value] = readMapEntry(reader.bytes(), type.map, path);
    entries.set(key, value);
  } else if (isMessage(type) && isDecodedMessage(slot)) {
    expectWire(wire, WIRE_LEN, path);
    decodeMessage(reader.bytes(), type, path, slot);
  } else {
    target.fields.set(field.number, readElement(reader, type, wire, path));
  }
}

function readElement(reader: Reader, type: ElementType, wire: number, path: string): DecodedValue {
  if (isMessage(type)) {
    expectWire(wire, WIRE_LEN, path);
    return decodeMessage(reader.bytes(), type, path);
  }
  switch (type) {
    case 'string':
      expectWire(wire, WIRE_LEN, path);
      return utf8.decode(reader.bytes());
    case 'bytes':
      expectWire(wire, WIRE_LEN, path);
      return reader.bytes().slice();
    case 'int32':
      expectWire(wire, WIRE_VARINT, path);
      return reader.int32();
    case 'int64':
      expectWire(wire, WIRE_VARINT, path);
      return int64ToNumber(reader.int64());
    case 'bool':
      expectWire(wire, WIRE_VARINT, path);
      return reader.bool();
  }
}

function isPackable(type: ElementType): boolean {
  return type === 'int32' || type === 'int64' || type === 'bool';
}

/** proto3-style packed numbers; Kubernetes' proto2 writers never pack, but a parser must accept both. */
function readPacked(reader: Reader, type: ElementType, items: DecodedValue[], path: string): void {
  const packed = pb.Reader.create(reader.bytes());
  while (packed.pos < packed.len) items.push(readElement(packed, type, WIRE_VARINT, `${path}[${items.length}]`));
}

/** A map entry is a message {1: key, 2: value}; either may be missing and then takes its zero value. */
function readMapEntry(bytes: Uint8Array, valueType: ElementType, path: string): [string, DecodedValue] {
  const reader = pb.Reader.create(bytes);
  let key = '';
  let value: DecodedValue | undefined;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 0:
        throw new ProtobufDecodeError('map entry: field number 0 is illegal', path);
      case 1:
        expectWire(wire, WIRE_LEN, path);
        key = utf8.decode(reader.bytes());
        break;
      case 2:
        value = readElement(reader, valueType, wire, `${path}[${JSON.stringify(key)}]`);
        break;
      default:
        reader.skipType(wire);
    }
  }
  return [key, value ?? zeroElement(valueType)];
}

function zeroElement(type: ElementType): DecodedValue {
  if (isMessage(type)) return emptyMessage(type);
  switch (type) {
    case 'string':
      return '';
    case 'bytes':
      return new Uint8Array(0);
    case 'int32':
    case 'int64':
      return 0;
    case 'bool':
      return false;
  }
}

function expectWire(actual: number, expected: number, path: string): void {
  if (actual !== expected) {
    throw new ProtobufDecodeError(`wire type ${WIRE_NAMES[actual] ?? actual}, expected ${WIRE_NAMES[expected]}`, path);
  }
}

/** JSON numbers are doubles: int64 values beyond 2^53 lose precision, as in any JS JSON client. */
function int64ToNumber(v: Int64): number {
  return typeof v === 'number' ? v : pb.util.LongBits.from(v).toNumber(false);
}

// --- typed access to decoded fields, for envelopes and custom JSON marshalers ---------------

export function stringField(m: DecodedMessage, number: number): string | undefined {
  const v = m.fields.get(number);
  return typeof v === 'string' ? v : undefined;
}

export function numberField(m: DecodedMessage, number: number): number | undefined {
  const v = m.fields.get(number);
  return typeof v === 'number' ? v : undefined;
}

export function bytesField(m: DecodedMessage, number: number): Uint8Array | undefined {
  const v = m.fields.get(number);
  return v instanceof Uint8Array ? v : undefined;
}

export function messageField(m: DecodedMessage, number: number): DecodedMessage | undefined {
  const v = m.fields.get(number);
  return isDecodedMessage(v) ? v : undefined;
}

export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
