// Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), which kubectl
// 1.32+ sends for `kubectl create <generator>`, decoded into the JSON object the same request
// in JSON would have carried, so the rest of the API server sees only JSON.
import { openEnvelope } from './envelope.js';
import { decodeMessage } from './decoder.js';
import { ProtobufDecodeError } from './errors.js';
import { messageForKind, supportedKinds } from './kinds.js';
import { renderMessageObject } from './render.js';

export { ProtobufDecodeError } from './errors.js';
export { KUBERNETES_PROTOBUF } from './envelope.js';

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** The object as Kubernetes' JSON, with apiVersion and kind first, as kubectl's JSON would be. */
  object: Record<string, unknown>;
}

/** Decodes a `k8s\0` + runtime.Unknown body into the JSON object Kubernetes would have stored from the equivalent JSON request. */
export function decodeKubernetesProtobuf(body: Uint8Array): DecodedObject {
  const { apiVersion, kind, raw } = openEnvelope(body);
  const spec = messageForKind(apiVersion, kind);
  if (spec === undefined) {
    throw new ProtobufDecodeError(`${apiVersion} ${kind} is not decodable here (supported: ${supportedKinds().join(', ')}); send JSON`, '', true);
  }
  const fields = renderMessageObject(decodeMessage(raw, spec, ''), '');
  return { apiVersion, kind, object: { apiVersion, kind, ...fields } };
}
