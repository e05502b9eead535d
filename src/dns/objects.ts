// Lean projections of the objects the cluster zone is built from (CoreDNS plugin/kubernetes/object):
// made once per object version at the informer boundary and kept instead of the objects, so memory
// tracks only what DNS answers from. Names are lowercased here, once, because every comparison
// with a question is case-insensitive (specification 2.1).
import { isIP } from 'node:net';
import type { EndpointSlice, Pod, Service } from '../api/core.js';
import type { KubeObject } from '../api/types.js';
import { ANNOTATION_LAST_CHANGE_TRIGGER_TIME } from '../api/discovery.js';

/** The label that ties an EndpointSlice to its Service. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

/** One port as DNS sees it: SRV `_<name>._<protocol>`; `name` '' for an unnamed port, `port` -1 when unset. */
export interface DnsPort {
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
}

/**
 * What DNS serves for a Service (CoreDNS object/service.go):
 * - ClusterIP (NodePort and LoadBalancer too): A/AAAA for its cluster IPs;
 * - Headless (clusterIP None): A/AAAA for its ready endpoints;
 * - ExternalName: a CNAME to `externalName`, absent when that is an address (CoreDNS serves nothing then).
 */
export type DnsService = {
  readonly namespace: string;
  readonly name: string;
  readonly ports: readonly DnsPort[];
} & (
  | { readonly kind: 'ClusterIP'; readonly clusterIPs: readonly string[] }
  | { readonly kind: 'Headless'; readonly selector: boolean }
  | { readonly kind: 'ExternalName'; readonly externalName: string | undefined }
);

/** The ready endpoints of one EndpointSlice (CoreDNS object/endpoint.go keeps only ready addresses). */
export interface DnsEndpointSlice {
  readonly namespace: string;
  readonly name: string;
  /** The owning Service (label kubernetes.io/service-name); '' when unlabelled (served by nothing). */
  readonly service: string;
  readonly ports: readonly DnsPort[];
  /** Ready addresses, one per endpoint address (an endpoint may list several). */
  readonly addresses: readonly string[];
  /** Endpoint `hostname` per address, parallel to `addresses`; absent when no endpoint has one. */
  readonly hostnames?: readonly (string | undefined)[];
  /** endpoints.kubernetes.io/last-change-trigger-time (ms): when the change it carries began. */
  readonly triggerTime?: number;
}

/** A pod as `pods verified` needs it: where it lives and its address. */
export interface DnsPod {
  readonly namespace: string;
  readonly name: string;
  /** status.podIP; '' until the pod has one. */
  readonly ip: string;
  /** deletionTimestamp set: CoreDNS ignores such updates (the pod keeps its record until deleted). */
  readonly terminating: boolean;
}

function ports(list: readonly { name?: string; protocol?: string; port?: number }[] | null | undefined): DnsPort[] {
  return (list ?? []).map((p) => ({ name: (p.name ?? '').toLowerCase(), protocol: (p.protocol ?? 'TCP').toLowerCase(), port: p.port ?? -1 }));
}

function nameOf(obj: KubeObject): { namespace: string; name: string } {
  return { namespace: (obj.metadata.namespace ?? '').toLowerCase(), name: (obj.metadata.name ?? '').toLowerCase() };
}

export function projectService(svc: Service): DnsService {
  const base = { ...nameOf(svc), ports: ports(svc.spec.ports) };
  if (svc.spec.type === 'ExternalName') {
    const target = (svc.spec.externalName ?? '').replace(/\.$/, '');
    return { ...base, kind: 'ExternalName', externalName: target === '' || isIP(target) !== 0 ? undefined : target };
  }
  if (svc.spec.clusterIP === 'None') return { ...base, kind: 'Headless', selector: !!svc.spec.selector && Object.keys(svc.spec.selector).length > 0 };
  const ips = svc.spec.clusterIPs?.length ? svc.spec.clusterIPs : [svc.spec.clusterIP ?? ''];
  return { ...base, kind: 'ClusterIP', clusterIPs: ips.filter((ip) => ip !== '' && ip !== 'None') };
}

/** Ready endpoints only; `ready` unset counts as ready (the API's "unknown state"); FQDN slices serve nothing. */
export function projectEndpointSlice(slice: EndpointSlice): DnsEndpointSlice {
  const addresses: string[] = [];
  const hostnames: (string | undefined)[] = [];
  let named = false;
  if (slice.addressType !== 'FQDN') {
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      const hostname = ep.hostname ? ep.hostname.toLowerCase() : undefined;
      if (hostname) named = true;
      for (const a of ep.addresses ?? []) {
        addresses.push(a);
        hostnames.push(hostname);
      }
    }
  }
  const projected: DnsEndpointSlice = {
    ...nameOf(slice),
    service: (slice.metadata.labels?.[LABEL_SERVICE_NAME] ?? '').toLowerCase(),
    ports: ports(slice.ports),
    addresses,
  };
  const trigger = Date.parse(slice.metadata.annotations?.[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] ?? '');
  const withTrigger = Number.isNaN(trigger) ? projected : { ...projected, triggerTime: trigger };
  return named ? { ...withTrigger, hostnames } : withTrigger;
}

export function projectPod(pod: Pod): DnsPod {
  return { ...nameOf(pod), ip: pod.status?.podIP ?? '', terminating: !!pod.metadata.deletionTimestamp };
}

function samePorts(a: readonly DnsPort[], b: readonly DnsPort[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.protocol === b[i].protocol && p.port === b[i].port);
}

function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Same answers from both versions (CoreDNS serviceModified, with the cluster IPs too). */
export function sameService(a: DnsService, b: DnsService): boolean {
  if (a.kind !== b.kind || !samePorts(a.ports, b.ports)) return false;
  if (a.kind === 'ClusterIP' && b.kind === 'ClusterIP') return sameList(a.clusterIPs, b.clusterIPs);
  if (a.kind === 'ExternalName' && b.kind === 'ExternalName') return a.externalName === b.externalName;
  return true;
}

/** Same answers from both versions (CoreDNS endpointsEquivalent): service, ports, ready addresses, hostnames. */
export function sameEndpointSlice(a: DnsEndpointSlice, b: DnsEndpointSlice): boolean {
  return a.service === b.service && samePorts(a.ports, b.ports) && sameList(a.addresses, b.addresses) && sameList(a.hostnames, b.hostnames);
}
