// CoreDNS's Prometheus metrics (its `prometheus :9153` plugin) and its /health and /ready, on the
// DNS address at 9153: requests by protocol and type, responses by rcode, the request latency
// histogram, cache hits and misses, forwarded requests, and the kubernetes plugin's DNS
// programming latency (object change -> served answer).
import { serveMetrics, type MetricsEndpoint } from '../client/metrics-endpoint.js';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DnsServerStats } from './server.js';
import { RRType } from './types.js';

const TYPE_NAMES = new Map<string, string>(Object.entries(RRType).map(([name, n]) => [String(n), name]));
/** CoreDNS plugin/kubernetes/metrics.go: DNSProgrammingLatency buckets (0.001 s doubling up to ~8 min). */
const PROGRAMMING_BUCKETS = Array.from({ length: 20 }, (_, i) => 0.001 * 2 ** i);

export class DnsMetrics {
  readonly registry = new Registry();
  private readonly programming: Histogram;
  private endpoint?: MetricsEndpoint;

  constructor(
    stats: () => DnsServerStats,
    private readonly ready: () => boolean,
    zone = '.',
  ) {
    const registers = [this.registry];
    const labels = { server: 'dns://:53', zone };
    new Counter({
      name: 'coredns_dns_requests_total',
      help: 'Counter of DNS requests made per zone, protocol and family.',
      labelNames: ['server', 'zone', 'proto', 'type'],
      registers,
      collect() {
        const s = stats();
        this.reset();
        for (const [type, n] of Object.entries(s.byType)) this.inc({ ...labels, proto: 'all', type: TYPE_NAMES.get(type) ?? type }, n);
        this.inc({ ...labels, proto: 'udp', type: 'all' }, s.requests.udp);
        this.inc({ ...labels, proto: 'tcp', type: 'all' }, s.requests.tcp);
      },
    });
    new Counter({
      name: 'coredns_dns_responses_total',
      help: 'Counter of response status codes.',
      labelNames: ['server', 'zone', 'rcode'],
      registers,
      collect() {
        this.reset();
        for (const [rcode, n] of Object.entries(stats().byRcode)) this.inc({ ...labels, rcode }, n);
      },
    });
    // The server counts its latencies in fixed buckets (cheap on the hot path); they are
    // published as a histogram as they are, not observed a second time.
    const name = 'coredns_dns_request_duration_seconds';
    const help = 'Histogram of the time (in seconds) each request took.';
    this.registry.registerMetric({
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      reset: () => undefined,
      get: async () => {
        const { latency } = stats();
        let cumulative = 0;
        const values = latency.boundsUs.map((b, i) => {
          cumulative += latency.counts[i] ?? 0;
          return { metricName: `${name}_bucket`, labels: { ...labels, le: b / 1e6 }, value: cumulative };
        });
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' as unknown as number }, value: latency.count });
        values.push({ metricName: `${name}_sum`, labels: { ...labels } as typeof labels & { le: number }, value: latency.sumUs / 1e6 });
        values.push({ metricName: `${name}_count`, labels: { ...labels } as typeof labels & { le: number }, value: latency.count });
        return { name, help, type: 'histogram', aggregator: 'sum', values };
      },
    } as unknown as Parameters<Registry['registerMetric']>[0]);
    const counter = (name: string, help: string, pick: (s: DnsServerStats) => number): void => {
      new Counter({
        name,
        help,
        labelNames: ['server'],
        registers,
        collect() {
          this.reset();
          this.inc({ server: labels.server }, pick(stats()));
        },
      });
    };
    counter('coredns_cache_hits_total', 'The count of cache hits.', (s) => s.cache.hits);
    counter('coredns_cache_misses_total', 'The count of cache misses.', (s) => s.cache.misses);
    counter('coredns_forward_requests_total', 'Counter of requests made per upstream.', (s) => s.forward.upstreamQueries);
    counter('coredns_dns_truncated_responses_total', 'Responses sent truncated (TC) over UDP.', (s) => s.truncated);
    new Gauge({
      name: 'coredns_cache_entries',
      help: 'The number of elements in the cache.',
      labelNames: ['server'],
      registers,
      collect() {
        this.set({ server: labels.server }, stats().cache.entries);
      },
    });
    this.programming = new Histogram({
      name: 'coredns_kubernetes_dns_programming_duration_seconds',
      help: 'Histogram of the time (in seconds) it took to program a dns instance.',
      labelNames: ['service_kind'],
      buckets: PROGRAMMING_BUCKETS,
      registers,
    });
  }

  /** A change became servable `ms` after its trigger time (EndpointSlice last-change-trigger-time). */
  programmed(kind: 'cluster_ip' | 'headless_with_selector' | 'headless_without_selector', ms: number): void {
    this.programming.observe({ service_kind: kind }, ms / 1000);
  }

  /** /metrics, /health (CoreDNS's health plugin: the process answers) and /ready (synced). */
  async listen(host: string, port: number): Promise<number> {
    this.endpoint = await serveMetrics(this.registry, host, port, (path, res) => {
      if (path === '/health' || path === '/ready') {
        const ok = path === '/health' || this.ready();
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(ok ? 'OK' : 'not ready: the cluster zone has not synced');
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
