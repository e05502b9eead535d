// What the proxy keeps of the objects it watches: only the fields the change tracker reads, so the
// informer caches stay small at thousands of Services (no managedFields, selectors, targetRefs...).
import type { Endpoint, EndpointSlice, Service } from '../api/core.js';
import { ANNOTATION_LAST_CHANGE_TRIGGER_TIME, LABEL_SERVICE_NAME } from '../api/discovery.js';

export function leanService(svc: Service): Service {
  const s = svc.spec ?? {};
  const spec: Service['spec'] = {};
  if (s.type !== undefined) spec.type = s.type;
  if (s.ports !== undefined) spec.ports = s.ports.map(({ name, protocol, port, nodePort }) => ({ name, protocol, port, nodePort }));
  if (s.clusterIP !== undefined) spec.clusterIP = s.clusterIP;
  if (s.clusterIPs !== undefined) spec.clusterIPs = s.clusterIPs;
  if (s.externalIPs !== undefined) spec.externalIPs = s.externalIPs;
  if (s.sessionAffinity !== undefined) spec.sessionAffinity = s.sessionAffinity;
  if (s.sessionAffinityConfig !== undefined) spec.sessionAffinityConfig = s.sessionAffinityConfig;
  if (s.externalTrafficPolicy !== undefined) spec.externalTrafficPolicy = s.externalTrafficPolicy;
  if (s.internalTrafficPolicy !== undefined) spec.internalTrafficPolicy = s.internalTrafficPolicy;
  if (s.healthCheckNodePort !== undefined) spec.healthCheckNodePort = s.healthCheckNodePort;
  const out: Service = { metadata: { namespace: svc.metadata.namespace, name: svc.metadata.name, resourceVersion: svc.metadata.resourceVersion }, spec };
  const ingress = svc.status?.loadBalancer?.ingress;
  if (ingress !== undefined) out.status = { loadBalancer: { ingress: ingress.map(({ ip, ipMode }) => ({ ip, ipMode })) } };
  return out;
}

export function leanEndpointSlice(slice: EndpointSlice): EndpointSlice {
  const m = slice.metadata;
  const service = m.labels?.[LABEL_SERVICE_NAME];
  const trigger = m.annotations?.[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  return {
    metadata: {
      namespace: m.namespace,
      name: m.name,
      resourceVersion: m.resourceVersion,
      ...(service !== undefined && { labels: { [LABEL_SERVICE_NAME]: service } }),
      ...(trigger !== undefined && { annotations: { [ANNOTATION_LAST_CHANGE_TRIGGER_TIME]: trigger } }),
    },
    addressType: slice.addressType,
    ports: slice.ports,
    endpoints: slice.endpoints?.map(leanEndpoint) ?? null,
  };
}

function leanEndpoint(e: Endpoint): Endpoint {
  const out: Endpoint = { addresses: e.addresses?.slice(0, 1) };
  if (e.conditions !== undefined) out.conditions = e.conditions;
  if (e.nodeName !== undefined) out.nodeName = e.nodeName;
  if (e.zone !== undefined) out.zone = e.zone;
  return out;
}
