// Ingress and IngressClass (networking.k8s.io/v1) as kube-apiserver 1.32 serves them: the registry
// strategies (pkg/registry/networking/ingress and ingressclass), v1 defaulting and validation
// (pkg/apis/networking/validation) with Kubernetes' field paths, order and messages.
//
// networking.k8s.io/v1 defaults nothing in an Ingress: pathType is required there, not defaulted
// (only the retired extensions/v1beta1 and networking.k8s.io/v1beta1 APIs filled in
// ImplementationSpecific). An IngressClass's parameters get scope Cluster. Besides, objects are
// stored as Kubernetes stores them after decoding into its Go types: fields tagged omitempty
// are dropped when empty, untagged ones are always there (see `goIngress`). On create, the
// DefaultIngressClass admission plugin (enabled by default in kube-apiserver) gives an Ingress that
// names no class the IngressClass annotated ingressclass.kubernetes.io/is-default-class: "true".
import type { KubeObject } from '../../api/types.js';
import { ANNOTATION_INGRESS_CLASS, defaultIngressClass } from '../../api/networking.js';
import { fieldError, type FieldError } from '../errors.js';
import { resourceFor } from '../resources.js';
import { parseIPSloppy } from '../validation/ip.js';
import { dns1123LabelProblems, nameProblems, pathSegmentProblems, portNameProblems, wildcardSubdomainProblems } from '../validation/names.js';
import { arr, obj, str, type Obj, type Strategy } from './types.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const PARAMETERS_SCOPES = ['Cluster', 'Namespace'];
const MAX_CONTROLLER_BYTES = 250;
/** RFC 3986 path characters: unreserved, percent-encoded octets, sub-delims and ':' (IsDomainPrefixedPath). */
const HTTP_PATH = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;
const HTTP_PATH_MSG = "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')";
const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const NOT_AN_IP = 'must be a DNS name, not an IP address';

const absent = (v: unknown): v is undefined | null => v === undefined || v === null;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An Invalid error whose bad value is already rendered as Go's %#v prints it. */
function invalidRendered(field: string, rendered: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${rendered}: ${detail}` };
}

// --- Go's JSON round trip (what a decode into k8s.io/api/networking/v1 and back stores)

/** An `omitempty` scalar or list: gone when null or its zero value ("", 0, []). */
function omitEmpty(o: Obj, key: string): void {
  const v = o[key];
  if (absent(v) || v === '' || v === 0 || (Array.isArray(v) && v.length === 0)) delete o[key];
}

/** An `omitempty` pointer: gone when null only (a pointer to "" stays). */
function omitNil(o: Obj, key: string): void {
  if (absent(o[key])) delete o[key];
}

/** A string without omitempty: always there, "" when unset (null decodes to ""). */
function alwaysString(o: Obj, key: string): void {
  if (absent(o[key])) o[key] = '';
}

/** A struct without omitempty semantics (Go never omits structs): {} when unset. */
function alwaysStruct(o: Obj, key: string): Obj | undefined {
  if (absent(o[key])) o[key] = {};
  const v = o[key];
  return isObj(v) ? v : undefined;
}

/** The objects of a list of structs; a null item decodes to the zero struct. */
function structItems(list: unknown[]): Obj[] {
  for (let i = 0; i < list.length; i++) if (list[i] === null) list[i] = {};
  return list.filter(isObj);
}

function goBackend(b: Obj): void {
  omitNil(b, 'service');
  omitNil(b, 'resource');
  const svc = b['service'];
  if (isObj(svc)) {
    alwaysString(svc, 'name');
    const port = alwaysStruct(svc, 'port');
    if (port) {
      omitEmpty(port, 'name');
      omitEmpty(port, 'number');
    }
  }
  const res = b['resource'];
  if (isObj(res)) {
    // core/v1 TypedLocalObjectReference: apiGroup is a pointer without omitempty (null for the core group).
    if (res['apiGroup'] === undefined) res['apiGroup'] = null;
    alwaysString(res, 'kind');
    alwaysString(res, 'name');
  }
}

/** Shapes an Ingress as Kubernetes stores it (v1 has no Ingress defaults beyond this). */
export function goIngress(o: Obj): void {
  const spec = alwaysStruct(o, 'spec');
  if (spec) {
    omitNil(spec, 'ingressClassName');
    omitNil(spec, 'defaultBackend');
    if (isObj(spec['defaultBackend'])) goBackend(spec['defaultBackend']);
    omitEmpty(spec, 'tls');
    for (const tls of structItems(arr(spec['tls']))) {
      omitEmpty(tls, 'hosts');
      omitEmpty(tls, 'secretName');
    }
    // An empty list is dropped too, except where validation reports it (no rules and no default
    // backend: the object is refused, and Kubernetes names the empty list, not a nil one).
    if (!(Array.isArray(spec['rules']) && spec['rules'].length === 0 && absent(spec['defaultBackend']))) omitEmpty(spec, 'rules');
    for (const rule of structItems(arr(spec['rules']))) {
      omitEmpty(rule, 'host');
      omitNil(rule, 'http');
      const http = rule['http'];
      if (!isObj(http)) continue;
      // paths has no omitempty: null when unset.
      if (http['paths'] === undefined) http['paths'] = null;
      for (const path of structItems(arr(http['paths']))) {
        omitEmpty(path, 'path');
        // pathType is a pointer without omitempty: null when unset (and then refused).
        if (path['pathType'] === undefined) path['pathType'] = null;
        const backend = alwaysStruct(path, 'backend');
        if (backend) goBackend(backend);
      }
    }
  }
  const status = alwaysStruct(o, 'status');
  const lb = status && alwaysStruct(status, 'loadBalancer');
  if (lb) {
    omitEmpty(lb, 'ingress');
    for (const ing of structItems(arr(lb['ingress']))) {
      omitEmpty(ing, 'ip');
      omitEmpty(ing, 'hostname');
      omitEmpty(ing, 'ports');
      for (const port of structItems(arr(ing['ports']))) {
        if (absent(port['port'])) port['port'] = 0;
        alwaysString(port, 'protocol');
        omitNil(port, 'error');
      }
    }
  }
}

/** SetDefaults_IngressClass (parameters.scope Cluster) on an IngressClass shaped as Kubernetes stores it. */
export function goIngressClass(o: Obj): void {
  const spec = alwaysStruct(o, 'spec');
  if (!spec) return;
  omitEmpty(spec, 'controller');
  omitNil(spec, 'parameters');
  const params = spec['parameters'];
  if (!isObj(params)) return;
  omitNil(params, 'apiGroup');
  alwaysString(params, 'kind');
  alwaysString(params, 'name');
  if (absent(params['scope'])) params['scope'] = 'Cluster';
  omitNil(params, 'namespace');
}

// --- Ingress validation (ValidateIngressCreate, ValidateIngressUpdate, ValidateIngressStatusUpdate)

/** Leniency for what an update finds already stored (IngressValidationOptions). */
interface IngressOptions {
  /** Some spec.tls[*].secretName of the stored object is not a valid Secret name. */
  allowInvalidSecretName: boolean;
  /** Some wildcard-host rule of the stored object has an invalid rule value. */
  allowInvalidWildcardHostRule: boolean;
}

const STRICT: IngressOptions = { allowInvalidSecretName: false, allowInvalidWildcardHostRule: false };

/** TypedLocalObjectReference of a resource backend or of IngressClass parameters. */
function validateTypedLocalObjectReference(ref: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const group = ref['apiGroup'];
  if (typeof group === 'string') for (const m of nameProblems(group, 'subdomain')) errs.push(fieldError.invalid(`${path}.apiGroup`, group, m));
  for (const key of ['kind', 'name']) {
    const v = str(ref[key]);
    if (v === '') errs.push(fieldError.required(`${path}.${key}`, `${key} is required`));
    else for (const m of pathSegmentProblems(v)) errs.push(fieldError.invalid(`${path}.${key}`, v, m));
  }
  return errs;
}

/** validateIngressBackend: exactly one of service (name and exactly one of port name or number) or resource. */
function validateBackend(b: Obj, path: string): FieldError[] {
  const hasResource = !absent(b['resource']);
  const hasService = !absent(b['service']);
  if (hasResource && hasService) return [fieldError.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedLocalObjectReference(obj(b['resource']), `${path}.resource`);
  if (!hasService) return [fieldError.invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const svc = obj(b['service']);
  const name = str(svc['name']);
  if (name === '') errs.push(fieldError.required(`${path}.service.name`));
  else for (const m of nameProblems(name, 'dns1035')) errs.push(fieldError.invalid(`${path}.service.name`, name, m));
  const port = obj(svc['port']);
  const portName = str(port['name']);
  const portNumber = typeof port['number'] === 'number' ? port['number'] : 0;
  if (portName !== '' && portNumber !== 0) {
    errs.push(fieldError.invalid(path, '', 'cannot set both port name & port number'));
  } else if (portName !== '') {
    for (const m of portNameProblems(portName)) errs.push(fieldError.invalid(`${path}.service.port.name`, portName, m));
  } else if (portNumber !== 0) {
    if (!(Number.isInteger(portNumber) && portNumber >= 1 && portNumber <= 65535)) {
      errs.push(fieldError.invalid(`${path}.service.port.number`, portNumber, 'must be between 1 and 65535, inclusive'));
    }
  } else {
    errs.push(fieldError.required(path, 'port name or number is required'));
  }
  return errs;
}

/** validateHTTPIngressPath: pathType first (nothing else is checked without one), then path, then backend. */
function validateHTTPPath(p: Obj, path: string): FieldError[] {
  const pathType = p['pathType'];
  if (absent(pathType)) return [fieldError.required(`${path}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = str(p['path']);
  switch (pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(fieldError.invalid(`${path}.path`, value, 'must be an absolute path'));
      if (value.length > 0) {
        for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(fieldError.invalid(`${path}.path`, value, `must not contain '${seq}'`));
        for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) errs.push(fieldError.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
      }
      break;
    case 'ImplementationSpecific':
      // Anything goes, but a path that is there must be absolute.
      if (value.length > 0 && !value.startsWith('/')) errs.push(fieldError.invalid(`${path}.path`, value, 'must be an absolute path'));
      break;
    default:
      errs.push(fieldError.notSupported(`${path}.pathType`, pathType, PATH_TYPES));
  }
  errs.push(...validateBackend(obj(p['backend']), `${path}.backend`));
  return errs;
}

/** validateIngressRuleValue: an http rule needs paths. */
function validateRuleValue(rule: Obj, path: string): FieldError[] {
  if (absent(rule['http'])) return [];
  const paths = arr(obj(rule['http'])['paths']);
  const errs: FieldError[] = [];
  if (paths.length === 0) errs.push(fieldError.required(`${path}.http.paths`));
  paths.forEach((p, i) => errs.push(...validateHTTPPath(obj(p), `${path}.http.paths[${i}]`)));
  return errs;
}

/** Problems of a host: a DNS subdomain, or `*.` and one when it has a '*'. */
function hostProblems(host: string): string[] {
  return host.includes('*') ? wildcardSubdomainProblems(host) : nameProblems(host, 'subdomain');
}

function validateRules(rules: unknown[], opts: IngressOptions): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((raw, i) => {
    const rule = obj(raw);
    const path = `spec.rules[${i}]`;
    const host = str(rule['host']);
    if (host !== '') {
      if (parseIPSloppy(host)) errs.push(fieldError.invalid(`${path}.host`, host, NOT_AN_IP));
      for (const m of hostProblems(host)) errs.push(fieldError.invalid(`${path}.host`, host, m));
    }
    if (!host.includes('*') || !opts.allowInvalidWildcardHostRule) errs.push(...validateRuleValue(rule, path));
  });
  return errs;
}

function tlsSecretNameProblems(name: string): string[] {
  return name === '' ? [] : nameProblems(name, 'subdomain');
}

function validateTLS(tls: unknown[], opts: IngressOptions): FieldError[] {
  const errs: FieldError[] = [];
  tls.forEach((raw, i) => {
    const t = obj(raw);
    arr(t['hosts']).forEach((h, j) => {
      const host = str(h);
      for (const m of hostProblems(host)) errs.push(fieldError.invalid(`spec.tls[${i}].hosts[${j}]`, host, m));
    });
    if (!opts.allowInvalidSecretName) {
      const secret = str(t['secretName']);
      for (const m of tlsSecretNameProblems(secret)) errs.push(fieldError.invalid(`spec.tls[${i}].secretName`, secret, m));
    }
  });
  return errs;
}

/** ValidateIngressSpec. */
function validateIngressSpec(spec: Obj, opts: IngressOptions): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec['rules'];
  const hasRules = Array.isArray(rules) && rules.length > 0;
  if (!hasRules && absent(spec['defaultBackend'])) {
    // The bad value is the rules list as Go prints it: nil when absent, empty when sent as [].
    const rendered = Array.isArray(rules) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)';
    errs.push(invalidRendered('spec', rendered, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (!absent(spec['defaultBackend'])) errs.push(...validateBackend(obj(spec['defaultBackend']), 'spec.defaultBackend'));
  if (hasRules) errs.push(...validateRules(rules, opts));
  const tls = arr(spec['tls']);
  if (tls.length > 0) errs.push(...validateTLS(tls, opts));
  const className = spec['ingressClassName'];
  if (typeof className === 'string') {
    for (const m of nameProblems(className, 'subdomain')) errs.push(fieldError.invalid('spec.ingressClassName', className, m));
  }
  return errs;
}

/** ValidateIngressCreate without ObjectMeta: the spec, then the class annotation against spec.ingressClassName. */
export function validateIngressCreate(o: KubeObject): FieldError[] {
  const spec = obj(o['spec']);
  const errs = validateIngressSpec(spec, STRICT);
  const annotations = o.metadata.annotations ?? {};
  const className = spec['ingressClassName'];
  if (Object.prototype.hasOwnProperty.call(annotations, ANNOTATION_INGRESS_CLASS) && typeof className === 'string') {
    const value = annotations[ANNOTATION_INGRESS_CLASS] ?? '';
    // Kubernetes names this path without `metadata.`.
    if (value !== className) errs.push(fieldError.invalid(`annotations.${ANNOTATION_INGRESS_CLASS}`, value, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

/** The leniency an update gets for what is already stored (allowInvalidSecretName, allowInvalidWildcardHostRule). */
function optionsFor(old: KubeObject): IngressOptions {
  const spec = obj(old['spec']);
  return {
    allowInvalidSecretName: arr(spec['tls']).some((t) => tlsSecretNameProblems(str(obj(t)['secretName'])).length > 0),
    allowInvalidWildcardHostRule: arr(spec['rules']).some((r) => str(obj(r)['host']).includes('*') && validateRuleValue(obj(r), '').length > 0),
  };
}

/**
 * ValidateIngressUpdate without ObjectMeta: the spec as on create, with leniency for what is
 * already stored; nothing in an Ingress spec is immutable, and the class annotation is not
 * checked again.
 */
export function validateIngressUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  return validateIngressSpec(obj(o['spec']), optionsFor(old));
}

/** ValidateIngressLoadBalancerStatus: ip an IP address, hostname a DNS name that is not one. */
export function validateIngressStatus(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  arr(obj(obj(o['status'])['loadBalancer'])['ingress']).forEach((raw, i) => {
    const ing = obj(raw);
    const path = `status.loadBalancer.ingress[${i}]`;
    const ip = str(ing['ip']);
    if (ip !== '' && !parseIPSloppy(ip)) errs.push(fieldError.invalid(`${path}.ip`, ip, IP_MSG));
    const hostname = str(ing['hostname']);
    if (hostname !== '') {
      for (const m of nameProblems(hostname, 'subdomain')) errs.push(fieldError.invalid(`${path}.hostname`, hostname, m));
      if (parseIPSloppy(hostname)) errs.push(fieldError.invalid(`${path}.hostname`, hostname, NOT_AN_IP));
    }
  });
  return errs;
}

// --- DefaultIngressClass (the admission plugin kube-apiserver enables by default)

const INGRESS_CLASSES = resourceFor('networking.k8s.io', 'v1', 'ingressclasses')!;

/**
 * DefaultIngressClass on create: an Ingress that names no class, by field or by the
 * kubernetes.io/ingress.class annotation (even an empty one), gets the default IngressClass.
 */
export function admitIngressClass(o: KubeObject, classes: KubeObject[]): void {
  const spec = obj(o['spec']);
  if (!absent(spec['ingressClassName'])) return;
  if (Object.prototype.hasOwnProperty.call(o.metadata.annotations ?? {}, ANNOTATION_INGRESS_CLASS)) return;
  const name = defaultIngressClass(classes)?.metadata.name;
  if (name === undefined) return;
  // IngressSpec's field order: ingressClassName first.
  o['spec'] = { ingressClassName: name, ...spec };
}

export const ingressStrategy: Strategy = {
  nameRule: 'subdomain',
  generation: true,
  defaults(o) {
    goIngress(o);
  },
  async admitCreate(o, stored) {
    admitIngressClass(o, await stored.list(INGRESS_CLASSES));
  },
  prepareForCreate(o) {
    // Create cannot set status.
    o['status'] = { loadBalancer: {} };
  },
  validate(o, old, subresource) {
    if (!old) return validateIngressCreate(o);
    // The status strategy validates status only (spec is the stored one).
    if (subresource === 'status') return validateIngressStatus(o);
    return validateIngressUpdate(o, old);
  },
};

// --- IngressClass validation (ValidateIngressClass, ValidateIngressClassUpdate)

/** IsDomainPrefixedPath: `<DNS subdomain>/<RFC 3986 path>`, e.g. "acme.io/ingress-controller". */
function domainPrefixedPath(field: string, v: string): FieldError[] {
  if (v === '') return [fieldError.required(field)];
  const slash = v.indexOf('/');
  const host = slash < 0 ? v : v.slice(0, slash);
  const rest = slash < 0 ? '' : v.slice(slash + 1);
  if (slash < 0 || host === '' || rest === '') return [fieldError.invalid(field, v, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = nameProblems(host, 'subdomain').map((m) => fieldError.invalid(field, host, m));
  if (!HTTP_PATH.test(rest)) errs.push(fieldError.invalid(field, rest, HTTP_PATH_MSG));
  return errs;
}

/** validateIngressClassParametersReference: the reference, then a scope of Cluster (no namespace) or Namespace (with one). */
function validateParameters(params: Obj, path: string): FieldError[] {
  const errs = validateTypedLocalObjectReference(params, path);
  const scope = params['scope'];
  if (absent(scope)) return [...errs, fieldError.required(`${path}.scope`)];
  const namespace = params['namespace'];
  if (typeof scope !== 'string' || !PARAMETERS_SCOPES.includes(scope)) {
    errs.push(fieldError.notSupported(`${path}.scope`, scope, PARAMETERS_SCOPES));
  } else if (scope === 'Namespace') {
    if (absent(namespace)) errs.push(fieldError.required(`${path}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else for (const m of dns1123LabelProblems(str(namespace))) errs.push(fieldError.invalid(`${path}.namespace`, namespace, m));
  } else if (!absent(namespace)) {
    errs.push(fieldError.forbidden(`${path}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

/** ValidateIngressClass without ObjectMeta: spec.controller (required, at most 250 bytes, domain-prefixed path) and parameters. */
export function validateIngressClass(o: KubeObject): FieldError[] {
  const spec = obj(o['spec']);
  const controller = str(spec['controller']);
  const errs: FieldError[] = [];
  if (Buffer.byteLength(controller) > MAX_CONTROLLER_BYTES) errs.push(fieldError.tooLong('spec.controller', MAX_CONTROLLER_BYTES));
  errs.push(...domainPrefixedPath('spec.controller', controller));
  if (!absent(spec['parameters'])) errs.push(...validateParameters(obj(spec['parameters']), 'spec.parameters'));
  return errs;
}

/** ValidateIngressClassUpdate without ObjectMeta: the controller is immutable, then everything ValidateIngressClass checks. */
export function validateIngressClassUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const controller = str(obj(o['spec'])['controller']);
  const errs: FieldError[] = [];
  if (controller !== str(obj(old['spec'])['controller'])) errs.push(fieldError.invalid('spec.controller', controller, 'field is immutable'));
  return [...errs, ...validateIngressClass(o)];
}

export const ingressClassStrategy: Strategy = {
  nameRule: 'subdomain',
  generation: true,
  defaults(o) {
    goIngressClass(o);
  },
  validate(o, old) {
    return old ? validateIngressClassUpdate(o, old) : validateIngressClass(o);
  },
};
