// Keeps a ClusterZone in step with the API (CoreDNS plugin/kubernetes/controller.go): list + watch
// Namespaces, Services and EndpointSlices (and Pods, for `pods verified` only), projected at the
// informer boundary so the informers' caches and the zone share one lean copy of each object.
// The zone is marked synced once every informer has its first full list.
import type { EndpointSlice, Namespace, Pod, Service } from '../api/core.js';
import { Informer, resourceRef, type EventHandlers, type InformerClient, type InformerPhase } from '../client/index.js';
import { projectEndpointSlice, projectPod, projectService, type DnsEndpointSlice, type DnsPod, type DnsService } from './objects.js';
import type { ClusterZone } from './zone.js';

const NAMESPACES = resourceRef('', 'v1', 'namespaces', false);
const SERVICES = resourceRef('', 'v1', 'services');
const ENDPOINTSLICES = resourceRef('discovery.k8s.io', 'v1', 'endpointslices');
const PODS = resourceRef('', 'v1', 'pods');

export interface ZoneInformersOptions {
  client: InformerClient;
  zone: ClusterZone;
  /** Where list/watch failures go (they are retried); default one line on stderr. */
  onError?: (resource: string, phase: InformerPhase, err: Error) => void;
  /** An EndpointSlice change is in the zone, so answered from now on (for the programming latency). */
  onSliceApplied?: (slice: DnsEndpointSlice) => void;
}

interface Running {
  start(): unknown;
  stop(): void;
  waitForSync(opts: { timeoutMs?: number }): Promise<void>;
}

/** Handlers that apply every event to the zone: add and update upsert, delete deletes. */
function apply<P>(upsert: (p: P) => void, remove: (p: P) => void): EventHandlers<P> {
  return { onAdd: upsert, onUpdate: (_old, p) => upsert(p), onDelete: remove };
}

export class ZoneInformers {
  private readonly informers: Running[] = [];
  private readonly synced: Promise<void>;
  private started = false;
  private markSynced: () => void = () => undefined;

  constructor(opts: ZoneInformersOptions) {
    const { client, zone } = opts;
    const onError = (resource: string) => (err: Error, phase: InformerPhase) =>
      opts.onError ? opts.onError(resource, phase, err) : process.stderr.write(`dns: ${resource} ${phase}: ${err.message}\n`);

    const namespaces = new Informer<Namespace, string>(client, NAMESPACES, { transform: (n) => n.metadata.name ?? '', onError: onError('namespaces') });
    namespaces.addEventHandler(apply((n) => zone.upsertNamespace(n), (n) => zone.deleteNamespace(n)));
    const services = new Informer<Service, DnsService>(client, SERVICES, { transform: projectService, onError: onError('services') });
    services.addEventHandler(apply((s) => zone.upsertService(s), (s) => zone.deleteService(s)));
    const slices = new Informer<EndpointSlice, DnsEndpointSlice>(client, ENDPOINTSLICES, { transform: projectEndpointSlice, onError: onError('endpointslices') });
    slices.addEventHandler(
      apply(
        (s) => {
          zone.upsertEndpointSlice(s);
          opts.onSliceApplied?.(s);
        },
        (s) => zone.deleteEndpointSlice(s),
      ),
    );
    this.informers.push(namespaces, services, slices);
    // Only `pods verified` reads pods; the others do not pay for a watch on every pod (CoreDNS initPodCache).
    if (zone.podMode === 'verified') {
      const pods = new Informer<Pod, DnsPod>(client, PODS, { transform: projectPod, onError: onError('pods') });
      pods.addEventHandler(apply((p) => zone.upsertPod(p), (p) => zone.deletePod(p)));
      this.informers.push(pods);
    }
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
    void this.synced.then(() => zone.markSynced());
  }

  /** Lists and watches in the background; the zone becomes ready once all have synced. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    for (const i of this.informers) i.start();
    Promise.all(this.informers.map((i) => i.waitForSync({}))).then(this.markSynced, () => undefined);
    return this;
  }

  /** Resolves once the zone is synced; rejects after `timeoutMs` (the zone keeps syncing: CoreDNS startup_timeout). */
  waitForSync(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (opts.timeoutMs === undefined) return this.synced;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`dns: the cluster zone did not sync from the API within ${opts.timeoutMs} ms; is the API server reachable?`)), opts.timeoutMs);
    });
    return Promise.race([this.synced, timeout]).finally(() => clearTimeout(timer));
  }

  stop(): void {
    for (const i of this.informers) i.stop();
  }
}
