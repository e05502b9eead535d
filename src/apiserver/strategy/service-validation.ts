// Service validation as kube-apiserver 1.32 does it (pkg/apis/core/validation: ValidateService,
// ValidateServiceUpdate, ValidateServiceStatusUpdate, ValidateServiceClusterIPsRelatedFields), with
// its field paths, its order and its messages. Bad values are rendered as Go's field.Error renders
// them (`%#v` for lists and structs), so kubectl shows what it would show against Kubernetes.
import { validateLabelKey } from '../../api/selectors.js';
import { fieldError, type FieldError } from '../errors.js';
import { isLinkLocalMulticast, isLinkLocalUnicast, isUnspecified, isIPv6String, parseCIDRSloppy, parseIPSloppy } from '../validation/ip.js';
import { validateLabels } from '../validation/meta.js';
import { dns1123LabelProblems, nameProblems, portNameProblems } from '../validation/names.js';
import { externallyAccessible, isHeadless, needsHealthCheck, type ServicePortView, type ServiceView } from './service-view.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_DISTRIBUTIONS = ['PreferClose'];
const LB_IP_MODES = ['Proxy', 'VIP'];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;

const ANNOTATION_TOPOLOGY_HINTS = 'service.kubernetes.io/topology-aware-hints';
const ANNOTATION_TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
const ANNOTATION_LB_SOURCE_RANGES = 'service.beta.kubernetes.io/load-balancer-source-ranges';

const PORT_RANGE_MSG = 'must be between 1 and 65535, inclusive';
const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const CIDR_MSG = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
const ONLY_LB = "may only be used when `type` is 'LoadBalancer'";

// --- Go renderings of bad values (field.Error.ErrorBody)

const quote = (v: string): string => JSON.stringify(v);

/** A Go slice as %#v prints it: `[]string{"a", "b"}`, `[]string{}`, or `[]string(nil)` when absent. */
function goSlice(list: string[] | undefined, type = '[]string'): string {
  if (list === undefined) return `${type}(nil)`;
  return `${type}{${list.map(quote).join(', ')}}`;
}

function invalid(field: string, rendered: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${rendered}: ${detail}` };
}

/** The (protocol, port) key Kubernetes reports for a duplicate port: a core.ServicePort struct. */
function portKey(p: ServicePortView): string {
  return (
    `core.ServicePort{Name:"", Protocol:${quote(p.protocol)}, AppProtocol:(*string)(nil), Port:${p.port}, ` +
    'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'
  );
}

// --- name formats (apimachinery IsQualifiedName; IsDNS1123Label and IsValidPortName are in names.ts)

function qualifiedName(field: string, v: string): FieldError[] {
  const problem = validateLabelKey(v);
  return problem ? [fieldError.invalid(field, v, problem)] : [];
}

const validPort = (p: number): boolean => Number.isInteger(p) && p >= 1 && p <= 65535;

function validIP(field: string, v: string): FieldError[] {
  return parseIPSloppy(v) ? [] : [fieldError.invalid(field, v, IP_MSG)];
}

/**
 * ValidateNonSpecialIP, for spec.externalIPs: no unspecified, link-local or link-local multicast
 * addresses. Kubernetes also rejects loopback (127.0.0.0/8, ::1) here; tinykube does not, because
 * its whole cluster (nodes, pods, Services, load balancers) lives on 127.0.0.0/8.
 */
function validExternalIP(field: string, v: string): FieldError[] {
  const ip = parseIPSloppy(v);
  if (!ip) return [fieldError.invalid(field, v, IP_MSG)];
  const errs: FieldError[] = [];
  if (isUnspecified(ip)) errs.push(fieldError.invalid(field, v, `may not be unspecified (${v})`));
  if (isLinkLocalUnicast(ip)) errs.push(fieldError.invalid(field, v, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (isLinkLocalMulticast(ip)) errs.push(fieldError.invalid(field, v, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

// --- ValidateService

/** validateServicePort: spec.ports[i]. */
function validateServicePort(p: ServicePortView, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && p.name === '') {
    errs.push(fieldError.required(`${path}.name`));
  } else if (p.name !== '') {
    for (const m of dns1123LabelProblems(p.name)) errs.push(fieldError.invalid(`${path}.name`, p.name, m));
    if (names.has(p.name)) errs.push(fieldError.duplicate(`${path}.name`, p.name));
    else names.add(p.name);
  }
  if (!validPort(p.port)) errs.push(fieldError.invalid(`${path}.port`, p.port, PORT_RANGE_MSG));
  if (p.protocol === '') errs.push(fieldError.required(`${path}.protocol`));
  else if (!PROTOCOLS.includes(p.protocol)) errs.push(fieldError.notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
  if (typeof p.targetPort === 'number') {
    if (!validPort(p.targetPort)) errs.push(fieldError.invalid(`${path}.targetPort`, p.targetPort, PORT_RANGE_MSG));
  } else {
    for (const m of portNameProblems(p.targetPort)) errs.push(fieldError.invalid(`${path}.targetPort`, p.targetPort, m));
  }
  if (p.appProtocol !== undefined) errs.push(...qualifiedName(`${path}.appProtocol`, p.appProtocol));
  return errs;
}

function validateClientIPAffinityConfig(v: ServiceView): FieldError[] {
  const path = 'spec.sessionAffinityConfig';
  const when = 'when session affinity type is ClientIP';
  const cfg = v.sessionAffinityConfig;
  if (!cfg) return [fieldError.required(path, when)];
  if (!cfg.clientIP) return [fieldError.required(`${path}.clientIP`, when)];
  const t = cfg.clientIP.timeoutSeconds;
  if (t === undefined) return [fieldError.required(`${path}.clientIP.timeoutSeconds`, when)];
  if (t <= 0 || t > MAX_CLIENT_IP_AFFINITY_SECONDS) {
    return [fieldError.invalid(`${path}.clientIP.timeoutSeconds`, t, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`)];
  }
  return [];
}

/** validateLoadBalancerClassField: immutable while the Service stays a LoadBalancer. */
function validateLoadBalancerClass(v: ServiceView, old?: ServiceView): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'spec.loadBalancerClass';
  if (old && old.type === 'LoadBalancer' && v.type === 'LoadBalancer' && old.loadBalancerClass !== v.loadBalancerClass) {
    errs.push(fieldError.invalid(path, v.loadBalancerClass, 'may not change once set'));
  }
  if (v.loadBalancerClass !== undefined) {
    if (v.type === 'LoadBalancer') errs.push(...qualifiedName(path, v.loadBalancerClass));
    else errs.push(fieldError.forbidden(path, ONLY_LB));
  }
  return errs;
}

/** validateServiceExternalTrafficPolicy: externalTrafficPolicy and healthCheckNodePort. */
function validateExternalTrafficPolicy(v: ServiceView): FieldError[] {
  const errs: FieldError[] = [];
  const etp = v.externalTrafficPolicy;
  if (!externallyAccessible(v)) {
    if (etp !== '') errs.push(fieldError.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (etp === '') {
    errs.push(fieldError.required('spec.externalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(etp)) {
    errs.push(fieldError.notSupported('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES));
  }
  const hc = v.healthCheckNodePort;
  if (!needsHealthCheck(v)) {
    if (hc !== 0) errs.push(fieldError.invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc === 0) {
    errs.push(fieldError.required('spec.healthCheckNodePort'));
  } else if (!validPort(hc)) {
    errs.push(fieldError.invalid('spec.healthCheckNodePort', hc, PORT_RANGE_MSG));
  }
  return errs;
}

function validateInternalTrafficPolicy(v: ServiceView): FieldError[] {
  const itp = v.internalTrafficPolicy;
  // Required where it is defaulted; allowed but not required on ExternalName (never checked there).
  if (itp === undefined) return ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(v.type) ? [fieldError.required('spec.internalTrafficPolicy')] : [];
  return TRAFFIC_POLICIES.includes(itp) ? [] : [fieldError.notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES)];
}

function validateSourceRanges(v: ServiceView): FieldError[] {
  const errs: FieldError[] = [];
  if (v.loadBalancerSourceRanges.length > 0) {
    // Kubernetes names this path with a capital L (specPath.Child("LoadBalancerSourceRanges")).
    const path = 'spec.LoadBalancerSourceRanges';
    if (v.type !== 'LoadBalancer') errs.push(fieldError.forbidden(path, ONLY_LB));
    v.loadBalancerSourceRanges.forEach((raw, i) => {
      // Space padding is tolerated, a leftover of the annotation this field replaced.
      const value = raw.trim();
      if (!parseCIDRSloppy(value)) errs.push(fieldError.invalid(`${path}[${i}]`, value, CIDR_MSG));
    });
  } else if (ANNOTATION_LB_SOURCE_RANGES in v.annotations) {
    const path = `metadata.annotations[${ANNOTATION_LB_SOURCE_RANGES}]`;
    if (v.type !== 'LoadBalancer') errs.push(fieldError.forbidden(path, ONLY_LB));
    const val = (v.annotations[ANNOTATION_LB_SOURCE_RANGES] ?? '').trim();
    if (val !== '') {
      for (const part of val.split(',')) {
        const value = part.trim();
        if (!parseCIDRSloppy(value)) errs.push(fieldError.invalid(path, value, CIDR_MSG));
      }
    }
  }
  return errs;
}

/** ValidateService without ObjectMeta (the registry validates metadata for every kind). */
export function validateService(v: ServiceView): FieldError[] {
  const errs: FieldError[] = [];
  const hints = v.annotations[ANNOTATION_TOPOLOGY_HINTS];
  const mode = v.annotations[ANNOTATION_TOPOLOGY_MODE];
  if (hints !== undefined && mode !== undefined && hints !== mode) {
    errs.push(fieldError.invalid(`metadata.annotations[${ANNOTATION_TOPOLOGY_MODE}]`, mode, `must match annotations[${ANNOTATION_TOPOLOGY_HINTS}] when both are specified`));
  }
  const headless = isHeadless(v);
  if (v.ports.length === 0 && !headless && v.type !== 'ExternalName') errs.push(fieldError.required('spec.ports'));
  switch (v.type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (headless) errs.push(fieldError.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${v.type} services`));
      break;
    case 'ExternalName':
      // Kubernetes copies clusterIP into clusterIPs before validating; either one counts here.
      if ((v.clusterIPs?.length ?? 0) > 0 || v.clusterIP !== '') errs.push(fieldError.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if ((v.ipFamilies?.length ?? 0) > 0) errs.push(fieldError.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (v.ipFamilyPolicy !== undefined) errs.push(fieldError.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      {
        // The CNAME may end in a dot, marking it fully qualified.
        const cname = v.externalName.endsWith('.') ? v.externalName.slice(0, -1) : v.externalName;
        if (cname === '') errs.push(fieldError.required('spec.externalName'));
        else for (const m of nameProblems(cname, 'subdomain')) errs.push(fieldError.invalid('spec.externalName', cname, m));
      }
      break;
  }
  const names = new Set<string>();
  v.ports.forEach((p, i) => errs.push(...validateServicePort(p, v.ports.length > 1, names, `spec.ports[${i}]`)));
  if (v.selector !== undefined) errs.push(...validateLabels(v.selector, 'spec.selector'));
  if (v.sessionAffinity === '') errs.push(fieldError.required('spec.sessionAffinity'));
  else if (!SESSION_AFFINITIES.includes(v.sessionAffinity)) errs.push(fieldError.notSupported('spec.sessionAffinity', v.sessionAffinity, SESSION_AFFINITIES));
  if (v.sessionAffinity === 'ClientIP') errs.push(...validateClientIPAffinityConfig(v));
  else if (v.sessionAffinity === 'None' && v.sessionAffinityConfig) errs.push(fieldError.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  errs.push(...clusterIPsRelatedFields(v));
  v.externalIPs.forEach((ip, i) => errs.push(...validExternalIP(`spec.externalIPs[${i}]`, ip)));
  if (v.type === '') errs.push(fieldError.required('spec.type'));
  else if (!SERVICE_TYPES.includes(v.type)) errs.push(fieldError.notSupported('spec.type', v.type, SERVICE_TYPES));
  if (v.type === 'ClusterIP') {
    v.ports.forEach((p, i) => {
      if (p.nodePort !== 0) errs.push(fieldError.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  // Node ports and ports must be unique per protocol.
  const nodePorts = new Set<string>();
  v.ports.forEach((p, i) => {
    if (p.nodePort === 0) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(fieldError.duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(key);
  });
  const ports = new Set<string>();
  v.ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (ports.has(key)) errs.push({ type: 'FieldValueDuplicate', field: `spec.ports[${i}]`, message: `Duplicate value: ${portKey(p)}` });
    ports.add(key);
  });
  errs.push(...validateSourceRanges(v));
  if (v.allocateLoadBalancerNodePorts !== undefined && v.type !== 'LoadBalancer') errs.push(fieldError.forbidden('spec.allocateLoadBalancerNodePorts', ONLY_LB));
  // Kubernetes reports this one without the `spec.` prefix.
  if (v.type === 'LoadBalancer' && v.allocateLoadBalancerNodePorts === undefined) errs.push(fieldError.required('allocateLoadBalancerNodePorts'));
  errs.push(...validateLoadBalancerClass(v));
  errs.push(...validateExternalTrafficPolicy(v));
  errs.push(...validateInternalTrafficPolicy(v));
  if (v.trafficDistribution !== undefined && !TRAFFIC_DISTRIBUTIONS.includes(v.trafficDistribution)) {
    errs.push(fieldError.notSupported('spec.trafficDistribution', v.trafficDistribution, TRAFFIC_DISTRIBUTIONS));
  }
  return errs;
}

// --- ValidateServiceClusterIPsRelatedFields

/** clusterIP/clusterIPs agreement, ipFamilies and ipFamilyPolicy values, and the IPs themselves. */
export function clusterIPsRelatedFields(v: ServiceView): FieldError[] {
  // ExternalName has all of these unset, which validateService checks.
  if (v.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = v.clusterIPs ?? [];
  const path = 'spec.clusterIPs';
  if (v.clusterIP !== '') {
    if (ips.length === 0) errs.push(fieldError.required(path));
    else if (ips[0] !== v.clusterIP) errs.push(invalid(path, goSlice(v.clusterIPs), 'first value must match `clusterIP`'));
  } else if (ips.length !== 0) {
    errs.push(invalid(path, goSlice(v.clusterIPs), 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (v.ipFamilies ?? []).forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(fieldError.notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    if (seen.has(f)) errs.push(fieldError.duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (v.ipFamilyPolicy !== undefined && !IP_FAMILY_POLICIES.includes(v.ipFamilyPolicy)) {
    errs.push(fieldError.notSupported('spec.ipFamilyPolicy', v.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  let invalidIPs = false;
  ips.forEach((ip, i) => {
    // "None" is only valid as the first and only value.
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        invalidIPs = true;
        errs.push(invalid(path, goSlice(v.clusterIPs), "'None' must be the first and only value"));
      }
      return;
    }
    const e = validIP(`${path}[${i}]`, ip);
    if (e.length > 0) invalidIPs = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalid(path, goSlice(v.clusterIPs), 'may only hold up to 2 values'));
  // Bad IPs would skew the family checks below.
  if (invalidIPs) return errs;
  if (ips.length > 1) {
    const v6 = ips.filter(isIPv6String).length;
    if (v6 === 0 || v6 === ips.length) errs.push(invalid(path, goSlice(v.clusterIPs), 'may specify no more than one IP for each IP family'));
  }
  const families = v.ipFamilies ?? [];
  if (!isHeadless(v) && ips.length > 0 && families.length > 0) {
    ips.forEach((ip, i) => {
      const family = families[i];
      if (family === 'IPv4' && isIPv6String(ip)) errs.push(fieldError.invalid(`${path}[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (family === 'IPv6' && !isIPv6String(ip)) errs.push(fieldError.invalid(`${path}[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

// --- ValidateServiceUpdate

/** validateUpgradeDowngradeClusterIPs: the primary cluster IP never changes (ExternalName and headless aside). */
function upgradeDowngradeClusterIPs(old: ServiceView, v: ServiceView): FieldError[] {
  if (v.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (isHeadless(old) && isHeadless(v)) return [];
  const errs: FieldError[] = [];
  const before = old.clusterIPs ?? [];
  const after = v.clusterIPs ?? [];
  const rendered = goSlice(v.clusterIPs);
  if (before.length === after.length) {
    before.forEach((ip, i) => {
      if (ip !== after[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, rendered, 'may not change once set'));
    });
  } else if (before.length > after.length) {
    if (after.length === 0) errs.push(invalid('spec.clusterIPs[0]', rendered, 'primary clusterIP can not be unset'));
    if (before.length > 0 && after.length > 0 && after[0] !== before[0]) errs.push(invalid('spec.clusterIPs[0]', rendered, 'may not change once set'));
    if (after.length === 1 && v.ipFamilyPolicy !== 'SingleStack') {
      errs.push(fieldError.invalid('spec.ipFamilyPolicy', v.ipFamilyPolicy, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (before.length > 0 && after[0] !== before[0]) {
    errs.push(invalid('spec.clusterIPs[0]', rendered, 'may not change once set'));
  }
  return errs;
}

/** validateUpgradeDowngradeIPFamilies: the primary family never changes (ExternalName and headless aside). */
function upgradeDowngradeIPFamilies(old: ServiceView, v: ServiceView): FieldError[] {
  if (v.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (isHeadless(old) || isHeadless(v)) return [];
  const errs: FieldError[] = [];
  const before = old.ipFamilies ?? [];
  const after = v.ipFamilies ?? [];
  // Kubernetes reports the clusterIPs as the bad value in two of these cases; so do we.
  const ipsRendered = goSlice(v.clusterIPs);
  if (before.length === after.length) {
    before.forEach((f, i) => {
      if (f !== after[i]) errs.push(invalid('spec.ipFamilies[0]', goSlice(v.ipFamilies, '[]core.IPFamily'), 'may not change once set'));
    });
  } else if (before.length > after.length) {
    if ((v.clusterIPs ?? []).length === 0) errs.push(invalid('spec.ipFamilies[0]', goSlice(v.ipFamilies, '[]core.IPFamily'), 'primary ipFamily can not be unset'));
    if (after.length > 0 && after[0] !== before[0]) errs.push(invalid('spec.ipFamilies[0]', ipsRendered, 'may not change once set'));
    if (after.length === 1 && v.ipFamilyPolicy !== 'SingleStack') {
      errs.push(fieldError.invalid('spec.ipFamilyPolicy', v.ipFamilyPolicy, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (before.length > 0 && after.length > 0 && after[0] !== before[0]) {
    errs.push(invalid('spec.ipFamilies[0]', ipsRendered, 'may not change once set'));
  }
  return errs;
}

/** ValidateServiceUpdate (without ObjectMeta): the update rules, then everything ValidateService checks. */
export function validateServiceUpdate(v: ServiceView, old: ServiceView): FieldError[] {
  const errs = [...upgradeDowngradeClusterIPs(old, v), ...upgradeDowngradeIPFamilies(old, v), ...validateLoadBalancerClass(v, old)];
  if (needsHealthCheck(old) && needsHealthCheck(v) && v.healthCheckNodePort !== old.healthCheckNodePort) {
    errs.push(fieldError.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  return [...errs, ...validateService(v)];
}

// --- ValidateServiceStatusUpdate

/**
 * ValidateLoadBalancerStatus: status.loadBalancer. Kubernetes also requires ipMode beside an IP,
 * but its defaulting sets ipMode VIP on every write first, so through the v1 API that check never
 * fires; it is left out so that a status write the registry does not default is judged the same.
 */
export function validateLoadBalancerStatus(v: ServiceView): FieldError[] {
  const path = 'status.loadBalancer.ingress';
  if (v.type !== 'LoadBalancer' && v.ingress.length > 0) return [fieldError.forbidden(path, "may only be used when `spec.type` is 'LoadBalancer'")];
  const errs: FieldError[] = [];
  v.ingress.forEach((ing, i) => {
    const p = `${path}[${i}]`;
    if (ing.ip !== '') errs.push(...validIP(`${p}.ip`, ing.ip));
    if (ing.ipMode !== undefined) {
      if (ing.ip === '') errs.push(fieldError.forbidden(`${p}.ipMode`, 'may not be specified when `ip` is not set'));
      else if (!LB_IP_MODES.includes(ing.ipMode)) errs.push(fieldError.notSupported(`${p}.ipMode`, ing.ipMode, LB_IP_MODES));
    }
    if (ing.hostname !== '') {
      for (const m of nameProblems(ing.hostname, 'subdomain')) errs.push(fieldError.invalid(`${p}.hostname`, ing.hostname, m));
      if (parseIPSloppy(ing.hostname)) errs.push(fieldError.invalid(`${p}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** Drops repeats, as field.ErrorList.ToAggregate does for the message Kubernetes returns. */
export function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const key = `${e.field}: ${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
