// What the ingress controller keeps of the objects it watches: only the fields routing, TLS and
// status read, so the informer caches stay small (no managedFields, no other Secrets' data).
import { ANNOTATION_DEFAULT_INGRESS_CLASS, ANNOTATION_INGRESS_CLASS, type Ingress, type IngressClass, type Secret } from '../api/networking.js';

/** Annotations routing reads: the class annotation and ingress-nginx's settings. */
function keptAnnotation(name: string): boolean {
  return name === ANNOTATION_INGRESS_CLASS || name.startsWith('nginx.ingress.kubernetes.io/');
}

export function leanIngress(ing: Ingress): Ingress {
  const m = ing.metadata;
  const annotations = Object.entries(m.annotations ?? {}).filter(([k]) => keptAnnotation(k));
  const out: Ingress = {
    metadata: {
      namespace: m.namespace,
      name: m.name,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
      ...(m.uid !== undefined && { uid: m.uid }),
      ...(m.generation !== undefined && { generation: m.generation }),
      ...(annotations.length > 0 && { annotations: Object.fromEntries(annotations) }),
    },
  };
  if (ing.spec !== undefined) out.spec = ing.spec;
  if (ing.status !== undefined) out.status = ing.status;
  return out;
}

export function leanIngressClass(c: IngressClass): IngressClass {
  const m = c.metadata;
  const isDefault = m.annotations?.[ANNOTATION_DEFAULT_INGRESS_CLASS];
  return {
    metadata: { name: m.name, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp, ...(isDefault !== undefined && { annotations: { [ANNOTATION_DEFAULT_INGRESS_CLASS]: isDefault } }) },
    spec: { controller: c.spec?.controller },
  };
}

/** A kubernetes.io/tls Secret: its certificate and key only. */
export function leanSecret(s: Secret): Secret {
  const m = s.metadata;
  const data: Record<string, string> = {};
  for (const k of ['tls.crt', 'tls.key']) if (s.data?.[k] !== undefined) data[k] = s.data[k]!;
  return { metadata: { namespace: m.namespace, name: m.name, resourceVersion: m.resourceVersion }, type: s.type, data };
}
