// Test fixtures of the endpoint controllers: pods, Services and slices in a line each, and a
// hand-driven informer for the indexes.
import type { ContainerPort, EndpointSlice, Pod, Service, ServicePort } from '../../../api/core.js';
import type { KubeObject } from '../../../api/types.js';
import type { EventHandlers } from '../../../client/index.js';

export interface PodOptions {
  ns?: string;
  labels?: Record<string, string>;
  ip?: string;
  ips?: string[];
  ready?: boolean;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  node?: string;
  deleting?: boolean;
  ports?: ContainerPort[];
  initPorts?: ContainerPort[];
  hostname?: string;
  subdomain?: string;
  rv?: string;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web' },
      resourceVersion: o.rv ?? '1',
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'x', ports: o.ports ?? [] }],
      ...(o.initPorts ? { initContainers: [{ name: 'side', image: 'x', ports: o.initPorts, restartPolicy: 'Always' } as Pod['spec']['containers'][number]] } : {}),
      ...(o.node ? { nodeName: o.node } : {}),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ips ? { podIPs: o.ips.map((ip) => ({ ip })), podIP: o.ips[0] } : o.ip === '' ? {} : { podIP: o.ip ?? `127.244.0.${name.length}` }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

export interface ServiceOptions {
  ns?: string;
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  clusterIP?: string;
  labels?: Record<string, string>;
  publishNotReadyAddresses?: boolean;
  ipFamilies?: string[];
  type?: Service['spec']['type'];
}

export function service(name: string, o: ServiceOptions = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-svc-${name}`, ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: 'web' } }),
      ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      clusterIP: o.clusterIP ?? '127.96.0.20',
      ipFamilies: o.ipFamilies ?? ['IPv4'],
      ...(o.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      ...(o.type ? { type: o.type } : {}),
    },
  };
}

/** An existing slice as the API would return it (named, versioned, owned by the Service). */
export function slice(name: string, svc: Service, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'], extra: Partial<EndpointSlice['metadata']> = {}): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: svc.metadata.namespace,
      uid: `uid-${name}`,
      resourceVersion: '5',
      generation: 1,
      labels: {
        'kubernetes.io/service-name': svc.metadata.name!,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        ...(svc.metadata.labels ?? {}),
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      ...extra,
    },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

/** An informer driven by hand: set and delete call the handlers as a watch would. */
export class FakeInformer<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly handlers: EventHandlers<T>[] = [];

  addEventHandler(h: EventHandlers<T>): () => void {
    this.handlers.push(h);
    return () => undefined;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  set(obj: T): void {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj, key);
      else h.onAdd?.(obj, key);
    }
  }

  delete(key: string): void {
    const old = this.items.get(key);
    if (!old) return;
    this.items.delete(key);
    for (const h of this.handlers) h.onDelete?.(old, key);
  }
}
