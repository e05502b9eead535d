// The DNS server's own Endpoints for `kube-system/kube-dns`: it serves the cluster IP itself, so
// the Endpoints name that address (the endpointslice-mirroring controller makes the slice), and
// `kubectl get endpoints kube-dns -n kube-system` shows where DNS answers, as on Kubernetes.
import type { KubeObject } from '../api/types.js';
import { isAlreadyExists, isConflict, isNotFound, resourceRef, type KubeClient } from '../client/index.js';

const ENDPOINTS = resourceRef('', 'v1', 'endpoints');
const NAMESPACE = 'kube-system';
const NAME = 'kube-dns';

export interface DnsEndpoint {
  ip: string;
  /** DNS over UDP and TCP. */
  port: number;
  /** CoreDNS's Prometheus port (9153). */
  metricsPort: number;
}

interface Endpoints extends KubeObject {
  subsets?: { addresses?: { ip: string }[]; ports?: { name: string; port: number; protocol: string }[] }[];
}

function subsets(ep: DnsEndpoint | undefined): Endpoints['subsets'] {
  if (!ep) return [];
  return [
    {
      addresses: [{ ip: ep.ip }],
      ports: [
        { name: 'dns', port: ep.port, protocol: 'UDP' },
        { name: 'dns-tcp', port: ep.port, protocol: 'TCP' },
        { name: 'metrics', port: ep.metricsPort, protocol: 'TCP' },
      ],
    },
  ];
}

/** Writes the Endpoints to name `ep`, or none (undefined: the server stops); retries a conflicting write. */
export async function publishDnsEndpoints(client: KubeClient, ep: DnsEndpoint | undefined): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    let current: Endpoints | undefined;
    try {
      current = await client.get<Endpoints>(ENDPOINTS, NAME, NAMESPACE);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const want = subsets(ep);
    try {
      if (!current) {
        await client.create<Endpoints>(ENDPOINTS, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: NAME, namespace: NAMESPACE, labels: { 'k8s-app': 'kube-dns' } }, subsets: want });
      } else if (JSON.stringify(current.subsets ?? []) !== JSON.stringify(want)) {
        await client.update<Endpoints>(ENDPOINTS, { ...current, subsets: want });
      }
      return;
    } catch (e) {
      if (!isConflict(e) && !isAlreadyExists(e)) throw e;
    }
  }
  throw new Error(`could not write Endpoints ${NAMESPACE}/${NAME}: conflicting writes`);
}
