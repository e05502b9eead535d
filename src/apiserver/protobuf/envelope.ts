// The Kubernetes protobuf envelope: the 4 magic bytes "k8s\0", then a runtime.Unknown whose
// typeMeta names the object and whose raw holds the object's own message (without TypeMeta).
import { bytesField, decodeMessage, messageField, stringField } from './decoder.js';
import { ProtobufDecodeError } from './errors.js';
import { BYTES, STRING, message } from './schema.js';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];
export const KUBERNETES_PROTOBUF = 'application/vnd.kubernetes.protobuf';

const TypeMeta = message('runtime.TypeMeta', {
  1: ['apiVersion', STRING],
  2: ['kind', STRING],
});

const Unknown = message('runtime.Unknown', {
  1: ['typeMeta', TypeMeta],
  2: ['raw', BYTES],
  3: ['contentEncoding', STRING],
  4: ['contentType', STRING],
});

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

export function openEnvelope(body: Uint8Array): Envelope {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw new ProtobufDecodeError('does not start with the Kubernetes protobuf magic "k8s\\0"');
  }
  const unknown = decodeMessage(body.subarray(MAGIC.length), Unknown, '');
  const typeMeta = messageField(unknown, 1);
  const apiVersion = typeMeta ? stringField(typeMeta, 1) ?? '' : '';
  const kind = typeMeta ? stringField(typeMeta, 2) ?? '' : '';
  if (apiVersion === '' || kind === '') throw new ProtobufDecodeError('runtime.Unknown has no apiVersion or kind');
  const encoding = stringField(unknown, 3) ?? '';
  if (encoding !== '') throw new ProtobufDecodeError(`content encoding "${encoding}" is not supported`, '', true);
  const contentType = stringField(unknown, 4) ?? '';
  if (contentType !== '' && contentType !== KUBERNETES_PROTOBUF) {
    throw new ProtobufDecodeError(`embedded content type "${contentType}" is not supported`, '', true);
  }
  return { apiVersion, kind, raw: bytesField(unknown, 2) ?? new Uint8Array(0) };
}
