// core/v1 kinds kubectl creates imperatively: Namespace, Service, ConfigMap, Secret.
// Each row: protobuf field number -> [JSON name, type, Go pointer / no-omitempty flags].
import { ALWAYS, BOOL, BYTES, INT32, PTR, STRING, list, map, message } from '../schema.js';
import { Condition, ObjectMeta } from './meta.js';
import { IntOrString, Time } from './wellknown.js';

const NamespaceCondition = message('NamespaceCondition', {
  1: ['type', STRING, ALWAYS],
  2: ['status', STRING, ALWAYS],
  4: ['lastTransitionTime', Time],
  5: ['reason', STRING],
  6: ['message', STRING],
});

export const Namespace = message('Namespace', {
  1: ['metadata', ObjectMeta],
  2: ['spec', message('NamespaceSpec', { 1: ['finalizers', list(STRING)] })],
  3: [
    'status',
    message('NamespaceStatus', {
      1: ['phase', STRING],
      2: ['conditions', list(NamespaceCondition)],
    }),
  ],
});

const ServicePort = message('ServicePort', {
  1: ['name', STRING],
  2: ['protocol', STRING],
  3: ['port', INT32, ALWAYS],
  // A struct: written even when unset, as 0.
  4: ['targetPort', IntOrString],
  5: ['nodePort', INT32],
  6: ['appProtocol', STRING, PTR],
});

const SessionAffinityConfig = message('SessionAffinityConfig', {
  1: ['clientIP', message('ClientIPConfig', { 1: ['timeoutSeconds', INT32, PTR] }), PTR],
});

const ServiceSpec = message('ServiceSpec', {
  1: ['ports', list(ServicePort)],
  2: ['selector', map(STRING)],
  3: ['clusterIP', STRING],
  4: ['type', STRING],
  5: ['externalIPs', list(STRING)],
  7: ['sessionAffinity', STRING],
  8: ['loadBalancerIP', STRING],
  9: ['loadBalancerSourceRanges', list(STRING)],
  10: ['externalName', STRING],
  11: ['externalTrafficPolicy', STRING],
  12: ['healthCheckNodePort', INT32],
  13: ['publishNotReadyAddresses', BOOL],
  14: ['sessionAffinityConfig', SessionAffinityConfig, PTR],
  17: ['ipFamilyPolicy', STRING, PTR],
  18: ['clusterIPs', list(STRING)],
  19: ['ipFamilies', list(STRING)],
  20: ['allocateLoadBalancerNodePorts', BOOL, PTR],
  21: ['loadBalancerClass', STRING, PTR],
  22: ['internalTrafficPolicy', STRING, PTR],
  23: ['trafficDistribution', STRING, PTR],
});

export const PortStatus = message('PortStatus', {
  1: ['port', INT32, ALWAYS],
  2: ['protocol', STRING, ALWAYS],
  3: ['error', STRING, PTR],
});

const LoadBalancerIngress = message('LoadBalancerIngress', {
  1: ['ip', STRING],
  2: ['hostname', STRING],
  3: ['ipMode', STRING, PTR],
  4: ['ports', list(PortStatus)],
});

const ServiceStatus = message('ServiceStatus', {
  1: ['loadBalancer', message('LoadBalancerStatus', { 1: ['ingress', list(LoadBalancerIngress)] })],
  2: ['conditions', list(Condition)],
});

export const Service = message('Service', {
  1: ['metadata', ObjectMeta],
  2: ['spec', ServiceSpec],
  3: ['status', ServiceStatus],
});

export const ConfigMap = message('ConfigMap', {
  1: ['metadata', ObjectMeta],
  2: ['data', map(STRING)],
  3: ['binaryData', map(BYTES)],
  4: ['immutable', BOOL, PTR],
});

export const Secret = message('Secret', {
  1: ['metadata', ObjectMeta],
  // Values are bytes: base64 strings in JSON.
  2: ['data', map(BYTES)],
  3: ['type', STRING],
  4: ['stringData', map(STRING)],
  5: ['immutable', BOOL, PTR],
});
