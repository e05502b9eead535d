// One EndpointSlice endpoint: built from a pod (podToEndpoint), identified by what makes it the
// same endpoint across updates (addresses, hostname, pod: hashEndpoint), and compared on the
// rest (EndpointsEqualBeyondHash) so that a change of conditions updates it in place.
import { isPodReady, type Endpoint, type Node, type ObjectReference, type Pod, type Service } from '../../api/core.js';
import { LABEL_TOPOLOGY_ZONE } from './labels.js';
import { podAddresses, shouldSetHostname, type AddressType } from './pods.js';

/**
 * The endpoint of a pod for a Service: conditions from the pod's Ready condition and deletion
 * (serving = Ready; terminating = deletionTimestamp set; ready = serving and not terminating,
 * or always with publishNotReadyAddresses), the pod as targetRef, its node and the node's zone.
 */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = svc.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[LABEL_TOPOLOGY_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  return ep;
}

/** hashEndpoint: the identity of an endpoint across versions of a slice. */
export function endpointKey(ep: Endpoint): string {
  const addrs = [...(ep.addresses ?? [])].sort().join(',');
  return `${addrs}|${ep.hostname ?? ''}|${ep.targetRef?.namespace ?? ''}/${ep.targetRef?.name ?? ''}`;
}

function sameRef(a: ObjectReference | undefined, b: ObjectReference | undefined): boolean {
  if (!a || !b) return a === b || (!a && !b);
  // resourceVersion is ignored: a pod's unrelated updates must not rewrite slices.
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name && a.uid === b.uid && a.apiVersion === b.apiVersion && a.fieldPath === b.fieldPath;
}

/** EndpointsEqualBeyondHash: node, zone, the three conditions and the target are the same. */
export function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    a.conditions?.ready === b.conditions?.ready &&
    a.conditions?.serving === b.conditions?.serving &&
    a.conditions?.terminating === b.conditions?.terminating &&
    sameRef(a.targetRef, b.targetRef)
  );
}
