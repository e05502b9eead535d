// Services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE [SELECTOR].

import { ageColumn, column, nameColumn, wideColumn } from './columns.js';
import { age } from './duration.js';
import { formatLabels } from './selectors.js';
import type { ResourcePrinter } from './types.js';
import { int, list, rec, records, str, type JsonRecord } from './values.js';

/**
 * The distinct load-balancer ingress points (IP, else hostname), sorted and comma-joined, as
 * printed for Service and Ingress status. The server prints the wide form, so it is never clipped.
 */
export function loadBalancerIngress(loadBalancer: unknown): string {
  const points = new Set<string>();
  for (const ing of records(rec(loadBalancer).ingress)) {
    const point = str(ing.ip) || str(ing.hostname);
    if (point !== '') points.add(point);
  }
  return [...points].sort().join(',');
}

function externalIP(spec: JsonRecord, status: JsonRecord, type: string): string {
  const externalIPs = list(spec.externalIPs).map(str);
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(status.loadBalancer);
      const all = [...(lb === '' ? [] : lb.split(',')), ...externalIPs];
      // No address yet: the cloud (or our LB allocator) has not provisioned one.
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

/** "80/TCP", "80:30080/TCP" when a node port is allocated, comma-joined; "<none>" without ports. */
function portsCell(spec: JsonRecord): string {
  const text = records(spec.ports)
    .map((p) => {
      // The API server defaults protocol to TCP.
      const protocol = str(p.protocol) || 'TCP';
      const nodePort = int(p.nodePort);
      return nodePort > 0 ? `${int(p.port)}:${nodePort}/${protocol}` : `${int(p.port)}/${protocol}`;
    })
    .join(',');
  return text === '' ? '<none>' : text;
}

function clusterIP(spec: JsonRecord): string {
  // spec.clusterIPs[0] is the primary address ("None" for headless); clusterIP mirrors it.
  const ips = list(spec.clusterIPs).map(str);
  return (ips.length > 0 ? ips[0] : str(spec.clusterIP)) || '<none>';
}

export const servicePrinter: ResourcePrinter = {
  columns: [
    nameColumn(),
    column('Type', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', "The service's virtual IP inside the cluster; None for headless services."),
    column('External-IP', 'Addresses outside the cluster that reach the service: external IPs, load-balancer ingress, or the external name.'),
    column('Port(s)', 'The ports the service exposes, with their node ports and protocols.'),
    ageColumn(),
    wideColumn('Selector', 'The pod labels that select the endpoints of this service.'),
  ],
  row(svc, now) {
    const spec = rec(svc.spec);
    const status = rec(svc.status);
    // The API server defaults type to ClusterIP.
    const type = str(spec.type) || 'ClusterIP';
    return [
      svc.metadata.name ?? '',
      type,
      clusterIP(spec),
      externalIP(spec, status, type),
      portsCell(spec),
      age(svc, now),
      formatLabels(spec.selector),
    ];
  },
};
