// networking.k8s.io/v1 Ingress (`kubectl create ingress` sends protobuf too).
// Each row: protobuf field number -> [JSON name, type, Go pointer / no-omitempty flags].
import { ALWAYS, INLINE, INT32, PTR, STRING, list, message } from '../schema.js';
import { PortStatus } from './core.js';
import { ObjectMeta } from './meta.js';

const TypedLocalObjectReference = message('TypedLocalObjectReference', {
  // *string without omitempty: null for the core group.
  1: ['apiGroup', STRING, PTR, ALWAYS],
  2: ['kind', STRING, ALWAYS],
  3: ['name', STRING, ALWAYS],
});

const ServiceBackendPort = message('ServiceBackendPort', {
  1: ['name', STRING],
  2: ['number', INT32],
});

const IngressServiceBackend = message('IngressServiceBackend', {
  1: ['name', STRING, ALWAYS],
  2: ['port', ServiceBackendPort],
});

const IngressBackend = message('IngressBackend', {
  3: ['resource', TypedLocalObjectReference, PTR],
  4: ['service', IngressServiceBackend, PTR],
});

const HTTPIngressPath = message('HTTPIngressPath', {
  1: ['path', STRING],
  2: ['backend', IngressBackend],
  // *PathType without omitempty: null when unset.
  3: ['pathType', STRING, PTR, ALWAYS],
});

const HTTPIngressRuleValue = message('HTTPIngressRuleValue', {
  1: ['paths', list(HTTPIngressPath), ALWAYS],
});

const IngressRule = message('IngressRule', {
  1: ['host', STRING],
  // IngressRuleValue is inline in JSON; its only member is `http`.
  2: [INLINE, message('IngressRuleValue', { 1: ['http', HTTPIngressRuleValue, PTR] })],
});

const IngressTLS = message('IngressTLS', {
  1: ['hosts', list(STRING)],
  2: ['secretName', STRING],
});

const IngressLoadBalancerIngress = message('IngressLoadBalancerIngress', {
  1: ['ip', STRING],
  2: ['hostname', STRING],
  // IngressPortStatus has the shape of core/v1 PortStatus.
  4: ['ports', list(PortStatus)],
});

const IngressStatus = message('IngressStatus', {
  1: ['loadBalancer', message('IngressLoadBalancerStatus', { 1: ['ingress', list(IngressLoadBalancerIngress)] })],
});

export const Ingress = message('Ingress', {
  1: ['metadata', ObjectMeta],
  2: [
    'spec',
    message('IngressSpec', {
      1: ['defaultBackend', IngressBackend, PTR],
      2: ['tls', list(IngressTLS)],
      3: ['rules', list(IngressRule)],
      4: ['ingressClassName', STRING, PTR],
    }),
  ],
  3: ['status', IngressStatus],
});
