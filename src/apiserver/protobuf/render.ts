// DecodedMessage -> the JSON Go's encoding/json would write for the same struct, which is
// what kube-apiserver stores and what kubectl sends when it speaks JSON. Go's rules, per field:
//   pointer:             unset -> omitted (omitempty) or null; set -> its value, even if zero
//   struct value:        always written (omitempty never drops a struct), unset -> its zero JSON
//   scalar value:        zero -> omitted (omitempty) or written as 0 / "" / false
//   slice, map, []byte:  empty -> omitted (omitempty) or null
import { isObject, type JsonValue } from '../../api/types.js';
import { emptyMessage } from './decoder.js';
import { ProtobufDecodeError } from './errors.js';
import {
  INLINE,
  fieldPath,
  isDecodedMessage,
  isList,
  isMap,
  isMessage,
  type DecodedMessage,
  type DecodedSlot,
  type DecodedValue,
  type ElementType,
  type FieldSpec,
  type ScalarType,
} from './schema.js';

const OMIT = Symbol('omit');

export function renderMessage(m: DecodedMessage, path: string): JsonValue {
  if (m.spec.toJson) return m.spec.toJson(m, path);
  const out: { [key: string]: JsonValue } = {};
  for (const field of m.spec.fields.values()) {
    const value = renderField(field, m.fields.get(field.number), fieldPath(path, field));
    if (value === OMIT) continue;
    if (field.json === INLINE) {
      if (!isObject(value)) throw new ProtobufDecodeError(`${m.spec.name}: inline field is not an object`, path);
      Object.assign(out, value);
    } else {
      out[field.json] = value;
    }
  }
  return out;
}

export function renderMessageObject(m: DecodedMessage, path: string): { [key: string]: JsonValue } {
  const value = renderMessage(m, path);
  if (!isObject(value)) throw new ProtobufDecodeError(`${m.spec.name} does not render as a JSON object`, path);
  return value;
}

function renderField(field: FieldSpec, slot: DecodedSlot | undefined, path: string): JsonValue | typeof OMIT {
  const { type } = field;
  if (isList(type)) {
    const items = Array.isArray(slot) ? slot : [];
    if (items.length === 0) return field.omitEmpty ? OMIT : null;
    return items.map((v, i) => renderElement(type.list, v, `${path}[${i}]`));
  }
  if (isMap(type)) {
    const entries = slot instanceof Map ? [...slot] : [];
    if (entries.length === 0) return field.omitEmpty ? OMIT : null;
    // fromEntries defines own properties, so a key such as "__proto__" stays plain data.
    return Object.fromEntries(entries.map(([k, v]) => [k, renderElement(type.map, v, `${path}[${JSON.stringify(k)}]`)]));
  }
  if (slot === undefined || Array.isArray(slot) || slot instanceof Map) {
    if (field.pointer) return field.omitEmpty ? OMIT : null;
    if (isMessage(type)) return renderMessage(emptyMessage(type), path);
    if (type === 'bytes') return field.omitEmpty ? OMIT : null;
    return field.omitEmpty ? OMIT : zeroScalar(type);
  }
  if (!field.pointer && field.omitEmpty && isZeroScalar(slot)) return OMIT;
  return renderElement(type, slot, path);
}

function renderElement(type: ElementType, v: DecodedValue, path: string): JsonValue {
  if (isMessage(type)) {
    if (!isDecodedMessage(v)) throw new ProtobufDecodeError(`expected a ${type.name} message`, path);
    return renderMessage(v, path);
  }
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (isDecodedMessage(v)) throw new ProtobufDecodeError(`expected a ${type} value`, path);
  return v;
}

function zeroScalar(type: Exclude<ScalarType, 'bytes'>): JsonValue {
  switch (type) {
    case 'string':
      return '';
    case 'int32':
    case 'int64':
      return 0;
    case 'bool':
      return false;
  }
}

function isZeroScalar(v: DecodedValue): boolean {
  if (v instanceof Uint8Array) return v.length === 0;
  return v === '' || v === 0 || v === false;
}
