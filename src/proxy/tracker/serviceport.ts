// Service -> the service ports kube-proxy renders (pkg/proxy/serviceport.go newBaseServiceInfo,
// servicechangetracker.go serviceToServiceMap), kept as a lean projection without endpoints.
import type { Service, ServicePort } from '../../api/core.js';
import { ipv4ToNumber } from '../../api/ipv4.js';
import { isServiceIPSet } from '../../api/core.js';
import { servicePortKey, type Protocol, type ServicePortName, type ServicePortState } from '../types.js';

/** A service port as the Service defines it: everything in ServicePortState but the endpoints. */
export type ServicePortInfo = Omit<ServicePortState, 'endpoints'>;

/** core/v1 defaulting: sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;

export function isIPv4(ip: string): boolean {
  return ipv4ToNumber(ip) !== undefined;
}

/** proxyutil.ShouldSkipService: no cluster IP (unset or "None", i.e. headless) or type ExternalName. */
export function shouldSkipService(svc: Service): boolean {
  return !isServiceIPSet(svc) || svc.spec.type === 'ExternalName';
}

/** apiservice.ExternallyAccessible: LoadBalancer, NodePort, or ClusterIP with externalIPs. */
function externallyAccessible(svc: Service): boolean {
  const t = svc.spec.type ?? 'ClusterIP';
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (svc.spec.externalIPs?.length ?? 0) > 0);
}

/** apiservice.ExternalPolicyLocal: externalTrafficPolicy Local counts only for externally accessible Services. */
export function externalPolicyLocal(svc: Service): boolean {
  return externallyAccessible(svc) && svc.spec.externalTrafficPolicy === 'Local';
}

/** apiservice.InternalPolicyLocal. */
export function internalPolicyLocal(svc: Service): boolean {
  return svc.spec.internalTrafficPolicy === 'Local';
}

/** The Service's IPv4 cluster IPs: spec.clusterIPs, or spec.clusterIP from an older writer. */
function clusterIPv4s(svc: Service): string[] {
  const ips = svc.spec.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.filter(isIPv4);
}

/** status.loadBalancer.ingress[].ip in VIP mode (proxyutil.IsVIPMode: ipMode unset or VIP), IPv4 only. */
function loadBalancerVIPs(svc: Service): string[] {
  const out: string[] = [];
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (!ing.ip || (ing.ipMode !== undefined && ing.ipMode !== 'VIP')) continue;
    if (isIPv4(ing.ip)) out.push(ing.ip);
  }
  return out;
}

export function servicePortName(svc: Service, port: ServicePort): ServicePortName {
  return {
    namespace: svc.metadata.namespace ?? '',
    name: svc.metadata.name ?? '',
    port: port.name ?? '',
    protocol: (port.protocol ?? 'TCP') as Protocol,
  };
}

/**
 * The service ports of a Service keyed by servicePortKey; empty when kube-proxy skips the Service
 * (ShouldSkipService) or it has no IPv4 cluster IP (serviceToServiceMap drops a Service whose
 * cluster IP is not of the proxier's family). With `headless`, a headless Service's ports are kept
 * too (no cluster IPs): an ingress controller sends traffic to its endpoints all the same.
 */
export function servicePortsOf(svc: Service, opts: { headless?: boolean } = {}): Map<string, ServicePortInfo> {
  const out = new Map<string, ServicePortInfo>();
  const headless = opts.headless === true && svc.spec.type !== 'ExternalName' && !isServiceIPSet(svc);
  if (shouldSkipService(svc) && !headless) return out;
  const clusterIPs = clusterIPv4s(svc);
  if (clusterIPs.length === 0 && !headless) return out;

  const type = svc.spec.type ?? 'ClusterIP';
  const clientIP = svc.spec.sessionAffinity === 'ClientIP';
  const etpLocal = externalPolicyLocal(svc);
  // apiservice.NeedsHealthCheck: LoadBalancer with externalTrafficPolicy Local; 0 means none.
  const hcnp = type === 'LoadBalancer' && etpLocal && svc.spec.healthCheckNodePort ? svc.spec.healthCheckNodePort : undefined;
  const shared = {
    clusterIPs,
    loadBalancerIPs: loadBalancerVIPs(svc),
    externalIPs: (svc.spec.externalIPs ?? []).filter(isIPv4),
    sessionAffinity: {
      clientIP,
      // kube-proxy's stickyMaxAgeSeconds is 0 unless the affinity is ClientIP.
      timeoutSeconds: clientIP ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_CLIENT_IP_TIMEOUT_SECONDS) : 0,
    },
    internalTrafficPolicyLocal: internalPolicyLocal(svc),
    externalTrafficPolicyLocal: etpLocal,
  };
  for (const port of svc.spec.ports ?? []) {
    const name = servicePortName(svc, port);
    const info: ServicePortInfo = {
      name,
      ...shared,
      // Arrays are per port so no two states alias one another.
      clusterIPs: [...shared.clusterIPs],
      loadBalancerIPs: [...shared.loadBalancerIPs],
      externalIPs: [...shared.externalIPs],
      sessionAffinity: { ...shared.sessionAffinity },
      port: port.port,
    };
    if ((type === 'NodePort' || type === 'LoadBalancer') && port.nodePort) info.nodePort = port.nodePort;
    if (hcnp !== undefined) info.healthCheckNodePort = hcnp;
    out.set(servicePortKey(name), info);
  }
  return out;
}
