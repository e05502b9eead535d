// Malformed or unsupported bodies: always a ProtobufDecodeError that names what was wrong.
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from './index.js';
import { concat, envelope, named, wire } from './testing/wire-builder.js';

const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);
const { message, string, varint, int64, bytes } = wire;

/** An envelope whose runtime.Unknown fields are given raw. */
function unknown(...fields: Uint8Array[]): Uint8Array {
  return concat(MAGIC, ...fields);
}
const typeMeta = message(1, string(1, 'v1'), string(2, 'ConfigMap'));
const container = (...fields: Uint8Array[]): Uint8Array => message(2, string(1, 'c'), ...fields);
const limit = (resource: string, value: Uint8Array): Uint8Array => message(1, string(1, resource), value);

interface ErrorCase {
  name: string;
  body: Uint8Array;
  /** A fragment of the message. */
  says: string;
  path?: string;
  unsupported?: boolean;
}

const CASES: ErrorCase[] = [
  { name: 'empty body', body: new Uint8Array(0), says: 'magic' },
  { name: 'JSON body', body: Buffer.from('{"kind":"ConfigMap"}'), says: 'magic' },
  { name: 'magic only, no type', body: MAGIC, says: 'no apiVersion or kind' },
  { name: 'truncated varint', body: unknown(Uint8Array.of(0x0a, 0x80)), says: 'runtime.Unknown' },
  { name: 'length past the end', body: unknown(typeMeta, Uint8Array.of(0x12, 0xe8, 0x07, 0x01)), says: 'index out of range' },
  { name: 'absurd length', body: unknown(Uint8Array.of(0x12, 0xff, 0xff, 0xff, 0xff, 0x0f)), says: 'index out of range' },
  {
    name: 'nested length past its parent',
    // metadata claims 10 bytes, but its name field claims 40.
    body: envelope('v1', 'ConfigMap', Uint8Array.of(0x0a, 10, 0x0a, 40, ...Buffer.from('abcdefgh'))),
    says: 'index out of range',
    path: 'metadata',
  },
  { name: 'field number 0', body: unknown(typeMeta, Uint8Array.of(0x02, 0x00)), says: 'field number 0' },
  { name: 'wire type 7', body: unknown(typeMeta, Uint8Array.of((9 << 3) | 7)), says: 'invalid wire type' },
  { name: 'stray end group', body: unknown(typeMeta, Uint8Array.of((9 << 3) | 4)), says: 'invalid wire type' },
  { name: 'known field with the wrong wire type', body: envelope('v1', 'ConfigMap', message(1, varint(1, 5))), says: 'wire type varint, expected length-delimited', path: 'metadata.name' },
  {
    name: 'list element with the wrong wire type',
    body: envelope('v1', 'Service', named('s'), message(2, message(1, string(3, 'eighty')))),
    says: 'expected varint',
    path: 'spec.ports[0].port',
  },
  { name: 'map entry with the wrong wire type', body: envelope('v1', 'ConfigMap', named('c'), varint(2, 1)), says: 'expected length-delimited', path: 'data' },
  {
    name: 'IntOrString of an unknown type',
    body: envelope('v1', 'Service', named('s'), message(2, message(1, varint(3, 80), message(4, varint(1, 2))))),
    says: 'IntOrString type 2',
    path: 'spec.ports[0].targetPort',
  },
  { name: 'FieldsV1 that is not JSON', body: envelope('v1', 'ConfigMap', message(1, message(17, message(7, bytes(1, Buffer.from('{nope')))))), says: 'not valid JSON', path: 'metadata.managedFields[0].fieldsV1' },
  {
    name: 'empty quantity',
    body: envelope('apps/v1', 'Deployment', message(2, message(3, message(2, container(message(8, limit('cpu', message(2, string(1, ''))))))))),
    says: 'empty string',
    path: 'spec.template.spec.containers[0].resources.limits["cpu"]',
  },
  { name: 'time beyond year 9999', body: envelope('v1', 'Namespace', message(1, message(8, int64(1, 253402300800)))), says: 'outside years', path: 'metadata.creationTimestamp' },
  { name: 'kind we do not decode', body: envelope('apps/v1', 'StatefulSet', named('s')), says: 'apps/v1 StatefulSet is not decodable', unsupported: true },
  { name: 'compressed content', body: unknown(typeMeta, string(3, 'gzip')), says: 'content encoding "gzip"', unsupported: true },
  { name: 'foreign embedded content type', body: unknown(typeMeta, string(4, 'application/json')), says: 'content type "application/json"', unsupported: true },
];

describe('malformed bodies', () => {
  it.each(CASES)('$name', ({ body, says, path, unsupported }) => {
    let error: unknown;
    try {
      decodeKubernetesProtobuf(body);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProtobufDecodeError);
    const e = error as ProtobufDecodeError;
    expect(e.message).toContain(says);
    expect(e.path).toBe(path ?? e.path);
    expect(e.unsupported).toBe(unsupported ?? false);
  });
});
