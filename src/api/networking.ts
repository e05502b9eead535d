// networking.k8s.io/v1 Ingress and IngressClass, and the kubernetes.io/tls Secret they use: the
// fields that tinykube's ingress controller reads and writes.
import type { KubeObject, ObjectMeta } from './types.js';

/** IngressClass spec.controller of tinykube's ingress controller. */
export const INGRESS_CONTROLLER = 'tinykube.io/ingress';
/** On an IngressClass: Ingresses that name no class get this one (DefaultIngressClass admission). */
export const ANNOTATION_DEFAULT_INGRESS_CLASS = 'ingressclass.kubernetes.io/is-default-class';
/** The class annotation of Ingresses from before spec.ingressClassName (still honoured by controllers). */
export const ANNOTATION_INGRESS_CLASS = 'kubernetes.io/ingress.class';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface ServiceBackendPort {
  number?: number;
  name?: string;
}

export interface IngressBackend {
  service?: { name: string; port?: ServiceBackendPort };
  resource?: { apiGroup?: string; kind: string; name: string };
}

export interface HTTPIngressPath {
  path?: string;
  pathType?: PathType;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}

export interface IngressLoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ports?: { port: number; protocol: string; error?: string }[];
}

export interface Ingress extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    rules?: IngressRule[];
    tls?: IngressTLS[];
  };
  status?: { loadBalancer?: { ingress?: IngressLoadBalancerIngress[] } };
}

export interface IngressClass extends KubeObject {
  metadata: ObjectMeta;
  spec?: { controller?: string; parameters?: Record<string, unknown> };
}

/** A Secret; kubernetes.io/tls ones hold tls.crt and tls.key (base64 in data). */
export interface Secret extends KubeObject {
  metadata: ObjectMeta;
  type?: string;
  data?: Record<string, string>;
}

export const SECRET_TYPE_TLS = 'kubernetes.io/tls';

/**
 * The default IngressClass (DefaultIngressClass admission): annotated is-default-class "true"; of
 * several, the newest, then the first by name.
 */
export function defaultIngressClass<T extends KubeObject>(classes: readonly T[]): T | undefined {
  const created = (c: KubeObject): number => Date.parse(c.metadata.creationTimestamp ?? '') || 0;
  const defaults = classes.filter((c) => c.metadata.annotations?.[ANNOTATION_DEFAULT_INGRESS_CLASS] === 'true');
  defaults.sort((a, b) => created(b) - created(a) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  return defaults[0];
}
