// kube-proxy's metrics and health endpoint (`--metrics-bind-address`, 10249): Prometheus
// histograms of sync duration and network programming latency (the kubeproxy_* names), the
// proxy's traffic counters, and /healthz saying when the rules were last synced.
import { serveMetrics, type MetricsEndpoint } from '../client/metrics-endpoint.js';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UserspaceProxyStats } from './userspace/index.js';

/** Sync durations from 1 ms doubling (kube-proxy's); programming latency finer than kube-proxy's below 100 ms (its first bucket is 250 ms), up to minutes. */
const SYNC_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);
const PROGRAMMING_BUCKETS = [0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 30, 60, 120, 300];

export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly syncDuration: Histogram;
  private readonly programming: Histogram;
  private readonly lastSync: Gauge;
  private readonly syncs: Counter;
  private endpoint?: MetricsEndpoint;
  private lastSyncAt?: Date;

  constructor(stats: () => UserspaceProxyStats) {
    const registers = [this.registry];
    this.syncDuration = new Histogram({ name: 'kubeproxy_sync_proxy_rules_duration_seconds', help: 'SyncProxyRules latency in seconds', buckets: SYNC_BUCKETS, registers });
    this.programming = new Histogram({ name: 'kubeproxy_network_programming_duration_seconds', help: 'In Cluster Network Programming Latency in seconds', buckets: PROGRAMMING_BUCKETS, registers });
    this.lastSync = new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers });
    this.syncs = new Counter({ name: 'tinykube_proxy_syncs_total', help: 'Syncs of the desired state to the sockets', registers });
    const gauge = (name: string, help: string, pick: (s: UserspaceProxyStats) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(pick(stats()));
        },
      });
    };
    gauge('tinykube_proxy_connections_total', 'Connections (TCP) and sessions (UDP) proxied since start', (s) => s.connectionsTotal);
    gauge('tinykube_proxy_active_connections', 'Connections and UDP sessions open now', (s) => s.activeConnections);
    gauge('tinykube_proxy_received_bytes_total', 'Bytes received from clients', (s) => s.bytesIn);
    gauge('tinykube_proxy_sent_bytes_total', 'Bytes sent to clients', (s) => s.bytesOut);
    gauge('tinykube_proxy_errors_total', 'Failed endpoint connects, resets and dropped datagrams', (s) => s.errors);
  }

  synced(durationMs: number, programmingMs: number[]): void {
    this.syncDuration.observe(durationMs / 1000);
    for (const ms of programmingMs) this.programming.observe(ms / 1000);
    this.lastSyncAt = new Date();
    this.lastSync.set(this.lastSyncAt.getTime() / 1000);
    this.syncs.inc();
  }

  /** Serves /metrics and /healthz; resolves with the bound port (0 picks a free one). */
  async listen(host: string, port: number): Promise<number> {
    this.endpoint = await serveMetrics(this.registry, host, port, (path, res) => {
      if (path === '/healthz' || path === '/livez') {
        const ok = this.lastSyncAt !== undefined;
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
        res.end(JSON.stringify({ lastUpdated: this.lastSyncAt?.toISOString() ?? '', currentTime: new Date().toISOString(), nodeEligible: true }));
        return true;
      }
      return false;
    });
    return this.endpoint.port;
  }

  async close(): Promise<void> {
    await this.endpoint?.close();
  }
}
