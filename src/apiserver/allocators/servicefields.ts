// The Service REST's field bookkeeping around allocation (pkg/registry/core/service/storage:
// normalizeClusterIPs, patchAllocatedValues, initIPFamilyFields), and what a stored Service
// holds of the shared ranges.
import { isIPv4, isIPv6 } from 'node:net';
import type { KubeObject } from '../../api/types.js';
import { errors, fieldError, type ApiError, type FieldError } from '../errors.js';
import { validateServiceClusterIPsRelatedFields } from '../strategy/services.js';
import { arr, child, obj, str, type Obj } from '../strategy/types.js';

export const NONE = 'None';

/** The spec of a Service, created when absent. */
export function specOf(svc: KubeObject): Obj {
  return child(svc as Obj, 'spec');
}

/** The spec to read, never created (for objects we must not change). */
function readSpec(svc: KubeObject): Obj {
  return obj((svc as Obj)['spec']);
}

export function typeOf(spec: Obj): string {
  return str(spec['type']) || 'ClusterIP';
}

export function strings(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}

export function portsOf(spec: Obj): Obj[] {
  return arr(spec['ports']).map(obj);
}

export function nodePortOf(p: Obj): number {
  return typeof p['nodePort'] === 'number' ? p['nodePort'] : 0;
}

export function needsClusterIP(spec: Obj): boolean {
  return typeOf(spec) !== 'ExternalName';
}

export function needsNodePort(spec: Obj): boolean {
  const t = typeOf(spec);
  return t === 'NodePort' || t === 'LoadBalancer';
}

/** A health check node port: LoadBalancer with externalTrafficPolicy Local (apiservice.NeedsHealthCheck). */
export function needsHealthCheckNodePort(spec: Obj): boolean {
  return typeOf(spec) === 'LoadBalancer' && spec['externalTrafficPolicy'] === 'Local';
}

/** NodePort always; LoadBalancer unless spec.allocateLoadBalancerNodePorts is false. */
export function shouldAllocateNodePorts(spec: Obj): boolean {
  const t = typeOf(spec);
  return t === 'NodePort' || (t === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] !== false);
}

export function healthCheckNodePortOf(spec: Obj): number {
  return typeof spec['healthCheckNodePort'] === 'number' ? spec['healthCheckNodePort'] : 0;
}

/** The cluster IPs a stored Service holds: its IPv4 clusterIPs, unless it is ExternalName or headless. */
export function heldClusterIPs(svc: KubeObject | undefined): string[] {
  if (!svc) return [];
  const spec = readSpec(svc);
  if (!needsClusterIP(spec)) return [];
  const ips = clusterIPsOf(spec);
  if (ips[0] === NONE) return [];
  return [...new Set(ips.filter((ip) => isIPv4(ip)))];
}

/** The node ports a stored Service holds: its ports' node ports and, when it needs one, its health check port. */
export function heldNodePorts(svc: KubeObject | undefined): number[] {
  if (!svc) return [];
  const spec = readSpec(svc);
  const held = new Set<number>();
  if (needsNodePort(spec)) for (const p of portsOf(spec)) if (nodePortOf(p) !== 0) held.add(nodePortOf(p));
  if (needsHealthCheckNodePort(spec) && healthCheckNodePortOf(spec) !== 0) held.add(healthCheckNodePortOf(spec));
  return [...held];
}

function clusterIPsOf(spec: Obj): string[] {
  const plural = strings(spec['clusterIPs']);
  if (plural.length > 0) return plural;
  const single = str(spec['clusterIP']);
  return single ? [single] : [];
}

function sameList(a: unknown, b: unknown): boolean {
  const x = strings(a);
  const y = strings(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * A stored Service as the REST reads it (defaultOnReadService): objects written before clusterIPs
 * and ipFamilies existed get them filled in, so an update compares like with like.
 */
export function defaultOnRead(old: KubeObject): void {
  const spec = specOf(old);
  normalizeClusterIPs(spec, undefined);
  if (!needsClusterIP(spec) || strings(spec['ipFamilies']).length > 0) return;
  if (spec['clusterIP'] === NONE) {
    const selectorless = Object.keys(obj(spec['selector'])).length === 0;
    spec['ipFamilyPolicy'] = selectorless ? 'RequireDualStack' : 'SingleStack';
    spec['ipFamilies'] = selectorless ? ['IPv4', 'IPv6'] : ['IPv4'];
    return;
  }
  const ips = strings(spec['clusterIPs']);
  if (ips.length === 0) return;
  spec['ipFamilies'] = ips.map((ip) => (isIPv6(ip) ? 'IPv6' : 'IPv4'));
  spec['ipFamilyPolicy'] = ips.length === 1 ? 'SingleStack' : 'RequireDualStack';
}

/** Keeps clusterIP and clusterIPs in step for clients that set only the singular field (normalizeClusterIPs). */
export function normalizeClusterIPs(spec: Obj, oldSpec: Obj | undefined): void {
  const ip = str(spec['clusterIP']);
  const ips = strings(spec['clusterIPs']);
  if (!oldSpec) {
    if (ip && ips.length === 0) spec['clusterIPs'] = [ip];
    return;
  }
  const oldIp = str(oldSpec['clusterIP']);
  const oldIps = strings(oldSpec['clusterIPs']);
  // An old client patched something else and sent no clusterIPs: keep them.
  if (oldIps.length > 0 && ips.length === 0 && oldIp === ip) spec['clusterIPs'] = [...oldIps];
  if (oldIp !== ip) {
    if (oldIp && !ip) {
      // Clearing the singular field clears the plural one when that was left as it was.
      if (sameList(oldSpec['clusterIPs'], spec['clusterIPs'])) delete spec['clusterIPs'];
    } else if (sameList(oldSpec['clusterIPs'], spec['clusterIPs'])) {
      spec['clusterIPs'] = [ip];
    }
  }
}

/**
 * Values we allocated for the client stay when it resubmits the object without them
 * (patchAllocatedValues): cluster IPs, node ports by port name, the health check port.
 */
export function patchAllocatedValues(spec: Obj, oldSpec: Obj): void {
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (!str(spec['clusterIP']) && str(oldSpec['clusterIP'])) spec['clusterIP'] = oldSpec['clusterIP'];
    const oldIps = strings(oldSpec['clusterIPs']);
    if (strings(spec['clusterIPs']).length === 0 && oldIps.length > 0) spec['clusterIPs'] = [...oldIps];
  }
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const newNodePorts = new Set(portsOf(spec).map(nodePortOf).filter((n) => n !== 0));
    // Node ports both sides already name cannot be patched in again.
    const used = new Set(portsOf(oldSpec).map(nodePortOf).filter((n) => n !== 0 && newNodePorts.has(n)));
    const byName = new Map<string, number>();
    for (const p of portsOf(oldSpec)) byName.set(str(p['name']), nodePortOf(p));
    for (const p of portsOf(spec)) {
      if (nodePortOf(p) !== 0) continue;
      const was = byName.get(str(p['name'])) ?? 0;
      if (was !== 0 && !used.has(was)) p['nodePort'] = was;
    }
  }
  if (needsHealthCheckNodePort(oldSpec) && needsHealthCheckNodePort(spec) && healthCheckNodePortOf(spec) === 0 && healthCheckNodePortOf(oldSpec) !== 0) {
    spec['healthCheckNodePort'] = oldSpec['healthCheckNodePort'];
  }
}

/** A PreferDualStack Service updated without touching its IP fields keeps them as they are. */
export function isMatchingPreferDualStack(spec: Obj, oldSpec: Obj | undefined): boolean {
  if (!oldSpec || spec['ipFamilyPolicy'] === undefined || spec['ipFamilyPolicy'] === null) return false;
  if (typeOf(oldSpec) !== typeOf(spec) || !needsClusterIP(spec)) return false;
  if (spec['ipFamilyPolicy'] !== 'PreferDualStack' || (oldSpec['ipFamilyPolicy'] !== undefined && oldSpec['ipFamilyPolicy'] !== 'PreferDualStack')) return false;
  return sameList(oldSpec['clusterIPs'], spec['clusterIPs']) && sameList(oldSpec['ipFamilies'], spec['ipFamilies']);
}

function familyOf(ip: string): string {
  return isIPv4(ip) ? 'IPv4' : isIPv6(ip) ? 'IPv6' : 'unknown';
}

/**
 * Defaults and checks ipFamilyPolicy and ipFamilies for this single-stack IPv4 cluster
 * (Allocators.initIPFamilyFields): SingleStack unless asked otherwise, PreferDualStack yields
 * IPv4 only, RequireDualStack and IPv6 are refused; headless selectorless Services may list both
 * families, ExternalName gets none.
 */
export function initIPFamilyFields(svc: KubeObject, old: KubeObject | undefined): void {
  const spec = specOf(svc);
  if (!needsClusterIP(spec)) return;
  const oldSpec = old ? readSpec(old) : undefined;
  if (isMatchingPreferDualStack(spec, oldSpec)) return;
  const name = svc.metadata.name ?? '';
  if (spec['ipFamilyPolicy'] === undefined || spec['ipFamilyPolicy'] === null) {
    if (oldSpec && typeof oldSpec['ipFamilyPolicy'] === 'string') spec['ipFamilyPolicy'] = oldSpec['ipFamilyPolicy'];
    else if (spec['clusterIP'] === NONE && Object.keys(obj(spec['selector'])).length === 0) spec['ipFamilyPolicy'] = 'RequireDualStack';
    else spec['ipFamilyPolicy'] = 'SingleStack';
  }
  const loose = validateServiceClusterIPsRelatedFields(svc as Obj, old as Obj | undefined);
  if (loose.length > 0) throw invalid(name, loose);

  const policy = str(spec['ipFamilyPolicy']);
  const errs: FieldError[] = [];
  let ips = strings(spec['clusterIPs']);
  let families = strings(spec['ipFamilies']);
  if (oldSpec) {
    if (policy === 'SingleStack') {
      // Setting SingleStack with the rest unchanged is the way to drop a secondary family.
      if (sameList(oldSpec['clusterIPs'], spec['clusterIPs']) && ips.length > 1) ips = ips.slice(0, 1);
      if (sameList(oldSpec['ipFamilies'], spec['ipFamilies']) && families.length > 1) families = families.slice(0, 1);
    } else {
      if (ips.length > 0 && ips.length < strings(oldSpec['clusterIPs']).length) errs.push(fieldError.invalid('spec.ipFamilyPolicy', policy, "must be 'SingleStack' to release the secondary cluster IP"));
      if (families.length > 0 && families.length < strings(oldSpec['ipFamilies']).length) errs.push(fieldError.invalid('spec.ipFamilyPolicy', policy, "must be 'SingleStack' to release the secondary IP family"));
    }
  }
  if (policy === 'SingleStack') {
    if (ips.length === 2) errs.push(fieldError.invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if (families.length === 2) errs.push(fieldError.invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  // Families follow from the addresses the client chose.
  for (let i = 0; i < ips.length; i++) {
    const ip = ips[i]!;
    if (ip === NONE) break;
    if (i < families.length) continue;
    const fam = familyOf(ip);
    if (fam === 'IPv4') families = [...families, fam];
    else errs.push(fieldError.invalid(`spec.clusterIPs[${i}]`, ips, `${fam} is not configured on this cluster`));
  }
  if (errs.length > 0) throw invalid(name, errs);
  if (ips.length > 0) spec['clusterIPs'] = ips;

  // Headless without a selector: endpoints of any family may back it, so both may be listed.
  if (spec['clusterIP'] === NONE && Object.keys(obj(spec['selector'])).length === 0) {
    if (families.length === 0) families = ['IPv4'];
    if (families.length < 2 && policy !== 'SingleStack') families = [...families, families[0] === 'IPv4' ? 'IPv6' : 'IPv4'];
    spec['ipFamilies'] = families;
    return;
  }
  if (policy === 'RequireDualStack') errs.push(fieldError.invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'));
  families.forEach((fam, i) => {
    if (fam !== 'IPv4') errs.push(fieldError.invalid(`spec.ipFamilies[${i}]`, fam, 'not configured on this cluster'));
  });
  if (errs.length > 0) throw invalid(name, errs);
  spec['ipFamilies'] = families.length > 0 ? families : ['IPv4'];
}

export function invalid(name: string, errs: FieldError[]): ApiError {
  return errors.invalid('Service', '', name, errs);
}
