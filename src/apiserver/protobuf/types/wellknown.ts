// apimachinery types whose Go JSON form is their own MarshalJSON, not a struct:
// meta/v1 Time and MicroTime, util/intstr IntOrString, api/resource Quantity, meta/v1 FieldsV1.
import type { JsonValue } from '../../../api/types.js';
import { bytesField, decodeUtf8, numberField, stringField } from '../decoder.js';
import { ProtobufDecodeError } from '../errors.js';
import { INT32, INT64, STRING, BYTES, message, type DecodedMessage } from '../schema.js';

// time.Time{} (0001-01-01T00:00:00Z) in Unix seconds: Go's zero time, which marshals as null.
const GO_ZERO_TIME_SECONDS = -62135596800;
const MAX_DATE_SECONDS = 8_640_000_000_000; // the range of a JS Date

/** Timestamp {seconds, nanos}; an empty message is Go's zero time. */
function timestampJson(m: DecodedMessage, path: string, precision: 'seconds' | 'micros'): JsonValue {
  if (m.fields.size === 0) return null;
  let seconds = numberField(m, 1) ?? 0;
  let nanos = precision === 'seconds' ? 0 : numberField(m, 2) ?? 0;
  nanos -= nanos % 1000; // MicroTime keeps microseconds only (truncated toward zero, as Go does)
  seconds += Math.floor(nanos / 1e9);
  nanos = ((nanos % 1e9) + 1e9) % 1e9;
  if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return null;
  if (Math.abs(seconds) > MAX_DATE_SECONDS) throw new ProtobufDecodeError(`time ${seconds}s is out of range`, path);
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new ProtobufDecodeError(`time ${seconds}s is outside years 0000-9999`, path);
  // RFC 3339 in UTC: "2006-01-02T15:04:05Z", or with ".000000" microseconds for MicroTime.
  const base = date.toISOString().slice(0, 19);
  if (precision === 'seconds') return `${base}Z`;
  return `${base}.${String(nanos / 1000).padStart(6, '0')}Z`;
}

/** meta/v1 Time: second precision; proto nanos are ignored on read, as in Kubernetes. */
export const Time = message('Time', { 1: ['seconds', INT64], 2: ['nanos', INT32] }, (m, path) => timestampJson(m, path, 'seconds'));

/** meta/v1 MicroTime: microsecond precision. */
export const MicroTime = message('MicroTime', { 1: ['seconds', INT64], 2: ['nanos', INT32] }, (m, path) => timestampJson(m, path, 'micros'));

const INT_OR_STRING_INT = 0;
const INT_OR_STRING_STRING = 1;

/** intstr.IntOrString: a JSON number or string, chosen by `type`. */
export const IntOrString = message('IntOrString', { 1: ['type', INT64], 2: ['intVal', INT32], 3: ['strVal', STRING] }, (m, path) => {
  const type = numberField(m, 1) ?? INT_OR_STRING_INT;
  if (type === INT_OR_STRING_INT) return numberField(m, 2) ?? 0;
  if (type === INT_OR_STRING_STRING) return stringField(m, 3) ?? '';
  throw new ProtobufDecodeError(`IntOrString type ${type} is neither 0 (int) nor 1 (string)`, path);
});

/**
 * resource.Quantity: its canonical string. Go clients write the canonical form already, so the
 * string is kept as sent; quantity syntax is validation's business, as on the JSON path.
 */
export const Quantity = message('Quantity', { 1: ['string', STRING] }, (m, path) => {
  const s = stringField(m, 1);
  if (s === undefined) return '0'; // the zero Quantity
  if (s === '') throw new ProtobufDecodeError('quantity is an empty string', path);
  return s;
});

/** meta/v1 FieldsV1: raw JSON bytes, written into the document as JSON. */
export const FieldsV1 = message('FieldsV1', { 1: ['Raw', BYTES] }, (m, path) => {
  const raw = bytesField(m, 1);
  if (raw === undefined || raw.length === 0) return null;
  try {
    // JSON.parse yields JSON by definition.
    return JSON.parse(decodeUtf8(raw)) as JsonValue;
  } catch {
    throw new ProtobufDecodeError('fieldsV1 is not valid JSON', path);
  }
});
