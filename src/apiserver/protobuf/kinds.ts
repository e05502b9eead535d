// The top-level kinds this decoder reads, by apiVersion and kind: those `kubectl create
// <generator>` (1.32+) sends as protobuf and tinykube serves. Others are refused as unsupported.
import type { MessageSpec } from './schema.js';
import { Deployment } from './types/apps.js';
import { ConfigMap, Namespace, Secret, Service } from './types/core.js';
import { Ingress } from './types/networking.js';

const KINDS: ReadonlyMap<string, MessageSpec> = new Map([
  ['v1 Namespace', Namespace],
  ['v1 Service', Service],
  ['v1 ConfigMap', ConfigMap],
  ['v1 Secret', Secret],
  ['apps/v1 Deployment', Deployment],
  ['networking.k8s.io/v1 Ingress', Ingress],
]);

export function messageForKind(apiVersion: string, kind: string): MessageSpec | undefined {
  return KINDS.get(`${apiVersion} ${kind}`);
}

/** `apiVersion kind` pairs, for messages and tests. */
export function supportedKinds(): string[] {
  return [...KINDS.keys()];
}
