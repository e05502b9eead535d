// Services: defaulting (SetDefaults_Service) and the basic shape of ports. Allocation of cluster
// IPs and node ports, and the full validation, belong to the Service work that builds on this.
import { fieldError, type FieldError } from '../errors.js';
import { arr, child, dflt, obj, str, type Obj, type Strategy } from './types.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

export const serviceStrategy: Strategy = {
  nameRule: 'dns1035',
  generation: false,
  defaults(o) {
    const spec = child(o as Obj, 'spec');
    dflt(spec, 'type', 'ClusterIP');
    dflt(spec, 'sessionAffinity', 'None');
    if (spec['type'] !== 'ExternalName') dflt(spec, 'internalTrafficPolicy', 'Cluster');
    if (spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer') dflt(spec, 'externalTrafficPolicy', 'Cluster');
    for (const raw of arr(spec['ports'])) {
      const p = obj(raw);
      dflt(p, 'protocol', 'TCP');
      dflt(p, 'targetPort', p['port']);
    }
  },
  prepareForCreate(o) {
    o['status'] = { loadBalancer: {} };
  },
  validate(o) {
    const errs: FieldError[] = [];
    const spec = obj(o['spec']);
    const type = str(spec['type']);
    if (!TYPES.includes(type)) errs.push(fieldError.notSupported('spec.type', type, TYPES));
    const ports = arr(spec['ports']);
    if (ports.length === 0 && type !== 'ExternalName' && spec['clusterIP'] !== 'None') errs.push(fieldError.required('spec.ports'));
    const names = new Set<string>();
    ports.forEach((raw, i) => {
      const p = obj(raw);
      const path = `spec.ports[${i}]`;
      const name = str(p['name']);
      if (ports.length > 1 && !name) errs.push(fieldError.required(`${path}.name`));
      if (name) {
        if (names.has(name)) errs.push(fieldError.duplicate(`${path}.name`, name));
        names.add(name);
      }
      const port = p['port'];
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        errs.push(fieldError.invalid(`${path}.port`, port ?? 0, 'must be between 1 and 65535, inclusive'));
      }
      const proto = str(p['protocol']);
      if (!['TCP', 'UDP', 'SCTP'].includes(proto)) errs.push(fieldError.notSupported(`${path}.protocol`, proto, ['SCTP', 'TCP', 'UDP']));
    });
    return errs;
  },
  fields(o) {
    const spec = obj(o['spec']);
    return { 'spec.clusterIP': str(spec['clusterIP']), 'spec.type': str(spec['type']) };
  },
};

/**
 * The loose pre-validation of clusterIP/clusterIPs/ipFamilies/ipFamilyPolicy that the Service
 * allocator runs before it reserves anything (Kubernetes' ValidateServiceClusterIPsRelatedFields).
 */
export function validateServiceClusterIPsRelatedFields(_svc: Obj, _old?: Obj): FieldError[] {
  return [];
}
