// The endpoint controllers' integration tests: a live cluster (an in-process API server and a
// ControllerManager running only the controllers under test) and the objects they need in a line
// each. Pod status is set through the API, as a node agent would.
import type { ContainerPort, Endpoints, EndpointSlice, Pod, Service, ServicePort } from '../../../api/core.js';
import { isNotFound, type KubeClient } from '../../../client/index.js';
import type { Controller } from '../../controller.js';
import { ENDPOINTS, ENDPOINTSLICES, NAMESPACES, NODES, PODS, SERVICES } from '../../resources.js';
import { startLiveCluster, type LiveCluster } from '../../testing/live-cluster.js';

export class TestCluster {
  private constructor(private readonly live: LiveCluster) {}

  static async start(controllers: Controller[]): Promise<TestCluster> {
    return new TestCluster(await startLiveCluster(controllers));
  }

  get client(): KubeClient {
    return this.live.client;
  }

  /** What the controllers logged. */
  get logs(): string[] {
    return this.live.logs;
  }

  async stop(): Promise<void> {
    await this.live.stop();
  }

  async namespace(name: string): Promise<void> {
    await this.client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  async service(ns: string, name: string, spec: { selector?: Record<string, string>; ports?: ServicePort[]; clusterIP?: string; publishNotReadyAddresses?: boolean }, labels?: Record<string, string>): Promise<Service> {
    return this.client.create<Service>(SERVICES, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
    });
  }

  async pod(ns: string, name: string, labels: Record<string, string>, opts: { ports?: ContainerPort[]; node?: string } = {}): Promise<Pod> {
    return this.client.create<Pod>(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels },
      spec: { containers: [{ name: 'app', image: 'tinykube/demo:1', ports: opts.ports ?? [] }], ...(opts.node ? { nodeName: opts.node } : {}) },
    });
  }

  /** Sets the pod's status as a node agent would: Running, its IP, the Ready condition. */
  async status(ns: string, name: string, ip: string, ready: boolean): Promise<Pod> {
    const status = {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
    };
    return this.client.patch<Pod>(PODS, name, { status }, 'merge', { namespace: ns, subresource: 'status' });
  }

  async node(name: string, zone?: string): Promise<void> {
    await this.client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name, ...(zone ? { labels: { 'topology.kubernetes.io/zone': zone } } : {}) } });
  }

  async slices(ns: string, service: string, managedBy = 'endpointslice-controller.k8s.io'): Promise<EndpointSlice[]> {
    const list = await this.client.list<EndpointSlice>(ENDPOINTSLICES, { namespace: ns, labelSelector: `kubernetes.io/service-name=${service},endpointslice.kubernetes.io/managed-by=${managedBy}` });
    return list.items;
  }

  async endpoints(ns: string, name: string): Promise<Endpoints | undefined> {
    try {
      return await this.client.get<Endpoints>(ENDPOINTS, name, ns);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Polls `check` until it returns without throwing; rethrows its last failure after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** `ip` of each endpoint with its ready/serving/terminating, sorted, for compact assertions. */
export function summary(slices: readonly EndpointSlice[]): string[] {
  return slices
    .flatMap((s) => (s.endpoints ?? []).map((e) => `${e.addresses.join(',')} r=${e.conditions?.ready} s=${e.conditions?.serving} t=${e.conditions?.terminating}`))
    .sort();
}
