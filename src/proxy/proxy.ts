// The service proxy (kube-proxy): Services and EndpointSlices from the API, folded into the
// desired state per service port by the change tracker, rendered by a backend (userspace sockets
// here) from a sync loop that coalesces bursts. It is an API client like every other component,
// so it runs against any cluster's kubeconfig.
import type { EndpointSlice, Service } from '../api/core.js';
import { Informer, resourceRef, type KubeClient } from '../client/index.js';
import { BoundedFrequencyRunner, ChangeTracker } from './tracker/index.js';
import { UserspaceProxy, type BindFailure } from './userspace/index.js';
import { ProxyMetrics } from './metrics.js';
import { ServiceHealthServer } from './healthcheck.js';
import { leanEndpointSlice, leanService } from './lean.js';
import type { ProxyState, ServicePortState } from './types.js';

const SERVICES = resourceRef('', 'v1', 'services');
const ENDPOINTSLICES = resourceRef('discovery.k8s.io', 'v1', 'endpointslices');

export interface ServiceProxyOptions {
  client: KubeClient;
  nodeName: string;
  /** The node's addresses: NodePorts listen on each. */
  nodeIPs: string[];
  /** kube-proxy's --min-sync-period: syncs never come closer than this (bursts coalesce). */
  minSyncPeriodMs?: number;
  /** kube-proxy's --sync-period: a full sync at least this often. */
  syncPeriodMs?: number;
  log?: (msg: string) => void;
  /** A listener that cannot be bound (a privileged port without root, a port in use). */
  onBindFailure?: (f: BindFailure) => void;
  /** Where /metrics and /healthz are served (kube-proxy's --metrics-bind-address, port 10249); 0 picks a port. */
  metrics?: { host: string; port: number };
  /**
   * Serve cluster IPs, load-balancer and external IPs too, not only this node's node ports and
   * health check ports (default true). One machine has one listener per address, so of several
   * node proxies only the first serves the addresses all nodes share.
   */
  serviceAddresses?: boolean;
}

export interface SyncStats {
  syncs: number;
  lastSyncMs: number;
  /** Network programming latency samples (ms from the change's trigger time to its sync). */
  programmingLatenciesMs: number[];
}

export class ServiceProxy {
  private readonly tracker: ChangeTracker;
  private readonly backend: UserspaceProxy;
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly runner: BoundedFrequencyRunner;
  private readonly reported = new Set<string>();
  private readonly log: (msg: string) => void;
  readonly stats: SyncStats = { syncs: 0, lastSyncMs: 0, programmingLatenciesMs: [] };
  private synced = false;
  private readonly metrics: ProxyMetrics;
  private readonly health: ServiceHealthServer;
  /** The port /metrics and /healthz are served on, once started with `metrics`. */
  metricsPort?: number;

  constructor(private readonly opts: ServiceProxyOptions) {
    this.log = opts.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.tracker = new ChangeTracker({ nodeName: opts.nodeName });
    this.backend = new UserspaceProxy({ nodeIPs: opts.nodeIPs, log: this.log, serviceAddresses: opts.serviceAddresses ?? true });
    this.metrics = new ProxyMetrics(() => this.backend.stats());
    this.health = new ServiceHealthServer(opts.nodeIPs, this.log);
    this.runner = new BoundedFrequencyRunner(() => this.sync(), { minIntervalMs: opts.minSyncPeriodMs ?? 2, maxIntervalMs: opts.syncPeriodMs ?? 30_000 });
    const onErr = (what: string) => (e: Error, phase: string) => this.log(`proxy: ${what} ${phase}: ${e.message}`);
    this.services = new Informer<Service>(opts.client, SERVICES, { onError: onErr('services'), transform: leanService });
    this.slices = new Informer<EndpointSlice>(opts.client, ENDPOINTSLICES, { onError: onErr('endpointslices'), transform: leanEndpointSlice });
    this.services.addEventHandler({
      onAdd: (s) => this.changed(() => this.tracker.onServiceUpsert(s)),
      onUpdate: (_o, s) => this.changed(() => this.tracker.onServiceUpsert(s)),
      onDelete: (s) => this.changed(() => this.tracker.onServiceDelete(s)),
    });
    this.slices.addEventHandler({
      onAdd: (s) => this.changed(() => this.tracker.onEndpointSliceUpsert(s)),
      onUpdate: (_o, s) => this.changed(() => this.tracker.onEndpointSliceUpsert(s)),
      onDelete: (s) => this.changed(() => this.tracker.onEndpointSliceDelete(s)),
    });
  }

  private changed(apply: () => void): void {
    apply();
    if (this.synced) this.runner.run();
  }

  /** Lists and watches, renders the first state, then keeps syncing. */
  async start(): Promise<void> {
    if (this.opts.metrics) this.metricsPort = await this.metrics.listen(this.opts.metrics.host, this.opts.metrics.port);
    this.services.start();
    this.slices.start();
    await Promise.all([this.services.waitForSync({ timeoutMs: 60_000 }), this.slices.waitForSync({ timeoutMs: 60_000 })]);
    this.synced = true;
    await this.sync();
    this.runner.loop();
  }

  async stop(): Promise<void> {
    this.runner.stop();
    this.services.stop();
    this.slices.stop();
    await this.backend.close();
    await this.health.close();
    await this.metrics.close();
  }

  private async sync(): Promise<void> {
    const t0 = performance.now();
    const { triggerTimes } = this.tracker.takeChanges();
    const state = withoutSelfServed(this.tracker.state());
    const { failures } = await this.backend.apply(state);
    await this.health.sync(state);
    const now = Date.now();
    const latencies = triggerTimes.map((t) => Math.max(0, now - t));
    for (const ms of latencies) this.stats.programmingLatenciesMs.push(ms);
    if (this.stats.programmingLatenciesMs.length > 10_000) this.stats.programmingLatenciesMs.splice(0, 5_000);
    this.stats.syncs++;
    this.stats.lastSyncMs = performance.now() - t0;
    this.metrics.synced(this.stats.lastSyncMs, latencies);
    for (const f of failures) {
      const id = `${f.key}@${f.address}:${f.port}/${f.protocol}`;
      if (this.reported.has(id)) continue;
      this.reported.add(id);
      this.log(`proxy: ${f.message}`);
      this.opts.onBindFailure?.(f);
    }
  }

  /** What carries TCP: 'native' (the relay thread of native/relay.c) or 'js'. */
  get relay(): UserspaceProxy['relay'] {
    return this.backend.relay;
  }

  backendStats(): ReturnType<UserspaceProxy['stats']> {
    return this.backend.stats();
  }
}

/**
 * Leaves out service ports whose endpoints are the Service's own address and port: something
 * serves the cluster IP itself (tinykube's DNS server answers on kube-dns's address), and a
 * listener there would take its socket or loop into itself.
 */
export function withoutSelfServed(state: ProxyState): ProxyState {
  let skip: string[] | undefined;
  for (const [key, sp] of state) if (isSelfServed(sp)) (skip ??= []).push(key);
  if (skip === undefined) return state;
  const out = new Map(state);
  for (const key of skip) out.delete(key);
  return out;
}

/** Answers per state object, which the tracker keeps while the service port does not change. */
const selfServed = new WeakMap<ServicePortState, boolean>();

function isSelfServed(sp: ServicePortState): boolean {
  let v = selfServed.get(sp);
  if (v === undefined) selfServed.set(sp, (v = sp.endpoints.length > 0 && sp.endpoints.every((ep) => ep.port === sp.port && sp.clusterIPs.includes(ep.ip))));
  return v;
}
